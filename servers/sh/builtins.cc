// The builtins: commands the shell runs itself, because they change the
// shell (cd, exit, export, unset) or read its state (history, set, help).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "shell.h"

namespace sh {

namespace {

int builtin_cd(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  if (argc > 2) {
    Shell::print(io.err, "sh: cd: too many arguments\n");
    return 1;
  }
  const char* dir = argc == 2 ? argv[1] : shell.get_variable("HOME");
  if (dir == nullptr || dir[0] == 0) dir = "/";
  if (io.in_pipeline) return 0;
  if (chdir(dir) != 0) {
    Shell::print(io.err, "sh: cd: %s: %s\n", dir, strerror(errno));
    return 1;
  }
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) != nullptr) shell.set_variable("PWD", 3, cwd, strlen(cwd), 0);
  return 0;
}

int builtin_pwd(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) {
    Shell::print(io.err, "sh: pwd: %s\n", strerror(errno));
    return 1;
  }
  size_t length = strlen(cwd);
  cwd[length] = '\n';
  return Shell::write_all(io.out, cwd, length + 1) ? 0 : 1;
}

// Parses a status argument ("0".."255", taken modulo 256 as POSIX does).
bool parse_status(const char* text, int* status) {
  char* end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (text[0] == 0 || *end != 0 || errno != 0) return false;
  *status = static_cast<int>(value & 0xff);
  return true;
}

int builtin_exit(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  int status = shell.status();
  if (argc > 2) {
    Shell::print(io.err, "sh: exit: too many arguments\n");
    return 1;
  }
  if (argc == 2 && !parse_status(argv[1], &status)) {
    Shell::print(io.err, "sh: exit: %s: numeric argument required\n", argv[1]);
    status = kStatusSyntaxError;
  }
  if (!io.in_pipeline) shell.request_exit(status);
  return status;
}

int builtin_echo(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  int first = 1;
  bool newline = true;
  if (argc > 1 && strcmp(argv[1], "-n") == 0) {
    newline = false;
    first = 2;
  }
  size_t total = 1;
  for (int i = first; i < argc; i++) total += strlen(argv[i]) + 1;
  char* line = static_cast<char*>(malloc(total));
  if (line == nullptr) {
    Shell::print(io.err, "sh: echo: out of memory\n");
    return 1;
  }
  size_t length = 0;
  for (int i = first; i < argc; i++) {
    if (i > first) line[length++] = ' ';
    size_t n = strlen(argv[i]);
    memcpy(line + length, argv[i], n);
    length += n;
  }
  if (newline) line[length++] = '\n';
  bool ok = Shell::write_all(io.out, line, length);
  free(line);
  return ok ? 0 : 1;
}

bool valid_name(const char* name, size_t length) {
  if (length == 0 || !is_name_start(name[0])) return false;
  for (size_t i = 1; i < length; i++) {
    if (!is_name_char(name[i])) return false;
  }
  return true;
}

// Lists the variables: exported ones only (`export`) or all (`set`).
void list_variables(Shell& shell, const BuiltinIo& io, bool exported_only) {
  for (size_t i = 0; i < shell.variable_count(); i++) {
    if (exported_only && !shell.variable_exported(i)) continue;
    const char* name = shell.variable_name(i);
    const char* value = shell.variable_value(i);
    Shell::write_all(io.out, exported_only ? "export " : "", exported_only ? 7 : 0);
    Shell::write_all(io.out, name, strlen(name));
    Shell::write_all(io.out, "=", 1);
    Shell::write_all(io.out, value, strlen(value));
    Shell::write_all(io.out, "\n", 1);
  }
}

int builtin_export(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  if (argc == 1) {
    list_variables(shell, io, true);
    return 0;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    const char* equals = strchr(argv[i], '=');
    size_t name_length =
        equals != nullptr ? static_cast<size_t>(equals - argv[i]) : strlen(argv[i]);
    if (!valid_name(argv[i], name_length)) {
      Shell::print(io.err, "sh: export: %s: not a valid name\n", argv[i]);
      status = 1;
      continue;
    }
    if (io.in_pipeline) continue;
    const char* value = equals != nullptr ? equals + 1 : shell.get_variable(argv[i], name_length);
    if (value == nullptr) value = "";
    // set_variable copies `value` before it frees the old one.
    if (!shell.set_variable(argv[i], name_length, value, strlen(value), 1)) {
      Shell::print(io.err, "sh: export: out of memory\n");
      status = 1;
    }
  }
  return status;
}

int builtin_set(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  if (argc > 1) {
    Shell::print(io.err, "sh: set: options are not supported\n");
    return kStatusSyntaxError;
  }
  list_variables(shell, io, false);
  return 0;
}

int builtin_unset(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  for (int i = 1; i < argc; i++) {
    if (!io.in_pipeline) shell.unset_variable(argv[i]);
  }
  return 0;
}

int builtin_history(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  size_t total = shell.history_count();
  size_t first = total > kHistorySize ? total - kHistorySize + 1 : 1;
  for (size_t number = first; number <= total; number++) {
    const char* entry = shell.history_entry(number);
    if (entry == nullptr) continue;
    Shell::print(io.out, "%5zu  ", number);
    Shell::write_all(io.out, entry, strlen(entry));
    Shell::write_all(io.out, "\n", 1);
  }
  return 0;
}

int compare_names(const void* a, const void* b) {
  return strcmp(*static_cast<char* const*>(a), *static_cast<char* const*>(b));
}

// Prints the programs in `dir`, sorted, on one line after "DIR:".
void list_programs(const char* dir, size_t dir_length, const BuiltinIo& io) {
  char path[PATH_MAX];
  if (dir_length == 0) {
    dir = ".";
    dir_length = 1;
  }
  if (dir_length >= sizeof(path)) return;
  memcpy(path, dir, dir_length);
  path[dir_length] = 0;
  DIR* d = opendir(path);
  if (d == nullptr) return;
  constexpr size_t kMaxPrograms = 512;
  char** names = static_cast<char**>(malloc(kMaxPrograms * sizeof(char*)));
  size_t count = 0;
  while (names != nullptr && count < kMaxPrograms) {
    struct dirent* entry = readdir(d);
    if (entry == nullptr) break;
    if (entry->d_name[0] == '.') continue;
    names[count] = strdup(entry->d_name);
    if (names[count] != nullptr) count++;
  }
  closedir(d);
  if (names == nullptr) return;
  qsort(names, count, sizeof(char*), compare_names);
  Shell::print(io.out, "programs in %s:\n", path);
  size_t column = 0;
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(names[i]);
    if (column > 0 && column + n + 1 > 72) {
      Shell::write_all(io.out, "\n", 1);
      column = 0;
    }
    Shell::write_all(io.out, "  ", 2);
    Shell::write_all(io.out, names[i], n);
    column += n + 2;
    free(names[i]);
  }
  if (column > 0) Shell::write_all(io.out, "\n", 1);
  free(names);
}

int builtin_help(Shell& shell, int argc, char** argv, const BuiltinIo& io) {
  Shell::print(io.out, "builtins:\n");
  for (const Builtin* b = builtins(); b->name != nullptr; b++) {
    Shell::print(io.out, "  %-8s %s\n", b->name, b->help);
  }
  const char* path = shell.get_variable("PATH");
  if (path == nullptr) path = "/bin";
  for (const char* p = path;;) {
    const char* colon = strchr(p, ':');
    size_t length = colon != nullptr ? static_cast<size_t>(colon - p) : strlen(p);
    list_programs(p, length, io);
    if (colon == nullptr) break;
    p = colon + 1;
  }
  return 0;
}

const Builtin kBuiltins[] = {
    {"cd", builtin_cd, "[DIR]      change directory (default $HOME, or /)"},
    {"echo", builtin_echo, "[-n] ARG.. print the arguments"},
    {"exit", builtin_exit, "[N]        leave the shell with status N"},
    {"export", builtin_export, "NAME[=V].. pass variables to programs"},
    {"help", builtin_help, "           this list, and the programs in $PATH"},
    {"history", builtin_history, "           earlier lines; !! and !N run them again"},
    {"pwd", builtin_pwd, "           print the current directory"},
    {"set", builtin_set, "           list the variables"},
    {"unset", builtin_unset, "NAME..     remove variables"},
    {nullptr, nullptr, nullptr},
};

}  // namespace

const Builtin* builtins() {
  return kBuiltins;
}

const Builtin* find_builtin(const char* name) {
  for (const Builtin* b = kBuiltins; b->name != nullptr; b++) {
    if (strcmp(b->name, name) == 0) return b;
  }
  return nullptr;
}

}  // namespace sh

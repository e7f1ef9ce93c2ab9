// The shell's variables, history, expansion and executor (shell.h).
#include "shell.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "line_reader.h"
#include "spawn.h"

namespace sh {

namespace {

// How an interactive shell rides out a failing read (see run_fd).
constexpr int kReadRetries = 50;
constexpr useconds_t kReadRetryUs = 100000;

// Grows a string with malloc up to a cap; failed() once it could not.
class TextBuilder {
 public:
  explicit TextBuilder(size_t cap) : cap_(cap) {}
  ~TextBuilder() { free(data_); }
  TextBuilder(const TextBuilder&) = delete;
  TextBuilder& operator=(const TextBuilder&) = delete;

  void append(const char* text, size_t length) {
    if (failed_) return;
    if (length > cap_ - length_) {
      failed_ = true;
      return;
    }
    if (length_ + length + 1 > capacity_) {
      size_t capacity = capacity_ == 0 ? 64 : capacity_;
      while (capacity < length_ + length + 1) capacity *= 2;
      char* data = static_cast<char*>(realloc(data_, capacity));
      if (data == nullptr) {
        failed_ = true;
        return;
      }
      data_ = data;
      capacity_ = capacity;
    }
    memcpy(data_ + length_, text, length);
    length_ += length;
    data_[length_] = 0;
  }
  void append(const char* text) { append(text, strlen(text)); }
  void append(char c) { append(&c, 1); }

  bool failed() const { return failed_; }
  const char* data() const { return data_ != nullptr ? data_ : ""; }
  size_t length() const { return length_; }

 private:
  char* data_ = nullptr;
  size_t length_ = 0;
  size_t capacity_ = 0;
  size_t cap_;
  bool failed_ = false;
};

// The largest word an expansion may produce.
constexpr size_t kMaxWordLength = 1u << 20;
// The most programs of one pipeline ^C ends (the console's bound).
constexpr size_t kForegroundMax = 16;

// Sets FD_CLOEXEC, so that no program the shell starts inherits the fd.
void set_cloexec(int fd) {
  fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

// ---- Output ----

bool Shell::write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void Shell::print(int fd, const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  if (n < 0) return;
  size_t length =
      static_cast<size_t>(n) < sizeof(buffer) ? static_cast<size_t>(n) : sizeof(buffer) - 1;
  write_all(fd, buffer, length);
}

// ---- Variables ----

Shell::~Shell() {
  for (size_t i = 0; i < variable_count_; i++) {
    free(variables_[i].name);
    free(variables_[i].value);
  }
  free(variables_);
  for (char* entry : history_) free(entry);
}

bool Shell::import_environment(char* const* envp) {
  if (envp == nullptr) return true;
  for (char* const* e = envp; *e != nullptr; e++) {
    const char* equals = strchr(*e, '=');
    if (equals == nullptr || equals == *e) continue;
    size_t name_length = static_cast<size_t>(equals - *e);
    if (!set_variable(*e, name_length, equals + 1, strlen(equals + 1), 1)) return false;
  }
  return true;
}

Shell::Variable* Shell::find_variable(const char* name, size_t name_length) const {
  for (size_t i = 0; i < variable_count_; i++) {
    if (strncmp(variables_[i].name, name, name_length) == 0 &&
        variables_[i].name[name_length] == 0) {
      return &variables_[i];
    }
  }
  return nullptr;
}

const char* Shell::get_variable(const char* name, size_t name_length) const {
  Variable* v = find_variable(name, name_length);
  return v != nullptr ? v->value : nullptr;
}

const char* Shell::get_variable(const char* name) const {
  return get_variable(name, strlen(name));
}

bool Shell::set_variable(const char* name, size_t name_length, const char* value,
                         size_t value_length, int exported) {
  char* copy = strndup(value, value_length);
  if (copy == nullptr) return false;
  Variable* v = find_variable(name, name_length);
  if (v == nullptr) {
    if (variable_count_ == kMaxVariables) {
      free(copy);
      return false;
    }
    if (variable_count_ == variable_capacity_) {
      size_t capacity = variable_capacity_ == 0 ? 32 : variable_capacity_ * 2;
      void* grown = realloc(variables_, capacity * sizeof(Variable));
      if (grown == nullptr) {
        free(copy);
        return false;
      }
      variables_ = static_cast<Variable*>(grown);
      variable_capacity_ = capacity;
    }
    char* name_copy = strndup(name, name_length);
    if (name_copy == nullptr) {
      free(copy);
      return false;
    }
    v = &variables_[variable_count_++];
    v->name = name_copy;
    v->value = nullptr;
    v->exported = false;
  }
  free(v->value);
  v->value = copy;
  if (exported != 0) v->exported = exported > 0;
  return true;
}

void Shell::unset_variable(const char* name) {
  Variable* v = find_variable(name, strlen(name));
  if (v == nullptr) return;
  free(v->name);
  free(v->value);
  *v = variables_[--variable_count_];
}

// ---- History ----

const char* Shell::history_entry(size_t number) const {
  if (number == 0 || number > history_total_ || history_total_ - number >= kHistorySize) {
    return nullptr;
  }
  return history_[(number - 1) % kHistorySize];
}

void Shell::add_history(const char* line, size_t length) {
  char* copy = strndup(line, length);
  if (copy == nullptr) return;
  char*& slot = history_[history_total_ % kHistorySize];
  free(slot);
  slot = copy;
  history_total_++;
}

// `!!` (the last line) and `!N` (line N), outside single quotes. Returns
// false (after saying why) if an event is missing or the result too long;
// otherwise *expanded is the line (in the arena) or `line` itself.
bool Shell::expand_history(const char* line, size_t length, char** expanded,
                           size_t* expanded_length) {
  TextBuilder out(kMaxLineLength);
  bool changed = false;
  bool in_single = false;
  bool in_double = false;
  for (size_t i = 0; i < length; i++) {
    char c = line[i];
    if (c == '\\' && !in_single && i + 1 < length) {
      out.append(line + i, 2);
      i++;
      continue;
    }
    if (c == '\'' && !in_double) in_single = !in_single;
    if (c == '"' && !in_single) in_double = !in_double;
    char next = i + 1 < length ? line[i + 1] : 0;
    if (c != '!' || in_single || !(next == '!' || (next >= '0' && next <= '9'))) {
      out.append(c);
      continue;
    }
    size_t number = history_total_;
    size_t end = i + 2;
    if (next != '!') {
      number = 0;
      end = i + 1;
      while (end < length && line[end] >= '0' && line[end] <= '9' && number < 1000000000) {
        number = number * 10 + static_cast<size_t>(line[end] - '0');
        end++;
      }
    }
    const char* entry = history_entry(number);
    if (entry == nullptr) {
      print(stdio_[2], "sh: %.*s: event not found\n", static_cast<int>(end - i), line + i);
      return false;
    }
    out.append(entry);
    changed = true;
    i = end - 1;
  }
  if (out.failed()) {
    print(stdio_[2], "sh: line too long\n");
    return false;
  }
  if (!changed) {
    *expanded = const_cast<char*>(line);
    *expanded_length = length;
    return true;
  }
  *expanded = arena_.copy(out.data(), out.length());
  *expanded_length = out.length();
  if (*expanded == nullptr) {
    print(stdio_[2], "sh: out of memory\n");
    return false;
  }
  return true;
}

// ---- Expansion ----

bool Shell::expand_word(const Word& word, char** result, bool* dropped) {
  TextBuilder out(kMaxWordLength);
  const char* s = word.text;
  size_t n = word.length;
  bool quoted = false;
  bool expanded = false;
  bool in_double = false;
  size_t i = 0;
  if (n > 0 && s[0] == '~' && (n == 1 || s[1] == '/')) {
    const char* home = get_variable("HOME");
    out.append(home != nullptr ? home : "/");
    i = 1;
  }
  while (i < n) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= n) {
        out.append(c);
        i++;
      } else if (!in_double || strchr("$`\"\\", s[i + 1]) != nullptr) {
        out.append(s[i + 1]);
        i += 2;
      } else {
        out.append(s + i, 2);
        i += 2;
      }
      continue;
    }
    if (c == '\'' && !in_double) {
      quoted = true;
      const char* close = static_cast<const char*>(memchr(s + i + 1, '\'', n - i - 1));
      size_t end = close != nullptr ? static_cast<size_t>(close - s) : n;
      out.append(s + i + 1, end - i - 1);
      i = end + 1;
      continue;
    }
    if (c == '"') {
      quoted = true;
      in_double = !in_double;
      i++;
      continue;
    }
    if (c == '$' && i + 1 < n) {
      char next = s[i + 1];
      char number[24];
      if (next == '?') {
        snprintf(number, sizeof(number), "%d", status_);
        out.append(number);
        expanded = true;
        i += 2;
        continue;
      }
      if (next == '$') {
        snprintf(number, sizeof(number), "%d", static_cast<int>(getpid()));
        out.append(number);
        expanded = true;
        i += 2;
        continue;
      }
      if (next == '0') {
        out.append("sh");
        expanded = true;
        i += 2;
        continue;
      }
      size_t name = i + 1;
      size_t name_end = name;
      size_t end;
      if (next == '{') {
        name = i + 2;
        name_end = name;
        while (name_end < n && is_name_char(s[name_end])) name_end++;
        bool valid =
            name_end < n && s[name_end] == '}' && name_end > name && is_name_start(s[name]);
        if (!valid) {
          out.append(c);
          i++;
          continue;
        }
        end = name_end + 1;
      } else if (is_name_start(next)) {
        while (name_end < n && is_name_char(s[name_end])) name_end++;
        end = name_end;
      } else {
        out.append(c);
        i++;
        continue;
      }
      const char* value = get_variable(s + name, name_end - name);
      if (value != nullptr) out.append(value);
      expanded = true;
      i = end;
      continue;
    }
    out.append(c);
    i++;
  }
  *dropped = !quoted && expanded && out.length() == 0;
  if (out.failed()) return false;
  *result = arena_.copy(out.data(), out.length());
  return *result != nullptr;
}

// ---- Running ----

struct Shell::Stage {
  char** argv = nullptr;
  int argc = 0;
  char** assignments = nullptr;
  size_t assignment_count = 0;
  const Builtin* builtin = nullptr;
  const char* path = nullptr;
  int fds[3] = {0, 1, 2};
  int* opened = nullptr;  // redirection files to close, -1 when closed
  size_t opened_count = 0;
  bool ready = false;  // prepared without an error: run it
  long pid = -1;
  int status = 0;
};

// The program file for `name` (searched in $PATH, default /bin, unless it
// has a '/'), or nullptr with `*error` set: ENOENT when no directory holds
// it, or the first other error a directory gave (EIO from a file system
// whose disk went away, ELOOP, EACCES), which says more than "not found".
static const char* find_program(Shell& shell, const char* name, int* error) {
  *error = ENOENT;
  if (strchr(name, '/') != nullptr) return name;
  const char* path = shell.get_variable("PATH");
  if (path == nullptr) path = "/bin";
  size_t name_length = strlen(name);
  for (const char* p = path;;) {
    const char* colon = strchr(p, ':');
    size_t dir_length = colon != nullptr ? static_cast<size_t>(colon - p) : strlen(p);
    const char* dir = dir_length == 0 ? "." : p;
    if (dir_length == 0) dir_length = 1;
    char* candidate = static_cast<char*>(shell.arena().allocate(dir_length + name_length + 2));
    if (candidate == nullptr) {
      *error = ENOMEM;
      return nullptr;
    }
    memcpy(candidate, dir, dir_length);
    candidate[dir_length] = '/';
    memcpy(candidate + dir_length + 1, name, name_length + 1);
    struct stat st;
    if (stat(candidate, &st) == 0) {
      if (S_ISREG(st.st_mode)) return candidate;
    } else if (errno != ENOENT && errno != ENOTDIR && *error == ENOENT) {
      *error = errno;
    }
    if (colon == nullptr) return nullptr;
    p = colon + 1;
  }
}

// Says on `fd` why program `name` cannot run: "not found" for ENOENT, the
// error otherwise. Returns the command's status (127 or 126).
static int report_unrunnable(int fd, const char* name, int error) {
  if (error == ENOENT) {
    Shell::print(fd, "sh: %s: not found\n", name);
    return kStatusNotFound;
  }
  Shell::print(fd, "sh: %s: %s\n", name, strerror(error));
  return kStatusNotExecutable;
}

// Expands the words and opens the redirections of `command` into `stage`
// (whose fds hold the pipeline's defaults). On an error that belongs to
// the command (a missing file or program) it says so and leaves
// stage.ready false with stage.status set. Returns false when memory runs
// out.
bool Shell::prepare_stage(const Command& command, Stage& stage) {
  stage.argv = static_cast<char**>(arena_.allocate((command.word_count + 1) * sizeof(char*)));
  stage.assignments =
      static_cast<char**>(arena_.allocate((command.word_count + 1) * sizeof(char*)));
  size_t redirect_count = 0;
  for (Redirect* r = command.redirects; r != nullptr; r = r->next) redirect_count++;
  stage.opened = static_cast<int*>(arena_.allocate((redirect_count + 1) * sizeof(int)));
  if (stage.argv == nullptr || stage.assignments == nullptr || stage.opened == nullptr) {
    return false;
  }
  bool leading = true;
  for (Word* w = command.words; w != nullptr; w = w->next) {
    size_t name_length;
    if (leading && is_assignment(*w, &name_length)) {
      char* text;
      bool dropped;
      if (!expand_word(*w, &text, &dropped)) return false;
      stage.assignments[stage.assignment_count++] = text;
      continue;
    }
    leading = false;
    char* text;
    bool dropped;
    if (!expand_word(*w, &text, &dropped)) return false;
    if (!dropped) stage.argv[stage.argc++] = text;
  }
  stage.argv[stage.argc] = nullptr;
  stage.assignments[stage.assignment_count] = nullptr;

  for (Redirect* r = command.redirects; r != nullptr; r = r->next) {
    if (r->fd > 2) {
      print(stdio_[2], "sh: %d: only fds 0, 1 and 2 can be redirected\n", r->fd);
      stage.status = 1;
      return true;
    }
    if (r->kind == RedirectKind::kDup) {
      int source = r->target.text[0] - '0';
      if (source > 2) {
        print(stdio_[2], "sh: %d: bad file descriptor\n", source);
        stage.status = 1;
        return true;
      }
      stage.fds[r->fd] = stage.fds[source];
      continue;
    }
    char* target;
    bool dropped;
    if (!expand_word(r->target, &target, &dropped)) return false;
    int flags = O_CLOEXEC;
    if (r->kind == RedirectKind::kInput) {
      flags |= O_RDONLY;
    } else {
      flags |= O_WRONLY | O_CREAT | (r->kind == RedirectKind::kAppend ? O_APPEND : O_TRUNC);
    }
    int fd = open(target, flags, 0666);
    if (fd < 0) {
      print(stdio_[2], "sh: %s: %s\n", target, strerror(errno));
      stage.status = 1;
      return true;
    }
    set_cloexec(fd);
    stage.opened[stage.opened_count++] = fd;
    stage.fds[r->fd] = fd;
  }

  if (stage.argc > 0) {
    stage.builtin = find_builtin(stage.argv[0]);
    if (stage.builtin == nullptr) {
      int error = 0;
      stage.path = find_program(*this, stage.argv[0], &error);
      if (arena_.exhausted()) return false;
      if (stage.path == nullptr) {
        stage.status = report_unrunnable(stdio_[2], stage.argv[0], error);
        return true;
      }
    }
  }
  stage.ready = true;
  return true;
}

// The environment of a program: the exported variables, overridden by the
// command's own NAME=value prefixes. In the arena.
char** Shell::build_environment(char** assignments, size_t count) {
  char** envp = static_cast<char**>(arena_.allocate((variable_count_ + count + 1) * sizeof(char*)));
  if (envp == nullptr) return nullptr;
  size_t n = 0;
  for (size_t i = 0; i < variable_count_; i++) {
    const Variable& v = variables_[i];
    if (!v.exported) continue;
    size_t name_length = strlen(v.name);
    bool overridden = false;
    for (size_t j = 0; j < count; j++) {
      if (strncmp(assignments[j], v.name, name_length) == 0 && assignments[j][name_length] == '=') {
        overridden = true;
      }
    }
    if (overridden) continue;
    size_t value_length = strlen(v.value);
    char* entry = static_cast<char*>(arena_.allocate(name_length + value_length + 2));
    if (entry == nullptr) return nullptr;
    memcpy(entry, v.name, name_length);
    entry[name_length] = '=';
    memcpy(entry + name_length + 1, v.value, value_length + 1);
    envp[n++] = entry;
  }
  for (size_t j = 0; j < count; j++) envp[n++] = assignments[j];
  envp[n] = nullptr;
  return envp;
}

int Shell::run_pipeline(const Pipeline& pipeline) {
  size_t n = pipeline.command_count;
  Stage* stages = static_cast<Stage*>(arena_.allocate(n * sizeof(Stage)));
  int* pipes = static_cast<int*>(arena_.allocate(2 * n * sizeof(int)));
  if (stages == nullptr || pipes == nullptr) {
    print(stdio_[2], "sh: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < n; i++) new (&stages[i]) Stage();
  for (size_t i = 0; i < 2 * n; i++) pipes[i] = -1;

  int status = 0;
  bool failed = false;
  // pipes[2i], pipes[2i + 1]: from stage i to stage i + 1.
  for (size_t i = 0; i + 1 < n && !failed; i++) {
    if (pipe(&pipes[2 * i]) != 0) {
      print(stdio_[2], "sh: pipe: %s\n", strerror(errno));
      failed = true;
      status = 1;
      break;
    }
    set_cloexec(pipes[2 * i]);
    set_cloexec(pipes[2 * i + 1]);
  }
  const Command* command = pipeline.commands;
  for (size_t i = 0; i < n && !failed; i++, command = command->next) {
    Stage& stage = stages[i];
    for (int fd = 0; fd < 3; fd++) stage.fds[fd] = stdio_[fd];
    if (i > 0) stage.fds[0] = pipes[2 * (i - 1)];
    if (i + 1 < n) stage.fds[1] = pipes[2 * i + 1];
    if (!prepare_stage(*command, stage)) {
      print(stdio_[2], "sh: out of memory\n");
      failed = true;
      status = 1;
    }
  }

  // Start the programs first: a builtin may write more than a pipe holds.
  for (size_t i = 0; i < n && !failed; i++) {
    Stage& stage = stages[i];
    if (!stage.ready || stage.argc == 0 || stage.builtin != nullptr) continue;
    char** envp = build_environment(stage.assignments, stage.assignment_count);
    int error = envp == nullptr ? ENOMEM
                                : sh_spawn(stage.path, stage.argv, envp, stage.fds[0], stage.fds[1],
                                           stage.fds[2], &stage.pid);
    if (error != 0) {
      stage.pid = -1;
      stage.ready = false;
      stage.status = report_unrunnable(stdio_[2], stage.argv[0], error);
    }
  }
  // The shell keeps only what its builtins still write to.
  for (size_t i = 0; i < n; i++) {
    Stage& stage = stages[i];
    if (i > 0) close_fd(pipes[2 * (i - 1)]);
    bool runs_builtin = !failed && stage.ready && stage.builtin != nullptr;
    if (!runs_builtin) {
      close_fd(pipes[2 * i + 1]);
      for (size_t j = 0; j < stage.opened_count; j++) close_fd(stage.opened[j]);
    }
  }
  for (size_t i = 0; i < n && !failed; i++) {
    Stage& stage = stages[i];
    if (!stage.ready) continue;
    if (stage.builtin != nullptr) {
      BuiltinIo io;
      io.in = stage.fds[0];
      io.out = stage.fds[1];
      io.err = stage.fds[2];
      io.in_pipeline = n > 1;
      stage.status = stage.builtin->function(*this, stage.argc, stage.argv, io);
      close_fd(pipes[2 * i + 1]);
      for (size_t j = 0; j < stage.opened_count; j++) close_fd(stage.opened[j]);
    } else if (stage.argc == 0 && n == 1) {
      // Only assignments (and redirections): they set shell variables.
      for (size_t j = 0; j < stage.assignment_count; j++) {
        const char* text = stage.assignments[j];
        const char* equals = strchr(text, '=');
        if (!set_variable(text, static_cast<size_t>(equals - text), equals + 1, strlen(equals + 1),
                          0)) {
          print(stdio_[2], "sh: out of memory\n");
          stage.status = 1;
        }
      }
    }
  }
  // ^C at the terminal ends the programs the shell now waits for.
  long foreground[kForegroundMax];
  size_t foreground_count = 0;
  for (size_t i = 0; i < n && foreground_count < kForegroundMax; i++) {
    if (stages[i].pid >= 0) foreground[foreground_count++] = stages[i].pid;
  }
  if (interactive_ && foreground_count > 0) sh_set_foreground(foreground, foreground_count);
  for (size_t i = 0; i < n; i++) {
    Stage& stage = stages[i];
    if (stage.pid < 0) continue;
    int error = sh_wait(stage.pid, &stage.status);
    if (error != 0) {
      print(stdio_[2], "sh: wait: %s\n", strerror(error));
      stage.status = 1;
    }
  }
  if (interactive_ && foreground_count > 0) sh_set_foreground(nullptr, 0);
  if (!failed) status = stages[n - 1].status;
  for (size_t i = 0; i < n; i++) stages[i].~Stage();
  return status;
}

int Shell::run_parsed(const char* text, size_t length) {
  ParseResult parsed = parse(text, length, arena_);
  if (parsed.error != ParseError::kNone) {
    if (parsed.error == ParseError::kUnexpectedToken) {
      print(stdio_[2], "sh: syntax error near '%s'\n", parsed.near);
    } else if (parsed.error == ParseError::kUnterminatedQuote) {
      print(stdio_[2], "sh: syntax error: unterminated quote\n");
    } else {
      print(stdio_[2], "sh: out of memory\n");
    }
    status_ = kStatusSyntaxError;
    if (!interactive_) exit_requested_ = true;
    return status_;
  }
  for (Pipeline* p = parsed.pipelines; p != nullptr && !exit_requested_; p = p->next) {
    if (p->connector == Connector::kAnd && status_ != 0) continue;
    if (p->connector == Connector::kOr && status_ == 0) continue;
    int status = run_pipeline(*p);
    // `exit` has set the status already.
    if (!exit_requested_) status_ = status;
  }
  return status_;
}

int Shell::run_text(const char* text, size_t length) {
  arena_.reset();
  if (length > kMaxLineLength) {
    print(stdio_[2], "sh: line too long (the limit is %zu bytes)\n", kMaxLineLength);
    status_ = kStatusSyntaxError;
    if (!interactive_) exit_requested_ = true;
    return status_;
  }
  int status = run_parsed(text, length);
  arena_.reset();
  return status;
}

int Shell::run_fd(int fd) {
  LineReader reader(fd, fd == stdio_[0], kMaxLineLength);
  int read_errors = 0;
  while (!exit_requested_) {
    if (interactive_) write_all(stdio_[1], "$ ", 2);
    LineReader::Result result = reader.read_line();
    if (result == LineReader::Result::kEnd) break;
    if (result == LineReader::Result::kError) {
      print(stdio_[2], "sh: read: %s\n", strerror(errno));
      status_ = 1;
      // An interactive shell outlives a console or VFS that is restarted
      // (the read fails meanwhile): it asks again, for a few seconds.
      if (!interactive_ || ++read_errors > kReadRetries) break;
      usleep(kReadRetryUs);
      reader.clear_error();
      continue;
    }
    read_errors = 0;
    if (result == LineReader::Result::kTooLong) {
      print(stdio_[2], "sh: line too long (the limit is %zu bytes)\n", kMaxLineLength);
      status_ = kStatusSyntaxError;
      if (!interactive_) break;
      continue;
    }
    const char* line = reader.line();
    size_t length = reader.length();
    arena_.reset();
    if (interactive_) {
      char* expanded;
      size_t expanded_length;
      if (!expand_history(line, length, &expanded, &expanded_length)) {
        status_ = 1;
        continue;
      }
      if (expanded != line) {
        write_all(stdio_[1], expanded, expanded_length);
        write_all(stdio_[1], "\n", 1);
      }
      line = expanded;
      length = expanded_length;
      size_t blank = 0;
      while (blank < length && (line[blank] == ' ' || line[blank] == '\t')) blank++;
      if (blank < length) add_history(line, length);
    }
    run_parsed(line, length);
    arena_.reset();
  }
  return status_;
}

}  // namespace sh

// ls [-l] [-a] [PATH...]: lists directories (sorted by name) and files.
//   -l  one line each: mode string, link count, size in bytes, name (and
//       "-> target" for a symbolic link, which is shown, not followed)
//   -a  also the names that start with '.'
// A missing PATH is reported ("ls: PATH: No such file or directory") and
// makes the status 1; the other paths are still listed.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>

#include "util.h"

namespace {

bool long_format = false;
bool all = false;

// "drwxr-xr-x" for st_mode.
void mode_string(mode_t mode, char out[11]) {
  char type = '-';
  if (S_ISDIR(mode)) type = 'd';
  if (S_ISLNK(mode)) type = 'l';
  if (S_ISCHR(mode)) type = 'c';
  if (S_ISBLK(mode)) type = 'b';
  if (S_ISFIFO(mode)) type = 'p';
  if (S_ISSOCK(mode)) type = 's';
  out[0] = type;
  const char* letters = "rwxrwxrwx";
  for (int i = 0; i < 9; i++) out[1 + i] = (mode & (0400u >> i)) != 0 ? letters[i] : '-';
  out[10] = 0;
}

// `path` is where the entry is (for a symbolic link's target).
void print_entry(const char* name, const char* path, const struct stat& st) {
  if (!long_format) {
    printf("%s\n", name);
    return;
  }
  char mode[11];
  mode_string(st.st_mode, mode);
  printf("%s %3u %8lld %s", mode, static_cast<unsigned>(st.st_nlink),
         static_cast<long long>(st.st_size), name);
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n >= 0) {
      target[n] = 0;
      printf(" -> %s", target);
    }
  }
  printf("\n");
}

// -l shows a symbolic link itself; without it, what the link leads to.
int status_of(const char* path, struct stat* st) {
  return long_format ? lstat(path, st) : stat(path, st);
}

int compare_names(const void* a, const void* b) {
  return strcmp(*static_cast<char* const*>(a), *static_cast<char* const*>(b));
}

// Lists directory `path`; false after reporting an error.
bool list_directory(const char* path) {
  DIR* dir = opendir(path);
  if (dir == nullptr) {
    coreutils::report("ls", path, errno);
    return false;
  }
  char** names = nullptr;
  size_t count = 0;
  size_t capacity = 0;
  bool ok = true;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.' && !all) continue;
    if (count == capacity) {
      capacity = capacity == 0 ? 64 : capacity * 2;
      void* grown = realloc(names, capacity * sizeof(char*));
      if (grown == nullptr) {
        ok = false;
        break;
      }
      names = static_cast<char**>(grown);
    }
    names[count] = strdup(entry->d_name);
    if (names[count] == nullptr) {
      ok = false;
      break;
    }
    count++;
  }
  closedir(dir);
  if (!ok) coreutils::report("ls", path, ENOMEM);
  if (count > 0) qsort(names, count, sizeof(char*), compare_names);
  size_t path_length = strlen(path);
  for (size_t i = 0; i < count; i++) {
    if (long_format) {
      size_t length = path_length + strlen(names[i]) + 2;
      char* full = static_cast<char*>(malloc(length));
      struct stat st;
      if (full != nullptr) snprintf(full, length, "%s/%s", path, names[i]);
      if (full == nullptr || lstat(full, &st) != 0) {
        coreutils::report("ls", full != nullptr ? full : names[i], full ? errno : ENOMEM);
        ok = false;
      } else {
        print_entry(names[i], full, st);
      }
      free(full);
    } else {
      printf("%s\n", names[i]);
    }
    free(names[i]);
  }
  free(names);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  for (; first < argc && argv[first][0] == '-' && argv[first][1] != 0; first++) {
    if (strcmp(argv[first], "--") == 0) {
      first++;
      break;
    }
    for (const char* o = argv[first] + 1; *o != 0; o++) {
      if (*o == 'l') {
        long_format = true;
      } else if (*o == 'a') {
        all = true;
      } else {
        fprintf(stderr, "ls: invalid option -- '%c'\n", *o);
        return 2;
      }
    }
  }
  static const char* const kDot[] = {"."};
  const char* const* paths = first < argc ? argv + first : kDot;
  int count = first < argc ? argc - first : 1;

  int status = 0;
  // Files first, in the order given; then each directory.
  bool printed = false;
  for (int i = 0; i < count; i++) {
    struct stat st;
    if (status_of(paths[i], &st) != 0) {
      coreutils::report("ls", paths[i], errno);
      status = 1;
    } else if (S_ISDIR(st.st_mode)) {
      // listed below
    } else {
      print_entry(paths[i], paths[i], st);
      printed = true;
    }
  }
  for (int i = 0; i < count; i++) {
    struct stat st;
    if (status_of(paths[i], &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (count > 1) {
      printf("%s%s:\n", printed ? "\n" : "", paths[i]);
      printed = true;
    }
    if (!list_directory(paths[i])) status = 1;
  }
  return status;
}

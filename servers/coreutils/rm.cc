// rm [-r] [-f] PATH...: removes files; -r (or -R) directories with what
// they hold; -f ignores missing paths and never fails for them.
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

namespace {

bool recursive = false;
bool force = false;

bool remove_path(const char* path);

// Removes what directory `path` holds, then the directory.
bool remove_tree(const char* path) {
  DIR* dir = opendir(path);
  if (dir == nullptr) {
    coreutils::report("rm", path, errno);
    return false;
  }
  bool ok = true;
  size_t path_length = strlen(path);
  while (struct dirent* entry = readdir(dir)) {
    const char* name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
    size_t length = path_length + strlen(name) + 2;
    char* child = static_cast<char*>(malloc(length));
    if (child == nullptr) {
      coreutils::report("rm", path, ENOMEM);
      ok = false;
      break;
    }
    snprintf(child, length, "%s/%s", path, name);
    // Only real directories are descended into: a symbolic link is unlinked.
    if (entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN) {
      if (!remove_path(child)) ok = false;
    } else if (unlink(child) != 0) {
      coreutils::report("rm", child, errno);
      ok = false;
    }
    free(child);
  }
  closedir(dir);
  if (ok && rmdir(path) != 0) {
    coreutils::report("rm", path, errno);
    ok = false;
  }
  return ok;
}

bool remove_path(const char* path) {
  // lstat: a symbolic link (dangling, or to a directory) is removed itself.
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT && force) return true;
    coreutils::report("rm", path, errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!recursive) {
      coreutils::report("rm", path, EISDIR);
      return false;
    }
    return remove_tree(path);
  }
  if (unlink(path) != 0) {
    if (errno == ENOENT && force) return true;
    coreutils::report("rm", path, errno);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool* const flags[] = {&recursive, &recursive, &force};
  int i = coreutils::parse_flags("rm", argc, argv, "rRf", flags);
  if (i < 0) return 2;
  if (i >= argc) {
    if (force) return 0;
    fprintf(stderr, "rm: missing operand\n");
    return 1;
  }
  int status = 0;
  for (; i < argc; i++) {
    if (!remove_path(argv[i])) status = 1;
  }
  return status;
}

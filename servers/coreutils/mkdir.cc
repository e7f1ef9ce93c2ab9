// mkdir [-p] DIR...: creates directories; -p also creates the missing
// parents and accepts directories that exist.
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "util.h"

namespace {

bool is_directory(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

// mkdir -p: each prefix of `path` that ends before a '/', then the whole.
bool make_parents(const char* path) {
  char* copy = strdup(path);
  if (copy == nullptr) {
    coreutils::report("mkdir", path, ENOMEM);
    return false;
  }
  bool ok = true;
  for (char* p = copy + 1;; p++) {
    bool end = *p == 0;
    if (!end && *p != '/') continue;
    *p = 0;
    if (mkdir(copy, 0777) != 0 && !(errno == EEXIST && is_directory(copy))) {
      // A parent that is a file: the path, not the parent, is the problem.
      int error = errno == EEXIST && !end ? ENOTDIR : errno;
      coreutils::report("mkdir", end ? copy : path, error);
      ok = false;
      break;
    }
    if (end) break;
    *p = '/';
    while (p[1] == '/') p++;
    if (p[1] == 0) break;  // a trailing slash
  }
  free(copy);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  bool parents = false;
  int first = 1;
  if (argc > 1 && strcmp(argv[1], "-p") == 0) {
    parents = true;
    first = 2;
  }
  if (first >= argc) {
    fprintf(stderr, "mkdir: missing operand\n");
    return 1;
  }
  int status = 0;
  for (int i = first; i < argc; i++) {
    if (parents) {
      if (!make_parents(argv[i])) status = 1;
    } else if (mkdir(argv[i], 0777) != 0) {
      coreutils::report("mkdir", argv[i], errno);
      status = 1;
    }
  }
  return status;
}

// ln [-s] [-f] TARGET LINK_NAME, ln [-s] [-f] TARGET... DIRECTORY: makes
// hard links (or with -s symbolic links, whose TARGET is stored as given)
// named LINK_NAME, or DIRECTORY/basename(TARGET). -f removes an existing
// LINK_NAME first.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

namespace {

bool symbolic = false;
bool force = false;

// One link `name` for `target`; false after reporting an error.
bool make_link(const char* target, const char* name) {
  if (force) {
    struct stat st;
    if (lstat(name, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(name) != 0) {
      coreutils::report("ln", name, errno);
      return false;
    }
  }
  int r = symbolic ? symlink(target, name) : link(target, name);
  if (r != 0) {
    // A missing TARGET of a hard link is the TARGET's fault.
    int error = errno;
    struct stat st;
    bool target_missing = !symbolic && lstat(target, &st) != 0;
    coreutils::report("ln", target_missing ? target : name, error);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool* const flags[] = {&symbolic, &force};
  int i = coreutils::parse_flags("ln", argc, argv, "sf", flags);
  if (i < 0) return 2;
  int count = argc - i;
  if (count < 2) {
    fprintf(stderr, "usage: ln [-s] [-f] TARGET LINK_NAME | TARGET... DIRECTORY\n");
    return 2;
  }
  const char* last = argv[argc - 1];
  struct stat st;
  bool into_directory = stat(last, &st) == 0 && S_ISDIR(st.st_mode);
  if (count > 2 && !into_directory) {
    coreutils::report("ln", last, ENOTDIR);
    return 1;
  }
  if (!into_directory) return make_link(argv[i], last) ? 0 : 1;
  int status = 0;
  for (; i < argc - 1; i++) {
    const char* base = coreutils::base_name(argv[i]);
    size_t length = strlen(last) + strlen(base) + 2;
    char* name = static_cast<char*>(malloc(length));
    if (name == nullptr) {
      coreutils::report("ln", argv[i], ENOMEM);
      return 1;
    }
    snprintf(name, length, "%s/%s", last, base);
    if (!make_link(argv[i], name)) status = 1;
    free(name);
  }
  return status;
}

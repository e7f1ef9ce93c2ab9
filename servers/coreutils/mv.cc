// mv SOURCE DEST, mv SOURCE... DIR: renames files and directories (within
// one file system: there is no copying fallback).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "util.h"

namespace {

bool is_directory(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool move(const char* source, const char* dest) {
  struct stat st;
  if (stat(source, &st) != 0) {
    coreutils::report("mv", source, errno);
    return false;
  }
  if (rename(source, dest) != 0) {
    int error = errno;
    fprintf(stderr, "mv: %s -> %s: %s\n", source, dest, strerror(error));
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "mv: usage: mv SOURCE DEST | mv SOURCE... DIR\n");
    return 1;
  }
  const char* target = argv[argc - 1];
  bool into_directory = is_directory(target);
  if (argc > 3 && !into_directory) {
    coreutils::report("mv", target, ENOTDIR);
    return 1;
  }
  int status = 0;
  for (int i = 1; i < argc - 1; i++) {
    if (!into_directory) {
      if (!move(argv[i], target)) status = 1;
      continue;
    }
    const char* name = coreutils::base_name(argv[i]);
    size_t length = strlen(target) + strlen(name) + 2;
    char* dest = static_cast<char*>(malloc(length));
    if (dest == nullptr) {
      coreutils::report("mv", target, ENOMEM);
      return 1;
    }
    snprintf(dest, length, "%s/%s", target, name);
    if (!move(argv[i], dest)) status = 1;
    free(dest);
  }
  return status;
}

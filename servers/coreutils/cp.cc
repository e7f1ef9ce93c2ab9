// cp SOURCE DEST, cp SOURCE... DIR: copies files (not directories); the
// copy gets the source's permission bits.
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

namespace {

char buffer[16 * 1024];

bool is_directory(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool copy_file(const char* source, const char* dest) {
  int in = open(source, O_RDONLY);
  if (in < 0) {
    coreutils::report("cp", source, errno);
    return false;
  }
  struct stat st;
  if (fstat(in, &st) != 0) {
    coreutils::report("cp", source, errno);
    close(in);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    coreutils::report("cp", source, EISDIR);
    close(in);
    return false;
  }
  struct stat dest_st;
  if (stat(dest, &dest_st) == 0 && dest_st.st_dev == st.st_dev && dest_st.st_ino == st.st_ino) {
    fprintf(stderr, "cp: %s: %s are the same file\n", source, dest);
    close(in);
    return false;
  }
  int out = open(dest, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 0777);
  if (out < 0) {
    coreutils::report("cp", dest, errno);
    close(in);
    return false;
  }
  bool ok = true;
  for (;;) {
    ssize_t n = read(in, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      coreutils::report("cp", source, errno);
      ok = false;
      break;
    }
    if (!coreutils::write_all(out, buffer, static_cast<size_t>(n))) {
      coreutils::report("cp", dest, errno);
      ok = false;
      break;
    }
  }
  close(in);
  if (close(out) != 0 && ok) {
    coreutils::report("cp", dest, errno);
    ok = false;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "cp: usage: cp SOURCE DEST | cp SOURCE... DIR\n");
    return 1;
  }
  const char* target = argv[argc - 1];
  bool into_directory = is_directory(target);
  if (argc > 3 && !into_directory) {
    coreutils::report("cp", target, ENOTDIR);
    return 1;
  }
  int status = 0;
  for (int i = 1; i < argc - 1; i++) {
    if (!into_directory) {
      if (!copy_file(argv[i], target)) status = 1;
      continue;
    }
    const char* name = coreutils::base_name(argv[i]);
    size_t length = strlen(target) + strlen(name) + 2;
    char* dest = static_cast<char*>(malloc(length));
    if (dest == nullptr) {
      coreutils::report("cp", target, ENOMEM);
      return 1;
    }
    snprintf(dest, length, "%s/%s", target, name);
    if (!copy_file(argv[i], dest)) status = 1;
    free(dest);
  }
  return status;
}

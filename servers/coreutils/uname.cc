// uname [-asnrvm]: prints system information. mica has no uname() yet, so
// the answers are compile-time macros; the build (BUILD.gn) or the product
// config may define MICA_UNAME_* to override them.
#include <stdio.h>

#ifndef MICA_UNAME_SYSNAME
#define MICA_UNAME_SYSNAME "mica"
#endif
#ifndef MICA_UNAME_NODENAME
#define MICA_UNAME_NODENAME "mica"
#endif
#ifndef MICA_UNAME_RELEASE
#define MICA_UNAME_RELEASE "0.1"
#endif
#ifndef MICA_UNAME_VERSION
#define MICA_UNAME_VERSION "mica"
#endif
#ifndef MICA_UNAME_MACHINE
#if defined(__x86_64__)
#define MICA_UNAME_MACHINE "x86_64"
#elif defined(__aarch64__)
#define MICA_UNAME_MACHINE "aarch64"
#elif defined(__i386__)
#define MICA_UNAME_MACHINE "i586"
#else
#define MICA_UNAME_MACHINE "unknown"
#endif
#endif

namespace {

enum Field { kSysname = 1, kNodename = 2, kRelease = 4, kVersion = 8, kMachine = 16 };

const struct {
  char option;
  int field;
  const char* value;
} kFields[] = {
    {'s', kSysname, MICA_UNAME_SYSNAME}, {'n', kNodename, MICA_UNAME_NODENAME},
    {'r', kRelease, MICA_UNAME_RELEASE}, {'v', kVersion, MICA_UNAME_VERSION},
    {'m', kMachine, MICA_UNAME_MACHINE},
};

}  // namespace

int main(int argc, char** argv) {
  int fields = 0;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] != '-' || argv[i][1] == 0) {
      fprintf(stderr, "uname: extra operand '%s'\n", argv[i]);
      return 1;
    }
    for (const char* o = argv[i] + 1; *o != 0; o++) {
      if (*o == 'a') {
        fields = kSysname | kNodename | kRelease | kVersion | kMachine;
        continue;
      }
      bool known = false;
      for (const auto& f : kFields) {
        if (f.option == *o) {
          fields |= f.field;
          known = true;
        }
      }
      if (!known) {
        fprintf(stderr, "uname: invalid option -- '%c'\n", *o);
        return 1;
      }
    }
  }
  if (fields == 0) fields = kSysname;
  bool first = true;
  for (const auto& f : kFields) {
    if ((fields & f.field) == 0) continue;
    printf("%s%s", first ? "" : " ", f.value);
    first = false;
  }
  printf("\n");
  return 0;
}

// The router: the first user process (init). The kernel starts it from the
// flat image at the front of the ramdisk with handles to itself, the root
// hardware resource and the ramdisk (a tar archive).
//
// What it does now (issue 5): maps the ramdisk, and for each
// `run=NAME[,ARG...]` on
// the kernel command line starts /bin/NAME from it with the ELF loader of
// the sysroot, handing it the ramdisk and the hardware resource, waits for
// it and reports how it ended. Its exit code is the last program's (so a
// test program's failure reaches the kernel, which powers off).
// TODO(issue 6): the service registry, routing the Unix-like calls, starting
// the product's servers and restarting them.
#include <stdio.h>
#include <string.h>

#include <mica/calls.h>
#include <mica/elf_loader.h>
#include <mica/ramdisk.h>
#include <mica/startup.h>

namespace {

struct Ramdisk {
  const void* base = nullptr;
  size_t size = 0;
};

// Maps the ramdisk memory object the kernel handed over.
bool map_ramdisk(Ramdisk& ramdisk) {
  mica_handle_t handle = mica_startup_handle(MICA_STARTUP_RAMDISK);
  if (handle == MICA_HANDLE_INVALID) return false;
  mica_handle_info info;
  if (mica_handle_info(handle, &info) != 0 || info.type != MICA_OBJECT_MEMORY) return false;
  uintptr_t address;
  int r =
      mica_memory_map(MICA_HANDLE_SELF, handle, 0x40000000, info.size, MICA_PROT_READ, 0, &address);
  if (r != 0) {
    printf("router: cannot map the ramdisk: %s\n", strerror(-r));
    return false;
  }
  ramdisk.base = reinterpret_cast<const void*>(address);
  ramdisk.size = info.size;
  return true;
}

// Runs "/bin/NAME ARG..." (spec: NAME,ARG,...) and waits for it; returns its
// exit code (or 128 + the fault).
int run(const Ramdisk& ramdisk, char* spec) {
  char* argv[8] = {};
  int argc = 0;
  for (char* p = spec; p != nullptr && argc < 7;) {
    argv[argc++] = p;
    p = strchr(p, ',');
    if (p != nullptr) *p++ = 0;
  }
  const char* name = argv[0];
  char path[96];
  snprintf(path, sizeof(path), "bin/%s", name);
  mica_ramdisk_entry entry;
  int found = mica_ramdisk_find(ramdisk.base, ramdisk.size, path, &entry);
  if (found != 0) {
    printf("router: /%s: %s\n", path, strerror(-found));
    return 127;
  }
  char* envp[] = {nullptr};
  mica_handle_t handles[2];
  uint32_t tags[2] = {MICA_STARTUP_RAMDISK, MICA_STARTUP_RESOURCE};
  if (mica_handle_duplicate(
          mica_startup_handle(MICA_STARTUP_RAMDISK),
          MICA_RIGHT_READ | MICA_RIGHT_MAP | MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER,
          &handles[0]) != 0 ||
      mica_handle_duplicate(mica_startup_handle(MICA_STARTUP_RESOURCE), MICA_RIGHTS_ALL,
                            &handles[1]) != 0) {
    printf("router: cannot duplicate the start-up handles\n");
    return 127;
  }
  mica_handle_t process;
  mica_elf_error elf_error;
  int r = mica_spawn(entry.data, entry.size, argv, envp, handles, tags, 2, &process, &elf_error);
  if (r != 0) {
    printf("router: cannot start /%s: %s (%s)\n", path, strerror(-r),
           mica_elf_error_name(elf_error));
    return 126;
  }
  mica_exit_info exit;
  r = mica_process_wait(process, &exit, 0);
  mica_handle_close(process);
  if (r != 0) {
    printf("router: waiting for %s: %s\n", name, strerror(-r));
    return 125;
  }
  if (exit.how == MICA_EXIT_FAULT) {
    printf("router: %s (pid %u) died: fault %d at ip %#llx, address %#llx\n", name,
           exit.pid & 0xffff, exit.code, (unsigned long long)exit.ip,
           (unsigned long long)exit.address);
    return 128 + exit.code;
  }
  printf("router: %s (pid %u) %s with code %d\n", name, exit.pid & 0xffff,
         exit.how == MICA_EXIT_KILLED ? "was killed" : "exited", exit.code);
  return exit.code;
}

}  // namespace

int main(int argc, char** argv) {
  Ramdisk ramdisk;
  if (!map_ramdisk(ramdisk)) {
    printf("router: no ramdisk\n");
    return 1;
  }
  printf("router: started (pid %u), ramdisk %zu KiB\n",
         static_cast<unsigned>(mica_get_id(MICA_HANDLE_SELF) & 0xffff), ramdisk.size / 1024);
  int code = 0;
  bool ran = false;
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "run=", 4) != 0) continue;
    code = run(ramdisk, argv[i] + 4);
    ran = true;
  }
  if (ran) return code;
  // Nothing to run: stay, as init does. TODO(issue 6): serve.
  printf("router: no servers to start yet\n");
  for (;;) mica_sleep(~0ull >> 2);
}

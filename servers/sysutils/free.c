// free: memory in use and free, in KiB (the kernel's frame counts).
#include <stdio.h>
#include <string.h>

#include <mica/calls.h>

int main(void) {
  struct mica_system_info info;
  int r = mica_system_info(&info);
  if (r < 0) {
    fprintf(stderr, "free: %s\n", strerror(-r));
    return 1;
  }
  unsigned long long total = info.total_bytes / 1024, free_kb = info.free_bytes / 1024;
  printf("%-8s %10s %10s %10s %10s\n", "", "total", "used", "free", "kernel");
  printf("%-8s %10llu %10llu %10llu %10llu\n", "Mem:", total, total - free_kb, free_kb,
         (unsigned long long)(info.kernel_bytes / 1024));
  return 0;
}

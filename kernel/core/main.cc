// kernel_main: the arch-free start of the kernel.
#include <arch/platform.h>
#include <core/build_id.h>
#include <core/cmdline.h>
#include <core/console.h>
#include <core/kbench.h>
#include <core/ktest.h>
#include <core/main.h>
#include <core/mm/memory.h>
#include <core/sched/scheduler.h>
#include <core/time.h>
#include <core/user/init.h>
#include <core/user/process.h>
#include <mica/config.h>

namespace {

void print_banner(const boot::BootInfo& info) {
  char id[41];
  build_id::format_hex(build_id::kernel_note(), 8, id, sizeof(id));
  kprintf("\nmica: product %s, arch %s, board %s, scheduler %s, build %s\n", mica::config::kProduct,
          mica::config::kArch, mica::config::kBoard, mica::config::kScheduler, id);
  kprintf("mica: boot loader \"%s\", command line \"%s\"%s\n",
          info.loader[0] != '\0' ? info.loader : "unknown", info.cmdline,
          info.cmdline_truncated ? " (truncated)" : "");
}

void print_memory_map(const boot::BootInfo& info) {
  kprintf("mica: memory map (%zu ranges)\n", info.memory_count);
  for (size_t i = 0; i < info.memory_count; ++i) {
    const boot::MemoryRange& range = info.memory[i];
    uint64_t end = range.base + range.size - 1;
    kprintf("  [0x%016llx-0x%016llx] %9llu KiB %s\n", static_cast<unsigned long long>(range.base),
            static_cast<unsigned long long>(end),
            static_cast<unsigned long long>(range.size / 1024), boot::memory_type_name(range.type));
  }
  kprintf("mica: usable memory %llu MiB\n",
          static_cast<unsigned long long>(info.usable_bytes() >> 20));
  for (size_t i = 0; i < info.module_count; ++i) {
    const boot::BootModule& module = info.modules[i];
    kprintf("mica: module \"%s\" at %#llx, %llu bytes\n", module.name,
            static_cast<unsigned long long>(module.base),
            static_cast<unsigned long long>(module.size));
  }
  if (info.framebuffer.address != 0) {
    kprintf("mica: framebuffer %ux%u, %u bpp at %#llx\n", info.framebuffer.width,
            info.framebuffer.height, info.framebuffer.bpp,
            static_cast<unsigned long long>(info.framebuffer.address));
  }
}

}  // namespace

void kernel_main(boot::BootInfo& info) {
  print_banner(info);
  print_memory_map(info);
  if (info.usable_bytes() == 0) panic("the boot loader reported no usable memory");
  mm::init(info);
  mm::print_usage();
  ktime::init();
  sched::init();
  arch::Platform::enable_interrupts();
  sched::start_secondary_cpus();

  // Self-tests: `ktest` runs them all, `ktest=a,b` those whose names start
  // with a or b.
  if (cmdline::has(info.cmdline, "ktest")) {
    char filter[128] = "";
    cmdline::get(info.cmdline, "ktest", filter, sizeof(filter));
    char stress[8];
    if (cmdline::get(info.cmdline, "ktest.stress", stress, sizeof(stress))) {
      unsigned seconds = 0;
      for (const char* c = stress; *c >= '0' && *c <= '9'; ++c) seconds = seconds * 10 + (*c - '0');
      ktest::set_stress_seconds(seconds);
    }
    ktest::run_all(filter);
  }
  // Microbenchmarks: `bench` runs them all, `bench=prefix` some.
  if (cmdline::has(info.cmdline, "bench")) {
    char filter[64] = "";
    cmdline::get(info.cmdline, "bench", filter, sizeof(filter));
    kbench::run_all(filter);
  }

  // Deliberate panic, for the boot test that checks the panic path end to end.
  if (cmdline::has(info.cmdline, "test.panic")) panic("test.panic on the command line");
  // A CPU exception in the kernel: the trap path decodes it and panics.
  if (cmdline::has(info.cmdline, "test.trap")) __builtin_trap();
  // A kernel page fault: address 0 is never mapped.
  if (cmdline::has(info.cmdline, "test.pagefault")) {
    volatile uint32_t* null_page = nullptr;
    asm volatile("" : "+r"(null_page));  // hide the null from the optimiser
    null_page[4] = 1;
  }

  // The first user process: init, the router, which says `mica: ready`
  // when the servers are up and the shell waits for input. The kernel's
  // part ends here; when init ends, so does the system.
  if (cmdline::has(info.cmdline, "noinit")) {
    kprintf("mica: ready\n");
  } else {
    auto init = user::start_init(info);
    if (!init.ok()) {
      kprintf("mica: no init: %s\n", mica::status_name(init.status()));
    } else {
      mica_exit_info exit = user::wait_for_exit(*init.value());
      user::release(*init.value());
      if (exit.how == MICA_EXIT_NORMAL) {
        kprintf("mica: init exited with code %d; powering off\n", exit.code);
        arch::Platform::stop(exit.code == 0 ? arch::StopReason::kPowerOff
                                            : arch::StopReason::kPanic);
      }
      panic("init ended: %s %d at ip %#llx, address %#llx",
            exit.how == MICA_EXIT_FAULT ? "fault" : "killed", exit.code,
            static_cast<unsigned long long>(exit.ip),
            static_cast<unsigned long long>(exit.address));
    }
  }
  // The boot thread's work is done; the CPUs' idle threads take over.
  sched::exit(0);
}

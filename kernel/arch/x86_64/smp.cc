// x86_64 multiprocessor start-up and inter-processor interrupts: per-CPU
// data through the GS base, INIT-SIPI-SIPI to every enabled processor in the
// ACPI MADT, and fixed IPIs through the local APIC's ICR.
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/pit.h>
#include <arch/x86_64/layout.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>
#include <core/console.h>
#include <core/mm/memory.h>
#include <lib/format.h>
#include <lib/string.h>
#include <mica/config.h>

extern "C" const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern "C" uint32_t ap_cr3, ap_efer;

// Read by x86_64_ap_start (ap_trampoline.S): the index the next AP takes
// (0: none) and the top of the boot stack that comes with it.
extern "C" constinit volatile uint32_t ap_claim = 0;
extern "C" constinit volatile uint64_t ap_stack_top = 0;

namespace arch {
namespace {

using x86_64::PerCpu;

constexpr unsigned kMaxCpus = mica::config::kMaxCpus;
constexpr uint8_t kIpiVectorBase = 0xf0;
constexpr unsigned kIpiKinds = 3;
constexpr uint32_t kMsrGsBase = 0xc0000101;
constexpr uint32_t kMsrEfer = 0xc0000080;
constexpr uint32_t kEferLongMode = 1u << 8;
constexpr uint32_t kEferNoExecute = 1u << 11;

// ICR command words (Intel SDM vol. 3A, 10.6.1).
constexpr uint32_t kIcrFixed = 0x0 << 8;
constexpr uint32_t kIcrInit = 0x5 << 8;
constexpr uint32_t kIcrStartup = 0x6 << 8;
constexpr uint32_t kIcrAssert = 1u << 14;

// Waits for an AP, per attempt.
constexpr uint32_t kCheckInTimeoutMs = 100;

constinit PerCpu g_per_cpu[kMaxCpus] = {};
constinit volatile unsigned g_cpu_count = 1;
constinit bool g_secondary_started = false;
constinit void (*g_ap_entry)(unsigned) = nullptr;
// The AP that reached x86_64_ap_main last (its index), and the go-ahead they
// all wait for.
constinit volatile uint32_t g_checked_in = 0;
constinit volatile bool g_release = false;

// The APs' boot stacks, each above a guard page that memory.cc leaves
// unmapped. Slot i - 1 belongs to CPU i.
struct alignas(4096) ApStack {
  uint8_t guard[4096];
  uint8_t stack[AP_BOOT_STACK_SIZE];
};
constinit ApStack g_ap_stacks[kMaxCpus > 1 ? kMaxCpus - 1 : 1] = {};

void write_msr(uint32_t msr, uint64_t value) {
  asm volatile("wrmsr"
               :
               : "c"(msr), "a"(static_cast<uint32_t>(value)),
                 "d"(static_cast<uint32_t>(value >> 32))
               : "memory");
}

uint64_t read_msr(uint32_t msr) {
  uint32_t low, high;
  asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
  return (uint64_t{high} << 32) | low;
}

void ipi_interrupt(x86_64::TrapFrame& frame) {
  // Acknowledge first: the hook may switch threads, and this CPU must keep
  // taking IPIs meanwhile.
  x86_64::lapic_end_of_interrupt();
  x86_64::this_cpu().ipis = x86_64::this_cpu().ipis + 1;
  auto kind = static_cast<Ipi>(frame.vector - kIpiVectorBase);
  if (auto hook = x86::cpu_hooks().ipi; hook != nullptr) {
    hook(kind);
  } else if (kind == Ipi::kStop) {
    x86::disable_interrupts();
    x86::halt_forever();
  }
}

// Waits up to `ms` milliseconds (PIT time) for `done`.
template <typename Done>
bool wait_ms(uint32_t ms, Done done) {
  for (uint32_t i = 0; i < ms; ++i) {
    if (done()) return true;
    x86::pit_wait_us(1000);
  }
  return done();
}

// INIT-SIPI-SIPI to `apic_id`, which is to become CPU `index`. True once it
// checked in; false (and it will never run) if it did not.
bool start_cpu(uint32_t apic_id, unsigned index) {
  ap_stack_top = reinterpret_cast<uint64_t>(g_ap_stacks[index - 1].stack + AP_BOOT_STACK_SIZE);
  __atomic_store_n(&ap_claim, index, __ATOMIC_RELEASE);
  auto checked_in = [&] { return __atomic_load_n(&g_checked_in, __ATOMIC_ACQUIRE) == index; };
  auto claimed = [&] { return __atomic_load_n(&ap_claim, __ATOMIC_ACQUIRE) != index; };

  uintptr_t flags = x86::save_and_disable_interrupts();
  x86_64::lapic_send(apic_id, kIcrInit | kIcrAssert);
  x86::restore_interrupts(flags);
  x86::pit_wait_us(10000);
  constexpr uint32_t kVector = AP_TRAMPOLINE_BASE >> 12;
  for (int attempt = 0; attempt < 2 && !claimed(); ++attempt) {
    flags = x86::save_and_disable_interrupts();
    x86_64::lapic_send(apic_id, kIcrStartup | kIcrAssert | kVector);
    x86::restore_interrupts(flags);
    x86::pit_wait_us(200);
  }
  if (wait_ms(kCheckInTimeoutMs, checked_in)) return true;
  // Take the claim back. If the AP took it first, it is running on the
  // stack: give it as long again.
  if (__atomic_exchange_n(&ap_claim, 0, __ATOMIC_ACQ_REL) != 0) return false;
  if (wait_ms(kCheckInTimeoutMs, checked_in)) return true;
  panic("the CPU with APIC id %u started but did not check in", apic_id);
}

}  // namespace

namespace x86_64 {

PerCpu& cpu(unsigned index) {
  return g_per_cpu[index];
}

void init_this_cpu(unsigned index) {
  static_assert(offsetof(PerCpu, self) == kPerCpuSelf);
  static_assert(offsetof(PerCpu, index) == kPerCpuIndex);
  PerCpu& self = g_per_cpu[index];
  self.self = &self;
  self.index = index;
  write_msr(kMsrGsBase, reinterpret_cast<uint64_t>(&self));
}

// The guard pages under the APs' boot stacks, for memory.cc to leave out.
size_t ap_stack_guards(uint64_t* out, size_t max) {
  size_t n = 0;
  for (unsigned i = 0; i + 1 < kMaxCpus && n < max; ++i) {
    out[n++] = reinterpret_cast<uint64_t>(g_ap_stacks[i].guard);
  }
  return n;
}

}  // namespace x86_64

unsigned Platform::cpu_count() {
  return g_cpu_count;
}

lib::Result<unsigned> Platform::start_secondary_cpus(void (*entry)(unsigned)) {
  if (entry == nullptr) return lib::Status::kInvalidArgs;
  if (g_secondary_started) return cpu_count();
  // The APs' timers run at the rate start_timer chose, through the MADT it
  // read.
  const x86::acpi::Madt* madt = x86_64::firmware_madt();
  if (madt == nullptr || !x86_64::lapic_ready()) return lib::Status::kNotSupported;
  g_secondary_started = true;
  for (unsigned i = 0; i < kIpiKinds; ++i) {
    x86_64::set_interrupt_handler(static_cast<uint8_t>(kIpiVectorBase + i), ipi_interrupt);
  }

  uint32_t boot_apic = x86_64::cpu(0).apic_id;
  uint32_t apic_ids[kMaxCpus] = {boot_apic};
  unsigned online = 1;
  bool wanted = false;
  for (size_t i = 0; i < madt->cpu_count; ++i) wanted |= madt->apic_ids[i] != boot_apic;

  if (wanted) {
    // The trampoline page: free low memory, identity-mapped in the kernel
    // root (the AP turns paging on while running there). The root must be
    // below 4 GiB: the AP loads CR3 in 32-bit mode.
    uint64_t root = kernel_root();
    size_t size = static_cast<size_t>(ap_trampoline_end - ap_trampoline_start);
    if (root >> 32 != 0 || size > mm::kPageSize) return lib::Status::kNotSupported;
    // Written through a kernel-area mapping: the direct map covers only what
    // the firmware reported as RAM, which need not include this page.
    auto* trampoline = static_cast<uint8_t*>(
        TRY(mm::map_physical(AP_TRAMPOLINE_BASE, mm::kPageSize, mm::Permissions::read_write())));
    memcpy(trampoline, ap_trampoline_start, size);
    auto slot = [&](const uint32_t& word) {
      return reinterpret_cast<uint32_t*>(
          trampoline + (reinterpret_cast<const uint8_t*>(&word) - ap_trampoline_start));
    };
    *slot(ap_cr3) = static_cast<uint32_t>(root);
    *slot(ap_efer) = static_cast<uint32_t>(read_msr(kMsrEfer)) & (kEferLongMode | kEferNoExecute);
    mm::PageTable<PageTableFormat> table(mm::table_frames(), root);
    TRY(table.map(AP_TRAMPOLINE_BASE, AP_TRAMPOLINE_BASE, mm::Permissions::read_execute()));

    g_ap_entry = entry;

    for (size_t i = 0; i < madt->cpu_count && online < kMaxCpus; ++i) {
      uint32_t apic_id = madt->apic_ids[i];
      if (apic_id == boot_apic) continue;
      if (start_cpu(apic_id, online)) {
        apic_ids[online++] = apic_id;
      } else {
        kprintf("mica: the CPU with APIC id %u did not start; going on without it\n", apic_id);
      }
    }
    if (madt->cpu_count > kMaxCpus) {
      kprintf("mica: %zu CPUs in the MADT; this kernel supports %u\n", madt->cpu_count, kMaxCpus);
    }

    // Every AP is past the trampoline: unmap it (its page tables go too) and
    // let them go; each reloads CR3 to forget the mapping.
    auto unmapped = table.unmap(AP_TRAMPOLINE_BASE, /*keep_tables=*/false);
    if (!unmapped.ok())
      panic("unmapping the AP trampoline: %s", mica::status_name(unmapped.status()));
    invalidate_tlb_page(AP_TRAMPOLINE_BASE);
    __atomic_store_n(&g_cpu_count, online, __ATOMIC_RELEASE);
    __atomic_store_n(&g_release, true, __ATOMIC_RELEASE);
  }

  char ids[kMaxCpus * 4 + 1] = "";
  size_t used = 0;
  for (unsigned i = 0; i < online; ++i) {
    used += lib::format(ids + used, sizeof(ids) - used, "%s%u", i ? " " : "", apic_ids[i]);
  }
  kprintf("mica: %u CPU%s online (APIC ids %s)\n", online, online == 1 ? "" : "s", ids);
  return lib::Result<unsigned>(online);
}

void Platform::send_ipi(unsigned cpu, Ipi kind) {
  if (cpu >= g_cpu_count) panic("send_ipi to CPU %u of %u", cpu, g_cpu_count);
  uintptr_t flags = x86::save_and_disable_interrupts();
  x86_64::lapic_send(x86_64::cpu(cpu).apic_id,
                     kIcrFixed | kIcrAssert | (kIpiVectorBase + static_cast<uint32_t>(kind)));
  x86::restore_interrupts(flags);
}

}  // namespace arch

// The AP's first C++, on its boot stack with interrupts masked (from
// x86_64_ap_start).
extern "C" [[noreturn]] void x86_64_ap_main(unsigned index) {
  using namespace arch;
  x86_64::init_cpu_descriptor_tables(index);
  x86_64::init_this_cpu(index);
  x86::fpu_cpu_init(x86_64::this_cpu().fpu);
  x86_64::this_cpu().apic_id = x86_64::lapic_init_this_cpu();
  __atomic_store_n(&g_checked_in, index, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&g_release, __ATOMIC_ACQUIRE)) asm volatile("pause");
  Platform::invalidate_tlb_all();  // the trampoline's mapping is gone
  g_ap_entry(index);
  panic("CPU %u: the entry function returned", index);
}

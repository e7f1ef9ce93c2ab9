// Lazy FPU switching (fpu.h). Every function runs with interrupts masked on
// the CPU whose FpuCpu it is given.
#include <arch/x86/fpu.h>
#include <lib/string.h>

namespace arch::x86 {
namespace {

constexpr uintptr_t kCr0MonitorCoprocessor = 1u << 1;
constexpr uintptr_t kCr0Emulation = 1u << 2;
constexpr uintptr_t kCr0TaskSwitched = 1u << 3;
constexpr uintptr_t kCr0NumericError = 1u << 5;
constexpr uintptr_t kCr4OsFxsr = 1u << 9;
constexpr uintptr_t kCr4OsXmmExcept = 1u << 10;
constexpr uint32_t kCpuidFxsr = 1u << 24;
constexpr uint32_t kCpuidSse = 1u << 25;

// Set once on the boot CPU; every CPU of a machine has the same features.
constinit bool g_has_fxsr = false;
constinit bool g_save_on_switch = false;

uintptr_t read_cr0() {
  uintptr_t value;
  asm volatile("mov %%cr0, %0" : "=r"(value));
  return value;
}
void write_cr0(uintptr_t value) {
  asm volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

// Leaf 1 EDX, or 0 on a CPU without CPUID leaf 1 (every Pentium has it).
uint32_t cpuid_features() {
  uint32_t eax = 0, ebx, ecx, edx;
  asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
  if (eax < 1) return 0;
  eax = 1;
  asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
  return edx;
}

void set_trapping(FpuCpu& cpu, bool trapping) {
  if (cpu.trapping == trapping) return;  // writing CR0 serialises: skip when unchanged
  if (trapping) {
    write_cr0(read_cr0() | kCr0TaskSwitched);
  } else {
    asm volatile("clts" ::: "memory");
  }
  cpu.trapping = trapping;
}

// Needs CR0.TS clear. FNSAVE also reinitialises the FPU, so afterwards the
// registers no longer hold `state`.
void save(FpuState& state) {
#if defined(__x86_64__)
  asm volatile("fxsave64 %0" : "=m"(state.image));
#else
  if (g_has_fxsr) {
    asm volatile("fxsave %0" : "=m"(state.image));
  } else {
    asm volatile("fnsave %0" : "=m"(state.image));
  }
#endif
}

void restore(const FpuState& state) {
#if defined(__x86_64__)
  asm volatile("fxrstor64 %0" : : "m"(state.image));
#else
  if (g_has_fxsr) {
    asm volatile("fxrstor %0" : : "m"(state.image));
  } else {
    asm volatile("frstor %0" : : "m"(state.image));
  }
#endif
}

// Saves the owner's registers if they are newer than its image (clearing
// CR0.TS to do so; the caller sets it as the next thread needs).
void save_owner(FpuCpu& cpu) {
  if (cpu.owner == nullptr || !cpu.dirty) return;
  set_trapping(cpu, false);
  save(*cpu.owner);
  cpu.dirty = false;
  if (!g_has_fxsr) {
    cpu.owner->loaded_on = FpuState::kNotLoaded;
    cpu.owner = nullptr;
  }
}

}  // namespace

void fpu_cpu_init(FpuCpu& cpu) {
  uint32_t features = cpuid_features();
  g_has_fxsr = (features & kCpuidFxsr) != 0;
  uintptr_t cr0 = read_cr0();
  cr0 = (cr0 | kCr0MonitorCoprocessor | kCr0NumericError) & ~(kCr0Emulation | kCr0TaskSwitched);
  write_cr0(cr0);
  if (g_has_fxsr) {
    uintptr_t cr4;
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= kCr4OsFxsr;
    if (features & kCpuidSse) cr4 |= kCr4OsXmmExcept;
    asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
  }
  asm volatile("fninit" ::: "memory");
  cpu = FpuCpu{};
  cpu.trapping = false;
  set_trapping(cpu, true);
}

bool fpu_has_fxsr() {
  return g_has_fxsr;
}

void fpu_init_state(FpuState& state) {
  memset(state.image, 0, sizeof(state.image));
  if (g_has_fxsr) {
    // FXSAVE layout: FCW at 0, FSW at 2, abridged tag word at 4 (0: all
    // empty), MXCSR at 24.
    state.image[0] = 0x7f;
    state.image[1] = 0x03;
    state.image[24] = 0x80;
    state.image[25] = 0x1f;
  } else {
    // FNSAVE (32-bit protected mode): FCW, FSW and the full tag word
    // (0xffff: all empty) in the low halves of the first three dwords.
    state.image[0] = 0x7f;
    state.image[1] = 0x03;
    state.image[8] = 0xff;
    state.image[9] = 0xff;
  }
  state.loaded_on = FpuState::kNotLoaded;
}

void fpu_switch_slow(FpuCpu& cpu, uint32_t cpu_index, FpuState* next) {
  if (g_save_on_switch && cpu.owner == cpu.current) save_owner(cpu);
  cpu.current = next;
  bool live = next != nullptr && cpu.owner == next && next->loaded_on == cpu_index;
  // The owner's registers may be changed again once TS is clear.
  if (live) cpu.dirty = true;
  set_trapping(cpu, !live);
}

bool fpu_device_not_available(FpuCpu& cpu, uint32_t cpu_index) {
  FpuState* current = cpu.current;
  if (current == nullptr) return false;
  ++cpu.traps;
  set_trapping(cpu, false);
  if (cpu.owner != current || current->loaded_on != cpu_index) {
    save_owner(cpu);
    restore(*current);
    cpu.owner = current;
    current->loaded_on = cpu_index;
  }
  cpu.dirty = true;
  return true;
}

void fpu_release(FpuCpu& cpu, FpuState& state) {
  if (cpu.owner == &state) {
    cpu.owner = nullptr;
    cpu.dirty = false;
  }
  if (cpu.current == &state) {
    cpu.current = nullptr;
    set_trapping(cpu, true);
  }
  state.loaded_on = FpuState::kNotLoaded;
}

void fpu_start_smp(FpuCpu& boot_cpu) {
  bool trapping = boot_cpu.trapping;
  save_owner(boot_cpu);
  set_trapping(boot_cpu, trapping);
  g_save_on_switch = true;
}

}  // namespace arch::x86

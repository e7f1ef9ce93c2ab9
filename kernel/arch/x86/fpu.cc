// Eager FPU switching (fpu.h). Every
// function runs with interrupts masked on the CPU whose FpuCpu it is given.
#include <arch/x86/fpu.h>
#include <lib/string.h>

namespace arch::x86 {
namespace {

constexpr uintptr_t kCr0MonitorCoprocessor = 1u << 1;
constexpr uintptr_t kCr0Emulation = 1u << 2;
constexpr uintptr_t kCr0TaskSwitched = 1u << 3;  // cleared: FPU instructions never trap
constexpr uintptr_t kCr0NumericError = 1u << 5;
constexpr uintptr_t kCr4OsFxsr = 1u << 9;
constexpr uintptr_t kCr4OsXmmExcept = 1u << 10;
constexpr uint32_t kCpuidFxsr = 1u << 24;
constexpr uint32_t kCpuidSse = 1u << 25;

// Set once on the boot CPU; every CPU of a machine has the same features.
constinit bool g_has_fxsr = false;

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

}  // namespace

#if !defined(__x86_64__)
void fpu_save(FpuState& state) {
  if (g_has_fxsr) {
    asm volatile("fxsave %0" : "=m"(state.image));
  } else {
    asm volatile("fnsave %0" : "=m"(state.image));
  }
}

void fpu_restore(const FpuState& state) {
  if (g_has_fxsr) {
    asm volatile("fxrstor %0" : : "m"(state.image));
  } else {
    asm volatile("frstor %0" : : "m"(state.image));
  }
}
#endif

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
}

void fpu_release(FpuCpu& cpu, FpuState& state) {
  if (cpu.current == &state) cpu.current = nullptr;
}

}  // namespace arch::x86

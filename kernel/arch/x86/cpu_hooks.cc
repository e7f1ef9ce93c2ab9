#include <arch/x86/cpu_hooks.h>

namespace arch::x86 {
namespace {

constinit CpuHooks g_hooks = {};

}  // namespace

void set_cpu_hooks(const CpuHooks& hooks) {
  g_hooks = hooks;
}

const CpuHooks& cpu_hooks() {
  return g_hooks;
}

}  // namespace arch::x86

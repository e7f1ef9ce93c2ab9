// Thread support shared by the x86 arches (x86_64, i586).
#pragma once

#include <arch/x86/fpu.h>

namespace arch::x86 {

// What a new context calls first: start(entry, argument); never returns.
// Platform::init_context uses core's sched_thread_start.
using ThreadStart = void (*)(void (*entry)(void*), void* argument);

// The calling CPU's FPU bookkeeping (defined by each arch; interrupts must be
// masked or the thread pinned).
FpuCpu& this_cpu_fpu();

}  // namespace arch::x86

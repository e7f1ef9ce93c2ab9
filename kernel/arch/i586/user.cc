// i586 user mode: the first entry to ring 3 and the per-thread user thread
// pointer (a GDT data segment loaded into GS, whose base follows the running
// thread).
#include <arch/platform.h>
#include <core/user/entry.h>

namespace arch {
namespace {

// The running thread's user thread pointer (what the TLS descriptor holds).
constinit uintptr_t g_user_thread_pointer = 0;

}  // namespace

void Platform::enter_user(uintptr_t ip, uintptr_t sp, uintptr_t arg0, uintptr_t arg1) {
  disable_interrupts();
  user::exit_to_user();
  i586_enter_user(ip, sp, arg0, arg1);
}

void Platform::set_user_thread_pointer(uintptr_t pointer) {
  uintptr_t flags = save_and_disable_interrupts();
  g_user_thread_pointer = pointer;
  i586::set_tls_base(pointer);
  restore_interrupts(flags);
}

void Platform::switch_user_thread_pointer(Context& from, Context& to) {
  from.user_thread_pointer = g_user_thread_pointer;
  if (to.user_thread_pointer != g_user_thread_pointer) {
    g_user_thread_pointer = to.user_thread_pointer;
    i586::set_tls_base(to.user_thread_pointer);
  }
}

}  // namespace arch

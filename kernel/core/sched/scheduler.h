// The scheduler: threads on every CPU, chosen by the product's policy.
//
// Each CPU has its own run queue (one object of the selected policy) under
// its own lock; threads are placed on the least-loaded CPU they may run on,
// woken onto the CPU they last ran on, and idle CPUs steal work from busy
// ones. A newly runnable thread that the policy says should preempt the
// running one does so at once: on this CPU at the next interrupt exit (at
// the latest), on another CPU through a reschedule IPI. Kernel threads are
// preemptible everywhere except while they hold a spinlock (interrupts are
// masked then) — those are the marked critical sections.
//
// Every operation here is O(1) in the number of threads, except work
// stealing (bounded by the victim's queue) and placement (O(CPUs)).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/platform.h>
#include <core/sched/thread.h>
#include <core/sync/spinlock.h>
#include <lib/intrusive_list.h>
#include <lib/result.h>

namespace sched {

// Turns the calling (boot) context into the thread "main" on CPU 0, creates
// CPU 0's idle thread and installs the scheduler's interrupt hooks. After
// ktime::init, before anything spawns.
void init();

// Starts the other CPUs (each becomes an idle thread that then runs work);
// returns how many are online in total.
unsigned start_secondary_cpus();
unsigned online_cpus();

// Creates a kernel thread running entry(argument). kInvalidArgs for a bad
// priority, weight or affinity (no online CPU in it); kNoSpace at the
// product's thread limit; kNoMemory when a stack or object cannot be had.
lib::Result<ThreadId> spawn(const char* name, void (*entry)(void*), void* argument,
                            const ThreadOptions& options = {});

// Gives up the CPU; the thread stays runnable.
void yield();
// Sleeps for at least `nanoseconds` (rounded up to whole ticks), or until
// the thread's process is killed (end_sleep).
void sleep_ns(uint64_t nanoseconds);
// Wakes `t` now if it is in sleep_ns or WaitQueue::wait_until (its process
// is being killed: it returns early, seeing kill_pending); nothing
// otherwise. `t` must stay
// alive meanwhile (its process's lock held).
void end_sleep(Thread* t);
// Ends the calling thread. A joinable thread stays (without its stack) until
// joined; a detached one is freed.
[[noreturn]] void exit(int code);
// Waits for thread `id` to exit and returns its exit code, freeing it.
// kNotFound for an id that names no thread (never did, or already joined);
// kInvalidArgs for a detached thread or one already being joined.
lib::Result<int> join(ThreadId id);

inline Thread* current() {
  return static_cast<Thread*>(arch::Platform::current_thread());
}
ThreadId current_id();
unsigned current_cpu();

// Live threads (not yet freed), including the idle ones.
uint32_t thread_count();
// Ticks thread `id` has spent running (0 if it names no thread).
uint64_t run_ticks(ThreadId id);
uint64_t context_switches(unsigned cpu);

// Flushes every CPU's TLB (this one's too) and waits until all have. Call
// with interrupts enabled.
void tlb_shootdown();

// A marked critical section without a spinlock: while one is open the
// calling thread keeps its CPU (interrupts still arrive; a reschedule they
// ask for happens when the last guard closes).
void preempt_disable();
void preempt_enable();
class PreemptGuard {
 public:
  PreemptGuard() { preempt_disable(); }
  ~PreemptGuard() { preempt_enable(); }
  PreemptGuard(const PreemptGuard&) = delete;
  PreemptGuard& operator=(const PreemptGuard&) = delete;
};

// The second half of a context switch (for sched_thread_start).
void finish_switch();

// Blocks the calling thread, which the caller has recorded somewhere a waker
// will find it (under `lock`): releases `lock`, runs other threads until
// unblock(), takes `lock` back. Interrupts masked (the caller's guard).
void block(SpinLock& lock) REQUIRES(lock);
// Makes a thread blocked by block() runnable. The caller has taken it off
// whatever list it was found on (under that list's lock). Interrupts masked.
void unblock(Thread* t);

// block(lock), but the CPU switches straight to `target` (blocked, taken
// off its list by the caller) without a run-queue pass: the IPC fast path,
// where a caller gives its CPU to the server it calls. Falls back to
// unblock + block when `target` may not run on this CPU or is still
// leaving another.
void handoff(Thread* target, SpinLock& lock) REQUIRES(lock);
// handoff(target, lock) where `target` is blocked in a system call, off
// every CPU and allowed on this one (the caller checked), and leaves for
// user mode from its system call's frame as if the call had returned it
// (Platform::kSyscallReturnContexts; elsewhere this is handoff).
void handoff_to_syscall_return(Thread* target, SpinLock& lock) REQUIRES(lock);

// Calls visit(thread) for the live thread `id`, under the thread-table lock
// (so it cannot be freed meanwhile; visit must be short and not block).
// False if `id` names no live thread.
bool with_thread_impl(ThreadId id, void (*visit)(Thread&, void*), void* context);
template <typename F>
bool with_thread(ThreadId id, F visit) {
  return with_thread_impl(
      id, [](Thread& t, void* f) { (*static_cast<F*>(f))(t); }, &visit);
}

// Threads waiting for something. The caller protects the condition and the
// queue with one spinlock, held (through a SpinLockGuard) around wait() and
// wake_*(): wait() releases it while sleeping and takes it back.
class WaitQueue {
 public:
  void wait(SpinLock& lock) REQUIRES(lock);
  // wait(lock), but for no longer than until the monotonic clock reads
  // `deadline_ns` (rounded up to whole ticks; no polling: the thread sleeps
  // on the queue and in the sleep wheel at once, and whichever wakes it
  // first takes it off both), and no longer than until its process is
  // killed (end_sleep). True if a wake_*() woke it; false if the deadline
  // passed or the process is being killed, or — rarely — if a wake raced
  // the deadline's tick (and went to another waiter). Like wait(), the
  // caller rechecks its condition and the clock.
  bool wait_until(SpinLock& lock, uint64_t deadline_ns) REQUIRES(lock);
  bool wake_one(SpinLock& lock) REQUIRES(lock);
  size_t wake_all(SpinLock& lock) REQUIRES(lock);
  // Wakes `t` if it waits here (a kill cancelling the wait); O(waiters).
  bool wake_thread(SpinLock& lock, Thread* t) REQUIRES(lock);
  bool empty() const { return waiters_.empty(); }

 private:
  lib::IntrusiveList<Thread, &Thread::wait_link> waiters_;
};

}  // namespace sched

// The first code a new thread runs (arch trampolines call it).
extern "C" [[noreturn]] void sched_thread_start(void (*entry)(void*), void* argument);

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
// Sleeps for at least `nanoseconds` (rounded up to whole ticks).
void sleep_ns(uint64_t nanoseconds);
// Ends the calling thread. A joinable thread stays (without its stack) until
// joined; a detached one is freed.
[[noreturn]] void exit(int code);
// Waits for thread `id` to exit and returns its exit code, freeing it.
// kNotFound for an id that names no thread (never did, or already joined);
// kInvalidArgs for a detached thread or one already being joined.
lib::Result<int> join(ThreadId id);

Thread* current();
ThreadId current_id();
unsigned current_cpu();

// Live threads (not yet freed), including the idle ones.
uint32_t thread_count();
// Ticks thread `id` has spent running (0 if it names no thread).
uint64_t run_ticks(ThreadId id);
uint64_t context_switches(unsigned cpu);

// Asks every other CPU to flush its TLB and waits until they have. Call with
// interrupts enabled.
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

// Threads waiting for something. The caller protects the condition and the
// queue with one spinlock, held (through a SpinLockGuard) around wait() and
// wake_*(): wait() releases it while sleeping and takes it back.
class WaitQueue {
 public:
  void wait(SpinLock& lock) REQUIRES(lock);
  bool wake_one(SpinLock& lock) REQUIRES(lock);
  size_t wake_all(SpinLock& lock) REQUIRES(lock);
  bool empty() const { return waiters_.empty(); }

 private:
  lib::IntrusiveList<Thread, &Thread::wait_link> waiters_;
};

}  // namespace sched

// The first code a new thread runs (arch trampolines call it).
extern "C" [[noreturn]] void sched_thread_start(void (*entry)(void*), void* argument);

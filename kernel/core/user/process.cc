#include <core/console.h>
#include <core/mm/memory.h>
#include <core/time.h>
#include <core/user/endpoint.h>
#include <core/user/process_object.h>
#include <lib/string.h>
#include <mica/config.h>

namespace user {
namespace {

using Platform = arch::Platform;
constexpr uint32_t kMaxProcesses = mica::config::kMaxProcesses;

// The process table: versioned ids (index + 1 in the low 16 bits, the slot's
// generation above), for listings and the product's process limit.
struct Slot {
  Process* process;
  uint16_t generation;
};
constinit SpinLock g_table_lock;
constinit Slot g_slots[kMaxProcesses] GUARDED_BY(g_table_lock) = {};
constinit uint16_t g_free[kMaxProcesses] GUARDED_BY(g_table_lock) = {};
constinit uint32_t g_free_count GUARDED_BY(g_table_lock) = 0;
constinit uint32_t g_count GUARDED_BY(g_table_lock) = 0;
constinit bool g_table_ready GUARDED_BY(g_table_lock) = false;

// O(1): a stack of free slots, filled on first use.
lib::Result<uint32_t> allocate_pid(Process* process) {
  SpinLockGuard guard(g_table_lock);
  if (!g_table_ready) {
    for (uint32_t i = 0; i < kMaxProcesses; ++i) {
      g_free[i] = static_cast<uint16_t>(kMaxProcesses - 1 - i);
    }
    g_free_count = kMaxProcesses;
    g_table_ready = true;
  }
  if (g_free_count == 0) return lib::Status::kNoSpace;
  uint32_t i = g_free[--g_free_count];
  g_slots[i].process = process;
  ++g_count;
  return (uint32_t{g_slots[i].generation} << 16) | (i + 1);
}

void free_pid(uint32_t pid) {
  SpinLockGuard guard(g_table_lock);
  uint32_t i = (pid & 0xffff) - 1;
  Slot& slot = g_slots[i];
  slot.process = nullptr;
  slot.generation = static_cast<uint16_t>((slot.generation + 1) & 0x7fff);
  g_free[g_free_count++] = static_cast<uint16_t>(i);
  --g_count;
}

// A process's I/O permission bitmap, in whole pages.
constexpr size_t kIoPortPages = (sizeof(Platform::IoPorts) + mm::kPageSize - 1) / mm::kPageSize;

// Where MICA_SYS_VM_ALLOCATE without MICA_VM_FIXED starts looking.
constexpr uintptr_t kMapBase = 0x10000000;

struct ThreadStart {
  Process* process;  // one reference, the thread's
  uintptr_t ip, sp, arg0, arg1;
};

void user_thread_main(void* argument) {
  ThreadStart start = *static_cast<ThreadStart*>(argument);
  (void)mm::heap().free(argument, sizeof(ThreadStart));
  Process* p = start.process;
  sched::Thread* t = sched::current();
  bool dying;
  {
    SpinLockGuard guard(p->lock);
    dying = p->dying;
    p->threads.push_back(t);
    t->process = p;
  }
  if (dying) exit_current_thread();
  {
    InterruptsMasked masked;
    {
      SpinLockGuard guard(p->vm_lock);
      t->address_space = p->space;
      t->io_ports = p->io_ports;
    }
    // The switch that brought this thread here saw no address space yet.
    t->address_space->activate();
    Platform::activate_io_ports(t->io_ports);
  }
  Platform::enter_user(start.ip, start.sp, start.arg0, start.arg1);
}

// Runs when the last thread has finished: the process is dead. Frees its
// memory and handles and tells its waiters.
void finish_process(Process* p) {
  p->handles().destroy(p->koid());
  mm::AddressSpace* space;
  MemoryMapping* mappings;
  {
    SpinLockGuard guard(p->vm_lock);
    space = p->space;
    p->space = nullptr;
    mappings = p->memory_mappings;
    p->memory_mappings = nullptr;
  }
  if (space != nullptr) {
    space->destroy();
    // No CPU runs the process any more, but one may still cache its
    // translations (AArch64 ASIDs): forget them before the ASID and frames
    // are reused.
    sched::tlb_shootdown();
    Platform::invalidate_tlb_all();
  }
  release_mappings(mappings);  // after the shootdown: the frames may go now
  {
    SpinLockGuard guard(p->lock);
    p->dead = true;
    p->exit_waiters.wake_all(p->lock);
  }
  SignalWait::notify();
  p->notify_watchers();
}

// Walks [address, address + size) of `p` page by page: visit(phys, offset in
// page, position in the buffer, length).
template <typename Visit>
lib::Result<void> walk_process_memory(Process& p, uintptr_t address, size_t size, Visit visit) {
  if (size == 0) return {};
  if (address + size < address) return lib::Status::kFault;
  size_t done = 0;
  while (done < size) {
    uintptr_t virt = address + done;
    size_t offset = virt % mm::kPageSize;
    size_t chunk = mm::kPageSize - offset;
    if (chunk > size - done) chunk = size - done;
    SpinLockGuard guard(p.vm_lock);
    if (p.space == nullptr) return lib::Status::kNoProcess;
    auto t = p.space->query(virt - offset);
    if (!t.ok()) return lib::Status::kFault;
    TRY(visit(t.value().phys, offset, done, chunk));
    done += chunk;
  }
  return {};
}

}  // namespace

constinit SpinLock SignalWait::lock;
constinit sched::WaitQueue SignalWait::queue;
constinit uint64_t SignalWait::generation = 0;

lib::Result<Process*> Process::create(const char* name) {
  Process* p = TRY(make_object<Process>());
  lib::strlcpy(p->name_, name, sizeof(p->name_));
  auto pid = allocate_pid(p);
  if (!pid.ok()) {
    free_object(p);
    return pid.status();
  }
  p->pid_ = pid.value();
  auto handles = p->handles_.init(mica::config::kMaxHandles);
  auto space =
      handles.ok() ? mm::AddressSpace::create() : lib::Result<mm::AddressSpace*>(handles.status());
  if (!space.ok()) {
    p->handles_.destroy();
    free_pid(p->pid_);
    free_object(p);
    return space.status();
  }
  {
    SpinLockGuard guard(p->vm_lock);
    p->space = space.value();
    p->map_cursor = kMapBase;
  }
  p->start_ns = ktime::now_ns();
  return p;
}

lib::Result<void> Process::watch(Endpoint* endpoint, uintptr_t tag) {
  TRY(endpoint->reserve());
  bool now = false;
  {
    SpinLockGuard guard(lock);
    int free_slot = -1;
    for (int i = 0; i < kMaxWatches; ++i) {
      if (watches_[i].endpoint == nullptr) {
        free_slot = i;
        break;
      }
    }
    if (free_slot < 0) {
      endpoint->unreserve();
      return lib::Status::kNoSpace;
    }
    endpoint->ref();
    watches_[free_slot] = {endpoint, tag};
    now = notified_;
    if (now) notified_ = false;  // send again, for this watcher
  }
  if (now) notify_watchers();
  return {};
}

void Process::notify_watchers() {
  Watch fire[kMaxWatches];
  mica_exit_info info;
  {
    SpinLockGuard guard(lock);
    if (notified_) return;
    notified_ = true;
    info = exit;
    for (int i = 0; i < kMaxWatches; ++i) {
      fire[i] = watches_[i];
      watches_[i] = {};
    }
  }
  for (const Watch& w : fire) {
    if (w.endpoint == nullptr) continue;
    Message m;
    m.label = MICA_LABEL_PROCESS_EXIT;
    m.words[0] = pid_;
    m.words[1] = info.how;
    m.words[2] = static_cast<uintptr_t>(static_cast<intptr_t>(info.code));
    m.words[3] = w.tag;
    m.sender = 0;
    w.endpoint->send_reserved(m);
    w.endpoint->unref();
  }
}

void Process::destroy() {
  // Only a process that never ran (or has finished) loses its last
  // reference: threads hold one each.
  notify_watchers();  // one that never ran has ended too
  handles_.destroy();
  mm::AddressSpace* s;
  MemoryMapping* mappings;
  {
    SpinLockGuard guard(vm_lock);
    s = space;
    space = nullptr;
    mappings = memory_mappings;
    memory_mappings = nullptr;
  }
  if (s != nullptr) s->destroy();
  // It never ran: no CPU holds its translations.
  release_mappings(mappings);
  if (io_ports != nullptr) mm::free_pages(io_ports, kIoPortPages);
  free_pid(pid_);
  free_object(this);
}

void Process::kill(const mica_exit_info& info) {
  {
    SpinLockGuard guard(lock);
    if (dying) return;
    dying = true;
    exit = info;
    exit.pid = pid_;
    for (sched::Thread* t = threads.front(); t != nullptr; t = threads.next_of(t)) {
      t->kill_pending = true;
      // A sleep (a program's sleep 100 killed by ^C) ends now, not when due.
      sched::end_sleep(t);
    }
  }
  // Wake the threads that wait. A waiting thread publishes the object it
  // waits on (blocked_on) under this process's lock and keeps a reference
  // to it meanwhile, so what we read here is alive.
  for (;;) {
    Object* object = nullptr;
    sched::Thread* waiter = nullptr;
    {
      SpinLockGuard guard(lock);
      SpinLockGuard blocked(blocked_lock);
      for (sched::Thread* t = threads.front(); t != nullptr; t = threads.next_of(t)) {
        if (t->blocked_on != nullptr && t->blocked_on != this) {
          object = t->blocked_on;
          waiter = t;
          object->ref();
          // Marked, so the next pass skips it even if it is still waiting.
          t->blocked_on = this;
          break;
        }
      }
    }
    if (object == nullptr) break;
    object->cancel_wait(waiter);
    object->unref();
  }
  // Threads waiting for a reply to a call that a server already took.
  {
    SpinLockGuard guard(lock);
    for (sched::Thread* t = threads.front(); t != nullptr; t = threads.next_of(t)) {
      cancel_reply_wait(t);
    }
  }
  // Threads in wait_many: they recheck (and see kill_pending) on any change.
  SignalWait::notify();
  // Threads running in user mode on other CPUs leave at their next kernel
  // entry: make it happen now.
  for (unsigned cpu = 0; cpu < Platform::cpu_count(); ++cpu) {
    if (cpu != Platform::current_cpu()) Platform::send_ipi(cpu, arch::Ipi::kReschedule);
  }
}

void Process::cancel_wait(sched::Thread* thread) {
  SpinLockGuard guard(lock);
  (void)exit_waiters.wake_thread(lock, thread);
}

uint32_t Process::signals() {
  SpinLockGuard guard(lock);
  return dead ? MICA_SIGNAL_TERMINATED : 0;
}

[[noreturn]] void exit_current_thread() {
  sched::Thread* t = sched::current();
  Process* p = t->process;
  // A call this thread took and never answered fails instead of hanging.
  if (t->ipc_caller != nullptr) {
    (void)reply_with_status(Message{}, -static_cast<int>(lib::Status::kConnectionReset));
  }
  bool last;
  {
    SpinLockGuard guard(p->lock);
    if (t->process_link.linked()) p->threads.remove(t);
    p->finished_ticks += t->run_ticks;
    last = --p->live_threads == 0;
    if (last && !p->dying) {
      p->dying = true;
      p->exit = {.pid = p->pid(), .how = MICA_EXIT_NORMAL};
    }
  }
  {
    InterruptsMasked masked;
    t->process = nullptr;
    t->address_space = nullptr;
    t->io_ports = nullptr;
    Platform::activate_kernel_address_space();
    Platform::activate_io_ports(nullptr);
  }
  if (last) finish_process(p);
  p->unref();
  sched::exit(0);
}

uint32_t process_count() {
  SpinLockGuard guard(g_table_lock);
  return g_count;
}

lib::Result<void> read_process_memory(Process& process, uintptr_t address, void* data,
                                      size_t size) {
  auto* out = static_cast<uint8_t*>(data);
  return walk_process_memory(process, address, size,
                             [&](uint64_t phys, size_t offset, size_t at, size_t length) {
                               return mm::copy_from_frame(phys, offset, out + at, length);
                             });
}

lib::Result<void> write_process_memory(Process& process, uintptr_t address, const void* data,
                                       size_t size) {
  auto* in = static_cast<const uint8_t*>(data);
  return walk_process_memory(process, address, size,
                             [&](uint64_t phys, size_t offset, size_t at, size_t length) {
                               return mm::copy_to_frame(phys, offset, in + at, length);
                             });
}

// ---- process.h ----

lib::Result<Process*> create_process(const char* name) {
  return Process::create(name);
}

void release(Process& process) {
  process.unref();
}

lib::Result<void> map_anonymous(Process& p, uintptr_t address, size_t size,
                                mm::Permissions permissions) {
  if (address % mm::kPageSize != 0 || size % mm::kPageSize != 0 || size == 0 ||
      address + size < address || address + size > Platform::kUserTop) {
    return lib::Status::kInvalidArgs;
  }
  permissions.user = true;
  SpinLockGuard guard(p.vm_lock);
  if (p.space == nullptr) return lib::Status::kNoProcess;
  for (uintptr_t page = address; page < address + size; page += mm::kPageSize) {
    if (p.space->query(page).ok()) {
      // Undo what this call mapped.
      for (uintptr_t done = address; done < page; done += mm::kPageSize) {
        (void)p.space->unmap(done);
      }
      return lib::Status::kAlreadyExists;
    }
    auto mapped = p.space->map_new_page(page, permissions);
    if (!mapped.ok()) {
      for (uintptr_t done = address; done < page; done += mm::kPageSize) {
        (void)p.space->unmap(done);
      }
      return mapped.status();
    }
  }
  return {};
}

lib::Result<void> write_memory(Process& process, uintptr_t address, const void* data, size_t size) {
  return write_process_memory(process, address, data, size);
}

lib::Result<void> start_thread(Process& p, uintptr_t ip, uintptr_t sp, uintptr_t arg0,
                               uintptr_t arg1) {
  if (ip >= Platform::kUserTop || sp > Platform::kUserTop) return lib::Status::kInvalidArgs;
  {
    SpinLockGuard guard(p.lock);
    if (p.dying) return lib::Status::kNoProcess;
    ++p.live_threads;
  }
  p.ref();
  auto memory = mm::heap().allocate(sizeof(ThreadStart));
  lib::Status failed = lib::Status::kNoMemory;
  if (memory.ok()) {
    auto* start = new (memory.value()) ThreadStart{&p, ip, sp, arg0, arg1};
    sched::ThreadOptions options;
    options.joinable = false;
    auto spawned = sched::spawn(p.name(), user_thread_main, start, options);
    if (spawned.ok()) return {};
    failed = spawned.status();
    (void)mm::heap().free(start, sizeof(ThreadStart));
  }
  {
    bool last;
    {
      SpinLockGuard guard(p.lock);
      last = --p.live_threads == 0 && p.dying;
    }
    if (last) finish_process(&p);
    p.unref();
    return failed;
  }
}

mica_exit_info wait_for_exit(Process& p) {
  SpinLockGuard guard(p.lock);
  while (!p.dead) p.exit_waiters.wait(p.lock);
  return p.exit;
}

lib::Result<void> allow_io_ports(Process& p, uint32_t base, uint32_t count) {
  if constexpr (!Platform::kHasIoPorts) {
    return lib::Status::kNotSupported;
  } else {
    if (p.io_ports == nullptr) {
      void* memory = TRY(mm::allocate_pages(kIoPortPages));
      auto* ports = new (memory) Platform::IoPorts();
      Platform::io_ports_init(*ports);
      SpinLockGuard guard(p.vm_lock);
      if (p.io_ports == nullptr) {
        p.io_ports = ports;
      } else {
        mm::free_pages(memory, kIoPortPages);
      }
    }
    TRY(Platform::io_ports_allow(*p.io_ports, base, count));
    // The process's running threads pick the new bitmap up at their next
    // switch; the calling thread (if it is one of them) now.
    sched::Thread* t = sched::current();
    if (t->process == &p) {
      InterruptsMasked masked;
      t->io_ports = p.io_ports;
      Platform::activate_io_ports(nullptr);  // forces a reload of the changed bitmap
      Platform::activate_io_ports(p.io_ports);
    } else {
      SpinLockGuard guard(p.lock);
      for (sched::Thread* u = p.threads.front(); u != nullptr; u = p.threads.next_of(u)) {
        u->io_ports = p.io_ports;
      }
    }
    return {};
  }
}

}  // namespace user

// The system calls: one function per call number, each checking every
// argument (handles through the caller's table with the rights the call
// needs, pointers through copy_from_user/copy_to_user) and returning a value
// or a status. The ABI is sysroot/include/mica/syscall.h.
#include <core/console.h>
#include <core/mm/memory.h>
#include <core/sched/scheduler.h>
#include <core/time.h>
#include <core/user/endpoint.h>
#include <core/user/hardware.h>
#include <core/user/init.h>
#include <core/user/memory_mapping.h>
#include <core/user/process_object.h>
#include <core/user/socket.h>
#include <core/user/syscalls.h>
#include <lib/string.h>

namespace user {
namespace {

using Platform = arch::Platform;
using lib::Status;
constexpr size_t kPage = mm::kPageSize;

using Handler = SyscallHandler;

Process& self() {
  return *current_process();
}

// The object behind `handle` in the caller's table, with a reference.
template <typename T>
lib::Result<Ref<T>> get(mica_handle_t handle, ObjectType type, uint32_t rights) {
  Object* o = TRY(self().handles().get(handle, static_cast<uint8_t>(type), rights));
  return Ref<T>(static_cast<T*>(o));
}

// A process argument: MICA_HANDLE_SELF or a process handle with `rights`.
lib::Result<Ref<Process>> get_process(mica_handle_t handle, uint32_t rights) {
  if (handle == MICA_HANDLE_SELF) {
    self().ref();
    return Ref<Process>(&self());
  }
  return get<Process>(handle, ObjectType::kProcess, rights);
}

lib::Result<void> copy_in(void* to, uintptr_t from, size_t size) {
  if (!Platform::copy_from_user(to, from, size)) return Status::kFault;
  return {};
}

lib::Result<void> copy_out(uintptr_t to, const void* from, size_t size) {
  if (!Platform::copy_to_user(to, from, size)) return Status::kFault;
  return {};
}

lib::Result<uint32_t> add_handle(Object* object, uint32_t rights) {
  auto handle = self().handles().add(object, rights);
  if (!handle.ok()) object->unref();
  return handle;
}

mm::Permissions permissions_of(uint32_t prot) {
  mm::Permissions p;
  p.write = (prot & MICA_PROT_WRITE) != 0;
  p.execute = (prot & MICA_PROT_EXEC) != 0;
  p.user = true;
  return p;
}

bool page_range_ok(uintptr_t address, size_t size) {
  return address % kPage == 0 && size % kPage == 0 && size != 0 && address + size > address &&
         address + size <= Platform::kUserTop;
}

// ---- Diagnostics, life, time ----

lib::Result<uintptr_t> sys_debug_write(SyscallArgs& a) {
  uintptr_t text = a.a[0];
  size_t length = a.a[1];
  if (length > 65536) return Status::kInvalidArgs;
  char chunk[256];
  for (size_t done = 0; done < length;) {
    size_t n = length - done < sizeof(chunk) ? length - done : sizeof(chunk);
    TRY(copy_in(chunk, text + done, n));
    console_write_all(chunk, n);
    done += n;
  }
  return length;
}

lib::Result<uintptr_t> sys_system_info(SyscallArgs& a) {
  mm::Usage u = mm::usage();
  mica_system_info info = {};
  info.total_bytes = u.total_frames * kPage;
  info.free_bytes = u.free_frames * kPage;
  info.kernel_bytes = (u.kernel_image_frames + u.page_table_frames + u.heap_frames) * kPage;
  info.uptime_ns = ktime::now_ns();
  info.cpus = sched::online_cpus();
  info.processes = process_count();
  info.threads = sched::thread_count();
  info.page_size = kPage;
  const boot::Framebuffer& fb = boot_framebuffer();
  if (fb.type == 1) {  // RGB (not indexed colour, not EGA text)
    info.framebuffer_address = fb.address;
    info.framebuffer_width = fb.width;
    info.framebuffer_height = fb.height;
    info.framebuffer_pitch = fb.pitch;
    info.framebuffer_bpp = fb.bpp;
  }
  TRY(copy_out(a.a[0], &info, sizeof(info)));
  return 0;
}

lib::Result<uintptr_t> sys_system_stop(SyscallArgs& a) {
  Ref<Resource> resource = TRY(
      get<Resource>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kResource, MICA_RIGHT_GRANT));
  if (!resource->ranges().covers_system()) return Status::kNotPermitted;
  if (a.a[1] != MICA_STOP_POWER_OFF && a.a[1] != MICA_STOP_REBOOT) return Status::kInvalidArgs;
  bool reboot = a.a[1] == MICA_STOP_REBOOT;
  kprintf("mica: %s requested by process %u\n", reboot ? "reboot" : "power-off", self().pid());
  Platform::stop(reboot ? arch::StopReason::kReboot : arch::StopReason::kPowerOff);
}

lib::Result<uintptr_t> sys_process_exit(SyscallArgs& a) {
  mica_exit_info info = {};
  info.how = MICA_EXIT_NORMAL;
  info.code = static_cast<int32_t>(a.a[0]);
  self().kill(info);
  exit_current_thread();
}

lib::Result<uintptr_t> sys_thread_exit(SyscallArgs&) {
  exit_current_thread();
}

lib::Result<uintptr_t> sys_yield(SyscallArgs&) {
  sched::yield();
  return 0;
}

lib::Result<uintptr_t> sys_clock_get(SyscallArgs& a) {
  uint64_t now = ktime::now_ns();
  TRY(copy_out(a.a[0], &now, sizeof(now)));
  return 0;
}

lib::Result<uintptr_t> sys_sleep(SyscallArgs& a) {
  uint64_t ns;
  TRY(copy_in(&ns, a.a[0], sizeof(ns)));
  sched::sleep_ns(ns);
  return 0;
}

lib::Result<uintptr_t> sys_get_id(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), 0));
  return p->pid();
}

// ---- Handles ----

lib::Result<uintptr_t> sys_handle_close(SyscallArgs& a) {
  TRY(self().handles().close(static_cast<mica_handle_t>(a.a[0])));
  return 0;
}

lib::Result<uintptr_t> sys_handle_duplicate(SyscallArgs& a) {
  uint32_t rights;
  Object* o = TRY(self().handles().get(static_cast<mica_handle_t>(a.a[0]), HandleTable::kAny,
                                       MICA_RIGHT_DUPLICATE, &rights));
  uint32_t wanted = static_cast<uint32_t>(a.a[1]);
  if ((wanted & ~rights) != 0) {
    o->unref();
    return Status::kNotPermitted;  // only fewer rights, never more
  }
  return TRY(add_handle(o, wanted));
}

lib::Result<uintptr_t> sys_handle_info(SyscallArgs& a) {
  uint32_t rights;
  Object* o =
      TRY(self().handles().get(static_cast<mica_handle_t>(a.a[0]), HandleTable::kAny, 0, &rights));
  mica_handle_info info = {static_cast<uint32_t>(o->type()), rights, o->koid(), 0};
  if (o->type() == ObjectType::kMemory) {
    info.size = static_cast<MemoryObject*>(o)->pages() * kPage;
  } else if (o->type() == ObjectType::kProcess) {
    info.size = static_cast<Process*>(o)->pid();
  }
  o->unref();
  TRY(copy_out(a.a[1], &info, sizeof(info)));
  return 0;
}

// Moves a handle (it needs the transfer right) into another process with
// at most `rights`: how a process hands its child the handles it starts
// with. On failure the handle stays the caller's.
lib::Result<uintptr_t> sys_handle_grant(SyscallArgs& a) {
  Ref<Process> target = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  uint32_t rights;
  Object* o = TRY(self().handles().take(static_cast<mica_handle_t>(a.a[1]), &rights));
  uint32_t granted = rights & static_cast<uint32_t>(a.a[2]);
  auto added = target->handles().add(o, granted, /*in_flight=*/true);
  if (added.ok()) return added.value();
  // Back into ours (a slot was just freed there).
  auto back = self().handles().add(o, rights, /*in_flight=*/true);
  if (!back.ok()) o->drop_in_flight();
  return added.status();
}

// ---- Processes and threads ----

lib::Result<uintptr_t> sys_process_create(SyscallArgs& a) {
  char name[32] = {};
  size_t length = a.a[1] < sizeof(name) - 1 ? a.a[1] : sizeof(name) - 1;
  TRY(copy_in(name, a.a[0], length));
  Process* p = TRY(Process::create(name));
  return TRY(add_handle(p, MICA_RIGHTS_ALL & ~MICA_RIGHT_GRANT));
}

lib::Result<uintptr_t> sys_thread_create(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  TRY(start_thread(*p, a.a[1], a.a[2], a.a[3], a.a[4]));
  return 0;
}

lib::Result<uintptr_t> sys_process_kill(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  mica_exit_info info = {};
  info.how = MICA_EXIT_KILLED;
  info.code = static_cast<int32_t>(a.a[1]);
  p->kill(info);
  if (p.get() == &self()) exit_current_thread();
  return 0;
}

lib::Result<uintptr_t> sys_process_wait(SyscallArgs& a) {
  mica_handle_t handle = static_cast<mica_handle_t>(a.a[0]);
  if (handle == MICA_HANDLE_SELF) return Status::kInvalidArgs;
  Ref<Process> p = TRY(get<Process>(handle, ObjectType::kProcess, MICA_RIGHT_READ));
  mica_exit_info info;
  {
    SpinLockGuard guard(p->lock);
    if (!p->dead && (a.a[2] & MICA_NONBLOCK) != 0) return Status::kWouldBlock;
    if (!wait_on(*p, p->exit_waiters, [&]() REQUIRES(p->lock) { return p->dead; })) {
      return Status::kNoProcess;
    }
    info = p->exit;
  }
  if (a.a[1] != 0) TRY(copy_out(a.a[1], &info, sizeof(info)));
  return 0;
}

lib::Result<uintptr_t> sys_process_watch(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_READ));
  Ref<Endpoint> e = TRY(
      get<Endpoint>(static_cast<mica_handle_t>(a.a[1]), ObjectType::kEndpoint, MICA_RIGHT_WRITE));
  TRY(p->watch(e.get(), a.a[2]));
  return 0;
}

lib::Result<uintptr_t> sys_process_info(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_READ));
  mica_process_info info = {};
  info.pid = p->pid();
  info.start_ns = p->start_ns;
  uint64_t ticks;
  {
    SpinLockGuard guard(p->lock);
    info.state = p->dead ? MICA_PROCESS_DEAD : p->dying ? MICA_PROCESS_DYING : MICA_PROCESS_LIVE;
    info.threads = p->live_threads;
    ticks = p->finished_ticks;
    // O(threads), bounded by the per-process thread limit, as kill is.
    for (sched::Thread* t = p->threads.front(); t != nullptr; t = p->threads.next_of(t)) {
      ticks += t->run_ticks;
      if (t->state == sched::ThreadState::kRunning || t->state == sched::ThreadState::kRunnable) {
        ++info.runnable;
      }
    }
  }
  info.cpu_ns = ticks * (1000000000u / ktime::kTickHz);
  {
    SpinLockGuard guard(p->vm_lock);
    if (p->space != nullptr) {
      info.private_bytes = p->space->owned_pages() * kPage;
      info.shared_bytes = p->space->borrowed_pages() * kPage;
    }
  }
  TRY(copy_out(a.a[1], &info, sizeof(info)));
  return 0;
}

lib::Result<uintptr_t> sys_thread_set_pointer(SyscallArgs& a) {
  Platform::set_user_thread_pointer(a.a[0]);
  return 0;
}

// ---- Memory ----

lib::Result<uintptr_t> sys_vm_allocate(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  uintptr_t address = a.a[1];
  size_t size = a.a[2];
  uint32_t prot = static_cast<uint32_t>(a.a[3]);
  uint32_t flags = static_cast<uint32_t>(a.a[4]);
  if (size == 0 || size % kPage != 0 || (prot & ~7u) != 0) return Status::kInvalidArgs;
  // Pages are mapped eagerly: more than the free frames can never succeed,
  // and searching the address space for such a range takes minutes.
  if (size / kPage > mm::frames().free_frames()) return Status::kNoMemory;
  if ((flags & MICA_VM_FIXED) == 0) {
    // Anywhere: the next free range from the cursor up.
    SpinLockGuard guard(p->vm_lock);
    if (p->space == nullptr) return Status::kNoProcess;
    uintptr_t candidate = p->map_cursor;
    size_t free_run = 0;
    while (free_run < size) {
      if (candidate + free_run + kPage > Platform::kUserTop) return Status::kNoMemory;
      if (p->space->query(candidate + free_run).ok()) {
        candidate += free_run + kPage;
        free_run = 0;
      } else {
        free_run += kPage;
      }
    }
    address = candidate;
    p->map_cursor = candidate + size + kPage;  // a guard gap between allocations
  }
  if (!page_range_ok(address, size)) return Status::kInvalidArgs;
  TRY(map_anonymous(*p, address, size, permissions_of(prot)));
  return address;
}

lib::Result<uintptr_t> sys_vm_free(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  uintptr_t address = a.a[1];
  size_t size = a.a[2];
  if (!page_range_ok(address, size)) return Status::kInvalidArgs;
  MemoryMapping* gone;
  {
    SpinLockGuard guard(p->vm_lock);
    if (p->space == nullptr) return Status::kNoProcess;
    for (uintptr_t page = address; page < address + size; page += kPage) {
      (void)p->space->unmap(page);
    }
    gone = detach_unmapped(&p->memory_mappings, *p->space, address, size);
  }
  // Other CPUs may cache the old translations (the process's other threads).
  sched::tlb_shootdown();
  // Only now may memory objects no longer mapped anywhere lose their frames.
  release_mappings(gone);
  return 0;
}

lib::Result<uintptr_t> sys_vm_protect(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  uintptr_t address = a.a[1];
  size_t size = a.a[2];
  uint32_t prot = static_cast<uint32_t>(a.a[3]);
  if (!page_range_ok(address, size) || (prot & ~7u) != 0) return Status::kInvalidArgs;
  // Present but inaccessible pages do not exist on x86: free them instead.
  if (prot == 0) return Status::kNotSupported;
  {
    SpinLockGuard guard(p->vm_lock);
    if (p->space == nullptr) return Status::kNoProcess;
    for (uintptr_t page = address; page < address + size; page += kPage) {
      if (!p->space->query(page).ok()) return Status::kNotFound;
    }
    for (uintptr_t page = address; page < address + size; page += kPage) {
      TRY(p->space->protect(page, permissions_of(prot)));
    }
  }
  sched::tlb_shootdown();
  return 0;
}

// Copies between the caller's memory and another process's through a small
// bounce buffer.
lib::Result<uintptr_t> sys_vm_write(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  uintptr_t to = a.a[1], from = a.a[2];
  size_t size = a.a[3];
  if (to + size < to || to + size > Platform::kUserTop) return Status::kInvalidArgs;
  uint8_t chunk[256];
  for (size_t done = 0; done < size;) {
    size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
    TRY(copy_in(chunk, from + done, n));
    TRY(write_process_memory(*p, to + done, chunk, n));
    done += n;
  }
  return 0;
}

lib::Result<uintptr_t> sys_vm_read(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  uintptr_t from = a.a[1], to = a.a[2];
  size_t size = a.a[3];
  if (from + size < from || from + size > Platform::kUserTop) return Status::kInvalidArgs;
  uint8_t chunk[256];
  for (size_t done = 0; done < size;) {
    size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
    TRY(read_process_memory(*p, from + done, chunk, n));
    TRY(copy_out(to + done, chunk, n));
    done += n;
  }
  return 0;
}

lib::Result<uintptr_t> sys_memory_create(SyscallArgs& a) {
  size_t size = a.a[0];
  if (size == 0 || size % kPage != 0) return Status::kInvalidArgs;
  MemoryObject* m = TRY(MemoryObject::create(size / kPage));
  return TRY(add_handle(m, MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_READ |
                               MICA_RIGHT_WRITE | MICA_RIGHT_MAP));
}

lib::Result<uintptr_t> map_memory_object(Process& p, MemoryObject& m, uintptr_t address,
                                         size_t size, uint32_t prot, MemoryMapping* record);

lib::Result<uintptr_t> sys_memory_map(SyscallArgs& a) {
  Ref<Process> p = TRY(get_process(static_cast<mica_handle_t>(a.a[0]), MICA_RIGHT_MANAGE));
  uint32_t prot = static_cast<uint32_t>(a.a[4]);
  uint32_t needed = MICA_RIGHT_MAP | ((prot & MICA_PROT_WRITE) ? MICA_RIGHT_WRITE : 0);
  Ref<MemoryObject> m =
      TRY(get<MemoryObject>(static_cast<mica_handle_t>(a.a[1]), ObjectType::kMemory, needed));
  uintptr_t address = a.a[2];
  size_t size = a.a[3];
  if (!page_range_ok(address, size) || size / kPage > m->pages() || (prot & ~7u) != 0) {
    return Status::kInvalidArgs;
  }
  // The mapping's reference to the object, made before the lock is taken.
  MemoryMapping* record = TRY(create_mapping(m.get(), address, size / kPage));
  auto mapped = map_memory_object(*p, *m, address, size, prot, record);
  if (!mapped.ok()) release_mappings(record);
  return mapped;
}

// Maps `m` at [address, address + size) of `p` and links `record` into its
// mappings. kAlreadyExists if part is mapped.
lib::Result<uintptr_t> map_memory_object(Process& p, MemoryObject& m, uintptr_t address,
                                         size_t size, uint32_t prot, MemoryMapping* record) {
  SpinLockGuard guard(p.vm_lock);
  if (p.space == nullptr) return Status::kNoProcess;
  for (uintptr_t page = address; page < address + size; page += kPage) {
    if (p.space->query(page).ok()) return Status::kAlreadyExists;
  }
  for (size_t i = 0; i < size / kPage; ++i) {
    auto mapped = p.space->map(address + i * kPage, m.frame(i), permissions_of(prot));
    if (!mapped.ok()) {
      for (size_t j = 0; j < i; ++j) (void)p.space->unmap(address + j * kPage);
      return mapped.status();
    }
  }
  record->next = p.memory_mappings;
  p.memory_mappings = record;
  return address;
}

// (mica_handle_t resource (GRANT), size_t size, uint64_t* physical_out) ->
// a memory object of physically contiguous zeroed frames for a device to
// reach, its first frame's address in *physical_out.
lib::Result<uintptr_t> sys_dma_create(SyscallArgs& a) {
  TRY(get<Resource>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kResource, MICA_RIGHT_GRANT));
  size_t size = a.a[1];
  if (size == 0 || size % kPage != 0 || size / kPage > MemoryObject::kMaxDmaPages) {
    return Status::kInvalidArgs;
  }
  MemoryObject* m = TRY(MemoryObject::create_contiguous(size / kPage));
  uint64_t physical = m->physical();
  if (!copy_out(a.a[2], &physical, sizeof(physical)).ok()) {
    m->unref();
    return Status::kFault;
  }
  return TRY(add_handle(m, MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_READ |
                               MICA_RIGHT_WRITE | MICA_RIGHT_MAP));
}

// ---- IPC ----

// Fills the calling thread's outgoing message from a user mica_message.
lib::Result<void> load_message(uintptr_t user_message, Message& out) {
  mica_message m;
  TRY(copy_in(&m, user_message, sizeof(m)));
  out = Message{};
  out.label = m.label;
  for (int i = 0; i < 4; ++i) out.words[i] = m.words[i];
  if (m.data_size > Endpoint::kMaxPayload) return Status::kInvalidArgs;
  out.data = reinterpret_cast<uintptr_t>(m.data);
  out.data_size = m.data_size;
  out.buffer = reinterpret_cast<uintptr_t>(m.buffer);
  out.buffer_size = m.buffer_size;
  out.sender = self().pid();
  if (m.handle != MICA_HANDLE_INVALID) {
    out.handle_object = TRY(self().handles().take(m.handle, &out.handle_rights));
  }
  return {};
}

// Hands a received message to user space: its handle into the caller's
// table, its payload (read from `from`) into the receiver's buffer.
lib::Result<void> deliver_message(uintptr_t user_message, Message& in, Process* from,
                                  uintptr_t buffer, size_t buffer_size) {
  mica_message m = {};
  m.label = in.label;
  for (int i = 0; i < 4; ++i) m.words[i] = in.words[i];
  m.sender = in.sender;
  m.handle = MICA_HANDLE_INVALID;
  if (in.handle_object != nullptr) {
    auto handle = self().handles().add(in.handle_object, in.handle_rights, /*in_flight=*/true);
    if (handle.ok()) {
      m.handle = handle.value();
    } else {
      in.handle_object->drop_in_flight();  // no room: the handle is lost, not leaked
    }
    in.handle_object = nullptr;
  }
  size_t copied = 0;
  if (in.data_size != 0 && from != nullptr && buffer != 0) {
    size_t n = in.data_size < buffer_size ? in.data_size : buffer_size;
    uint8_t chunk[256];
    while (copied < n) {
      size_t c = n - copied < sizeof(chunk) ? n - copied : sizeof(chunk);
      if (!read_process_memory(*from, in.data + copied, chunk, c).ok()) break;
      TRY(copy_out(buffer + copied, chunk, c));
      copied += c;
    }
  }
  m.data_size = copied;
  m.buffer = reinterpret_cast<void*>(buffer);
  m.buffer_size = buffer_size;
  if (user_message != 0) TRY(copy_out(user_message, &m, sizeof(m)));
  return {};
}

lib::Result<uintptr_t> sys_ipc_call(SyscallArgs& a) {
  Ref<Endpoint> e = TRY(
      get<Endpoint>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kEndpoint, MICA_RIGHT_WRITE));
  TRY(e->call(&a.a[1]));
  return take_register_reply(sched::current(), a.a);
}

lib::Result<uintptr_t> sys_ipc_call_message(SyscallArgs& a) {
  Ref<Endpoint> e = TRY(
      get<Endpoint>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kEndpoint, MICA_RIGHT_WRITE));
  sched::Thread* t = sched::current();
  TRY(load_message(a.a[1], t->ipc));
  uintptr_t buffer = t->ipc.buffer;
  size_t buffer_size = t->ipc.buffer_size;
  auto called = e->call();
  if (!called.ok()) return called.status();
  // The reply's payload was written into our buffer by the server's reply.
  Message reply_message = t->ipc;
  size_t copied = reply_message.data_size;
  reply_message.data_size = 0;
  TRY(deliver_message(a.a[1], reply_message, nullptr, buffer, buffer_size));
  mica_message m;
  TRY(copy_in(&m, a.a[1], sizeof(m)));
  m.data_size = copied;
  TRY(copy_out(a.a[1], &m, sizeof(m)));
  return reply_message.label;
}

lib::Result<uintptr_t> sys_ipc_send(SyscallArgs& a) {
  Ref<Endpoint> e = TRY(
      get<Endpoint>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kEndpoint, MICA_RIGHT_WRITE));
  Message m;
  TRY(load_message(a.a[1], m));
  if (m.data_size != 0) {
    // Asynchronous messages carry no payload: nothing waits to copy it.
    if (m.handle_object != nullptr) m.handle_object->drop_in_flight();
    return Status::kInvalidArgs;
  }
  auto sent = e->send(m, (a.a[2] & MICA_NONBLOCK) != 0);
  if (!sent.ok()) {
    if (m.handle_object != nullptr) m.handle_object->drop_in_flight();
    return sent.status();
  }
  return 0;
}

lib::Result<uintptr_t> sys_ipc_receive(SyscallArgs& a) {
  Ref<Endpoint> e = TRY(
      get<Endpoint>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kEndpoint, MICA_RIGHT_READ));
  uintptr_t buffer = 0;
  size_t buffer_size = 0;
  if (a.a[1] != 0) {
    mica_message m;
    TRY(copy_in(&m, a.a[1], sizeof(m)));
    buffer = reinterpret_cast<uintptr_t>(m.buffer);
    buffer_size = m.buffer_size;
  }
  // Into the thread's own message slot, where a caller that found it
  // waiting put the call already.
  sched::Thread* t = sched::current();
  Message& in = t->ipc;
  bool is_call = false;
  TRY(e->receive(in, (a.a[2] & MICA_NONBLOCK) != 0, &is_call, /*direct=*/a.a[1] == 0));
  lib::Result<void> delivered;
  if (a.a[1] != 0 || in.handle_object != nullptr || (in.data_size != 0 && buffer != 0)) {
    Process* from = is_call ? t->ipc_caller_process : nullptr;
    delivered = deliver_message(a.a[1], in, from, buffer, buffer_size);
  }
  for (int i = 0; i < 4; ++i) a.a[1 + i] = in.words[i];  // results 1..4
  TRY(delivered);
  return in.label;
}

// MICA_SYS_IPC_REPLY then a register-only MICA_SYS_IPC_RECEIVE, in one
// system call and, when the receive must wait, one switch: the CPU goes
// straight to the caller just answered (seL4's ReplyRecv). A reply that
// finds no call in hand or its caller gone is dropped (REPLY would say
// -ENOENT or -ESRCH); the receive's result is what returns.
lib::Result<uintptr_t> sys_ipc_reply_receive(SyscallArgs& a) {
  Ref<Endpoint> e = TRY(
      get<Endpoint>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kEndpoint, MICA_RIGHT_READ));
  Message m;
  for (int i = 0; i < 4; ++i) m.words[i] = a.a[1 + i];
  m.sender = self().pid();
  sched::Thread* woken = nullptr;
  (void)reply_leaving_blocked(m, &woken);
  sched::Thread* t = sched::current();
  Message& in = t->ipc;
  bool is_call = false;
  TRY(e->receive(in, /*nonblock=*/false, &is_call, /*direct=*/true, woken));
  lib::Result<void> delivered;
  if (in.handle_object != nullptr) {  // as IPC_RECEIVE's register form does
    delivered = deliver_message(0, in, nullptr, 0, 0);
  }
  for (int i = 0; i < 4; ++i) a.a[1 + i] = in.words[i];  // results 1..4
  TRY(delivered);
  return in.label;
}

lib::Result<uintptr_t> sys_ipc_reply(SyscallArgs& a) {
  Message m;
  for (int i = 0; i < 4; ++i) m.words[i] = a.a[i];
  m.sender = self().pid();
  TRY(reply(m));
  return 0;
}

// A message's payload, copied into the buffer of the caller a reply goes to.
void copy_payload_to_caller(sched::ThreadId caller_id, Process& caller, Message& m) {
  if (m.data_size != 0) m.data_size = copy_reply_payload(caller_id, caller, m.data, m.data_size);
}

lib::Result<uintptr_t> sys_ipc_reply_message(SyscallArgs& a) {
  sched::Thread* t = sched::current();
  if (t->ipc_caller == nullptr) return Status::kNotFound;
  Message m;
  TRY(load_message(a.a[0], m));
  copy_payload_to_caller(t->ipc_caller_id, *t->ipc_caller_process, m);
  auto replied = reply(m);
  if (!replied.ok()) return replied.status();
  return 0;
}

lib::Result<uintptr_t> sys_ipc_reply_defer(SyscallArgs&) {
  Reply* reply = TRY(Reply::take_current());
  return TRY(add_handle(reply, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER));
}

lib::Result<uintptr_t> sys_ipc_reply_to(SyscallArgs& a) {
  auto handle = static_cast<mica_handle_t>(a.a[0]);
  Ref<Reply> reply = TRY(get<Reply>(handle, ObjectType::kReply, MICA_RIGHT_WRITE));
  Message m;
  TRY(load_message(a.a[1], m));
  (void)self().handles().close(handle);  // answered or not, the handle is spent
  auto answered = reply->answer(m);
  if (!answered.ok()) return answered.status();
  return 0;
}

// ---- Hardware ----

lib::Result<uintptr_t> sys_ioport_allow(SyscallArgs& a) {
  Ref<Resource> resource = TRY(
      get<Resource>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kResource, MICA_RIGHT_GRANT));
  uint32_t base = static_cast<uint32_t>(a.a[1]);
  uint32_t count = static_cast<uint32_t>(a.a[2]);
  if (count == 0 || base > 0xffff || count > 0x10000 - base) return Status::kInvalidArgs;
  if (!resource->ranges().covers(MICA_RESOURCE_IOPORT, base, count)) return Status::kNotPermitted;
  TRY(allow_io_ports(self(), base, count));
  return 0;
}

lib::Result<uintptr_t> sys_mmio_map(SyscallArgs& a) {
  Ref<Resource> resource = TRY(
      get<Resource>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kResource, MICA_RIGHT_GRANT));
  uint64_t physical;
  TRY(copy_in(&physical, a.a[1], sizeof(physical)));
  size_t size = a.a[2];
  uintptr_t address = a.a[3];
  if (physical % kPage != 0 || !page_range_ok(address, size)) return Status::kInvalidArgs;
  if (!resource->ranges().covers(MICA_RESOURCE_MMIO, physical, size)) return Status::kNotPermitted;
  Process& p = self();
  SpinLockGuard guard(p.vm_lock);
  if (p.space == nullptr) return Status::kNoProcess;
  for (uintptr_t page = address; page < address + size; page += kPage) {
    if (p.space->query(page).ok()) return Status::kAlreadyExists;
  }
  mm::Permissions device = {.write = true, .user = true, .device = true};
  for (size_t off = 0; off < size; off += kPage) {
    auto mapped = p.space->map(address + off, physical + off, device);
    if (!mapped.ok()) {
      for (size_t j = 0; j < off; j += kPage) (void)p.space->unmap(address + j);
      return mapped.status();
    }
  }
  return address;
}

lib::Result<uintptr_t> sys_irq_create(SyscallArgs& a) {
  Ref<Resource> resource = TRY(
      get<Resource>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kResource, MICA_RIGHT_GRANT));
  Ref<Endpoint> e = TRY(
      get<Endpoint>(static_cast<mica_handle_t>(a.a[2]), ObjectType::kEndpoint, MICA_RIGHT_WRITE));
  if (a.a[1] >= Platform::kIrqCount) return Status::kInvalidArgs;
  if (!resource->ranges().covers(MICA_RESOURCE_IRQ, a.a[1], 1)) return Status::kNotPermitted;
  Irq* irq = TRY(Irq::create(static_cast<unsigned>(a.a[1]), e.get(), a.a[3]));
  return TRY(add_handle(irq, MICA_RIGHT_WRITE | MICA_RIGHT_READ));
}

// A narrower resource from `parent`: the ranges never exceed the parent's.
lib::Result<uintptr_t> sys_resource_create(SyscallArgs& a) {
  Ref<Resource> parent = TRY(
      get<Resource>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kResource, MICA_RIGHT_GRANT));
  size_t count = a.a[2];
  if (count == 0 || count > ResourceRanges::kMaxRanges) return Status::kInvalidArgs;
  mica_resource_range requests[ResourceRanges::kMaxRanges];
  TRY(copy_in(requests, a.a[1], count * sizeof(requests[0])));
  ResourceRanges ranges = TRY(parent->ranges().narrow(requests, count));
  Resource* child = TRY(Resource::create(ranges));
  return TRY(add_handle(child, MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_GRANT));
}

lib::Result<uintptr_t> sys_irq_ack(SyscallArgs& a) {
  Ref<Irq> irq =
      TRY(get<Irq>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kIrq, MICA_RIGHT_WRITE));
  TRY(irq->acknowledge());
  return 0;
}

// ---- Unix domain sockets ----

constexpr uint32_t kSocketRights =
    MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_READ | MICA_RIGHT_WRITE;

lib::Result<uintptr_t> sys_socket_create(SyscallArgs& a) {
  Socket* s = TRY(Socket::create(static_cast<uint32_t>(a.a[0])));
  return TRY(add_handle(s, kSocketRights));
}

lib::Result<uintptr_t> sys_socket_pair(SyscallArgs& a) {
  Socket *x, *y;
  TRY(Socket::create_pair(static_cast<uint32_t>(a.a[0]), &x, &y));
  auto hx = add_handle(x, kSocketRights);
  if (!hx.ok()) {
    y->unref();
    return hx.status();
  }
  auto hy = add_handle(y, kSocketRights);
  if (!hy.ok()) {
    (void)self().handles().close(hx.value());
    return hy.status();
  }
  mica_handle_t out[2] = {hx.value(), hy.value()};
  auto copied = copy_out(a.a[1], out, sizeof(out));
  if (!copied.ok()) {
    (void)self().handles().close(out[0]);
    (void)self().handles().close(out[1]);
    return copied.status();
  }
  return 0;
}

lib::Result<uintptr_t> sys_socket_bind(SyscallArgs& a) {
  Ref<Socket> s =
      TRY(get<Socket>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kSocket, MICA_RIGHT_WRITE));
  TRY(s->bind(reinterpret_cast<const char*>(a.a[1]), a.a[2]));
  return 0;
}

lib::Result<uintptr_t> sys_socket_listen(SyscallArgs& a) {
  Ref<Socket> s =
      TRY(get<Socket>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kSocket, MICA_RIGHT_READ));
  TRY(s->listen(static_cast<uint32_t>(a.a[1])));
  return 0;
}

lib::Result<uintptr_t> sys_socket_accept(SyscallArgs& a) {
  Ref<Socket> s =
      TRY(get<Socket>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kSocket, MICA_RIGHT_READ));
  Socket* connection = TRY(s->accept((a.a[1] & MICA_NONBLOCK) != 0));
  return TRY(add_handle(connection, kSocketRights));
}

lib::Result<uintptr_t> sys_socket_connect(SyscallArgs& a) {
  Ref<Socket> s =
      TRY(get<Socket>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kSocket, MICA_RIGHT_WRITE));
  TRY(s->connect(reinterpret_cast<const char*>(a.a[1]), a.a[2]));
  return 0;
}

lib::Result<uintptr_t> sys_socket_send(SyscallArgs& a) {
  Ref<Socket> s =
      TRY(get<Socket>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kSocket, MICA_RIGHT_WRITE));
  return TRY(s->send(a.a[1], a.a[2], (a.a[3] & MICA_NONBLOCK) != 0,
                     reinterpret_cast<const char*>(a.a[4]), a.a[5]));
}

lib::Result<uintptr_t> sys_socket_receive(SyscallArgs& a) {
  Ref<Socket> s =
      TRY(get<Socket>(static_cast<mica_handle_t>(a.a[0]), ObjectType::kSocket, MICA_RIGHT_READ));
  return TRY(s->receive(a.a[1], a.a[2], (a.a[3] & MICA_NONBLOCK) != 0));
}

// ---- Waiting ----

lib::Result<uintptr_t> sys_wait_many(SyscallArgs& a) {
  constexpr size_t kMax = 64;
  size_t count = a.a[1];
  if (count == 0 || count > kMax) return Status::kInvalidArgs;
  mica_wait_item items[kMax];
  TRY(copy_in(items, a.a[0], sizeof(mica_wait_item) * count));
  uint64_t timeout = ~uint64_t{0};
  if (a.a[2] != 0) TRY(copy_in(&timeout, a.a[2], sizeof(timeout)));
  Object* objects[kMax];
  for (size_t i = 0; i < count; ++i) {
    // Waiting needs READ or WRITE: a writer may wait for room, or for the
    // other end to go away (PEER_CLOSED).
    uint32_t rights = 0;
    auto o = self().handles().get(items[i].handle, HandleTable::kAny, 0, &rights);
    Status bad = !o.ok()                                                ? o.status()
                 : (rights & (MICA_RIGHT_READ | MICA_RIGHT_WRITE)) == 0 ? Status::kNotPermitted
                                                                        : Status::kOk;
    if (bad != Status::kOk) {
      if (o.ok()) o.value()->unref();
      for (size_t j = 0; j < i; ++j) objects[j]->unref();
      return bad;
    }
    objects[i] = o.value();
  }
  uint64_t deadline = timeout == ~uint64_t{0} ? timeout : ktime::now_ns() + timeout;
  size_t ready = 0;
  Status status = Status::kTimedOut;
  for (;;) {
    uint64_t generation;
    {
      SpinLockGuard guard(SignalWait::lock);
      generation = SignalWait::generation;
    }
    ready = 0;
    for (size_t i = 0; i < count; ++i) {
      items[i].observed = objects[i]->signals() & items[i].wanted;
      if (items[i].observed != 0) ++ready;
    }
    if (ready != 0) {
      status = Status::kOk;
      break;
    }
    if (timeout == 0 || ktime::now_ns() >= deadline) break;
    if (sched::current()->kill_pending) {
      status = Status::kNoProcess;
      break;
    }
    SpinLockGuard guard(SignalWait::lock);
    // A change since the signals were read bumped the generation: look again.
    if (SignalWait::generation != generation) continue;
    if (deadline == ~uint64_t{0}) {
      SignalWait::queue.wait(SignalWait::lock);
    } else {
      (void)SignalWait::queue.wait_until(SignalWait::lock, deadline);
    }
  }
  for (size_t i = 0; i < count; ++i) objects[i]->unref();
  auto copied = copy_out(a.a[0], items, sizeof(mica_wait_item) * count);
  if (!copied.ok()) return copied.status();
  if (status != Status::kOk) return status;
  return ready;
}

constexpr SyscallTable make_table() {
  SyscallTable table = {};
  Handler* handlers = table.handlers;
  handlers[MICA_SYS_DEBUG_WRITE] = sys_debug_write;
  handlers[MICA_SYS_PROCESS_EXIT] = sys_process_exit;
  handlers[MICA_SYS_THREAD_EXIT] = sys_thread_exit;
  handlers[MICA_SYS_YIELD] = sys_yield;
  handlers[MICA_SYS_CLOCK_GET] = sys_clock_get;
  handlers[MICA_SYS_SLEEP] = sys_sleep;
  handlers[MICA_SYS_GET_ID] = sys_get_id;
  handlers[MICA_SYS_HANDLE_CLOSE] = sys_handle_close;
  handlers[MICA_SYS_HANDLE_DUPLICATE] = sys_handle_duplicate;
  handlers[MICA_SYS_HANDLE_INFO] = sys_handle_info;
  handlers[MICA_SYS_HANDLE_GRANT] = sys_handle_grant;
  handlers[MICA_SYS_PROCESS_CREATE] = sys_process_create;
  handlers[MICA_SYS_THREAD_CREATE] = sys_thread_create;
  handlers[MICA_SYS_PROCESS_KILL] = sys_process_kill;
  handlers[MICA_SYS_PROCESS_WAIT] = sys_process_wait;
  handlers[MICA_SYS_THREAD_SET_POINTER] = sys_thread_set_pointer;
  handlers[MICA_SYS_VM_ALLOCATE] = sys_vm_allocate;
  handlers[MICA_SYS_VM_FREE] = sys_vm_free;
  handlers[MICA_SYS_VM_PROTECT] = sys_vm_protect;
  handlers[MICA_SYS_VM_WRITE] = sys_vm_write;
  handlers[MICA_SYS_VM_READ] = sys_vm_read;
  handlers[MICA_SYS_MEMORY_CREATE] = sys_memory_create;
  handlers[MICA_SYS_MEMORY_MAP] = sys_memory_map;
  handlers[MICA_SYS_DMA_CREATE] = sys_dma_create;
  handlers[MICA_SYS_ENDPOINT_CREATE] = [](SyscallArgs& a) -> lib::Result<uintptr_t> {
    Endpoint* e = TRY(Endpoint::create(static_cast<uint32_t>(a.a[0]), self().koid()));
    return TRY(add_handle(e, MICA_RIGHTS_ALL & ~(MICA_RIGHT_GRANT | MICA_RIGHT_MANAGE)));
  };
  handlers[MICA_SYS_IPC_CALL] = sys_ipc_call;
  handlers[MICA_SYS_IPC_SEND] = sys_ipc_send;
  handlers[MICA_SYS_IPC_RECEIVE] = sys_ipc_receive;
  handlers[MICA_SYS_IPC_REPLY] = sys_ipc_reply;
  handlers[MICA_SYS_IPC_REPLY_RECEIVE] = sys_ipc_reply_receive;
  handlers[MICA_SYS_IPC_CALL_MESSAGE] = sys_ipc_call_message;
  handlers[MICA_SYS_IPC_REPLY_MESSAGE] = sys_ipc_reply_message;
  handlers[MICA_SYS_IPC_REPLY_DEFER] = sys_ipc_reply_defer;
  handlers[MICA_SYS_PROCESS_WATCH] = sys_process_watch;
  handlers[MICA_SYS_PROCESS_INFO] = sys_process_info;
  handlers[MICA_SYS_SYSTEM_INFO] = sys_system_info;
  handlers[MICA_SYS_SYSTEM_STOP] = sys_system_stop;
  handlers[MICA_SYS_IPC_REPLY_TO] = sys_ipc_reply_to;
  handlers[MICA_SYS_IOPORT_ALLOW] = sys_ioport_allow;
  handlers[MICA_SYS_MMIO_MAP] = sys_mmio_map;
  handlers[MICA_SYS_IRQ_CREATE] = sys_irq_create;
  handlers[MICA_SYS_IRQ_ACK] = sys_irq_ack;
  handlers[MICA_SYS_RESOURCE_CREATE] = sys_resource_create;
  handlers[MICA_SYS_WAIT_MANY] = sys_wait_many;
  handlers[MICA_SYS_NULL] = [](SyscallArgs&) -> lib::Result<uintptr_t> { return 0; };
  handlers[MICA_SYS_SOCKET_CREATE] = sys_socket_create;
  handlers[MICA_SYS_SOCKET_PAIR] = sys_socket_pair;
  handlers[MICA_SYS_SOCKET_BIND] = sys_socket_bind;
  handlers[MICA_SYS_SOCKET_LISTEN] = sys_socket_listen;
  handlers[MICA_SYS_SOCKET_ACCEPT] = sys_socket_accept;
  handlers[MICA_SYS_SOCKET_CONNECT] = sys_socket_connect;
  handlers[MICA_SYS_SOCKET_SEND] = sys_socket_send;
  handlers[MICA_SYS_SOCKET_RECEIVE] = sys_socket_receive;
  return table;
}

}  // namespace

constinit const SyscallTable kSyscallTable = make_table();

}  // namespace user

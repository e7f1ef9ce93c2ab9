// Unix domain sockets (AF_UNIX): stream and datagram sockets, named in one
// kernel namespace, with blocking and non-blocking operation and the
// signals poll needs. Each socket owns a fixed receive buffer (allocated at
// creation), so the kernel memory a socket can hold is bounded.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/user/object.h>
#include <core/user/paged_array.h>

namespace user {

class Socket final : public Object {
 public:
  static constexpr size_t kBufferSize = 16384;
  static constexpr uint32_t kMaxBacklog = 64;

  enum class Kind : uint8_t { kStream = MICA_SOCK_STREAM, kDatagram = MICA_SOCK_DGRAM };

  static lib::Result<Socket*> create(uint32_t kind);
  // Two connected sockets (socketpair).
  static lib::Result<void> create_pair(uint32_t kind, Socket** a, Socket** b);

  lib::Result<void> bind(const char* name, size_t length);
  lib::Result<void> listen(uint32_t backlog);
  lib::Result<Socket*> accept(bool nonblock);
  lib::Result<void> connect(const char* name, size_t length);
  // Copy user bytes in and out; a short count when the buffer fills (or
  // empties) and data already moved.
  lib::Result<size_t> send(uintptr_t data, size_t size, bool nonblock, const char* to,
                           size_t to_length);
  lib::Result<size_t> receive(uintptr_t buffer, size_t size, bool nonblock);

  void cancel_wait(sched::Thread* thread) override;
  uint32_t signals() override;

 private:
  MICA_OBJECT_ALLOCATION;
  Socket() : Object(ObjectType::kSocket) {}
  ~Socket() = default;
  void destroy() override;
  void on_last_handle_closed() override;

  enum class State : uint8_t { kOpen, kListening, kConnected, kClosed };

  // Ring buffer (under lock).
  size_t space() const NO_THREAD_SAFETY_ANALYSIS { return kBufferSize - used_; }
  void put(const uint8_t* data, size_t size) REQUIRES(lock);
  void take(uint8_t* data, size_t size) REQUIRES(lock);
  // Delivers up to `size` bytes (stream) or one datagram into this socket's
  // buffer; what was accepted, or kWouldBlock / kBrokenPipe.
  lib::Result<size_t> deliver(uintptr_t data, size_t size, bool nonblock, bool datagram);

  Kind kind_ = Kind::kStream;
  State state_ GUARDED_BY(lock) = State::kOpen;
  Socket* peer_ GUARDED_BY(lock) = nullptr;  // a reference
  bool peer_closed_ GUARDED_BY(lock) = false;
  bool named_ = false;
  char name_[MICA_SOCKET_NAME_MAX + 1] = {};
  PagedArray<uint8_t> buffer_;
  size_t head_ GUARDED_BY(lock) = 0;
  size_t used_ GUARDED_BY(lock) = 0;
  sched::WaitQueue readers_ GUARDED_BY(lock);
  sched::WaitQueue writers_ GUARDED_BY(lock);
  // Listening: connections not yet accepted.
  Socket* pending_[kMaxBacklog] GUARDED_BY(lock) = {};
  uint32_t pending_count_ GUARDED_BY(lock) = 0;
  uint32_t backlog_ = 0;
};

}  // namespace user

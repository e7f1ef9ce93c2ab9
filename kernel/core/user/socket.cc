#include <core/mm/memory.h>
#include <core/user/endpoint.h>
#include <core/user/socket.h>
#include <lib/string.h>

namespace user {
namespace {

using Platform = arch::Platform;
constexpr size_t kChunk = 256;
constexpr size_t kMaxDatagram = 2048;
constexpr size_t kMaxNames = 256;

// The socket namespace: bound names.
struct Name {
  char name[MICA_SOCKET_NAME_MAX + 1];
  Socket* socket;  // no reference: the socket unbinds itself when closed
};
constinit SpinLock g_names_lock;
constinit Name g_names[kMaxNames] GUARDED_BY(g_names_lock) = {};

// Copies a user name into `out` (NUL-terminated); kInvalidArgs if empty or
// too long, kFault for a bad pointer.
lib::Result<void> copy_name(char* out, const char* name, size_t length) {
  if (length == 0 || length > MICA_SOCKET_NAME_MAX) return lib::Status::kInvalidArgs;
  if (!Platform::copy_from_user(out, reinterpret_cast<uintptr_t>(name), length)) {
    return lib::Status::kFault;
  }
  out[length] = 0;
  if (lib::strnlen(out, length) == 0) return lib::Status::kInvalidArgs;
  return {};
}

// The socket bound to `name`, with a reference, or kConnectionRefused.
lib::Result<Socket*> lookup(const char* name) {
  SpinLockGuard guard(g_names_lock);
  for (Name& n : g_names) {
    if (n.socket != nullptr && lib::streq(n.name, name)) {
      n.socket->ref();
      return n.socket;
    }
  }
  return lib::Status::kConnectionRefused;
}

void unbind(Socket* socket) {
  SpinLockGuard guard(g_names_lock);
  for (Name& n : g_names) {
    if (n.socket == socket) n.socket = nullptr;
  }
}

}  // namespace

lib::Result<Socket*> Socket::create(uint32_t kind) {
  if (kind != MICA_SOCK_STREAM && kind != MICA_SOCK_DGRAM) return lib::Status::kInvalidArgs;
  Socket* s = TRY(make_object<Socket>());
  auto buffer = s->buffer_.init(kBufferSize);
  if (!buffer.ok()) {
    free_object(s);
    return buffer.status();
  }
  s->kind_ = static_cast<Kind>(kind);
  return s;
}

lib::Result<void> Socket::create_pair(uint32_t kind, Socket** a, Socket** b) {
  Socket* x = TRY(create(kind));
  auto y = create(kind);
  if (!y.ok()) {
    x->unref();
    return y.status();
  }
  x->ref();
  y.value()->ref();
  {
    SpinLockGuard guard(x->lock);
    x->peer_ = y.value();
    x->state_ = State::kConnected;
  }
  {
    SpinLockGuard guard(y.value()->lock);
    y.value()->peer_ = x;
    y.value()->state_ = State::kConnected;
  }
  *a = x;
  *b = y.value();
  return {};
}

void Socket::destroy() NO_THREAD_SAFETY_ANALYSIS {
  for (uint32_t i = 0; i < pending_count_; ++i) pending_[i]->unref();
  if (peer_ != nullptr) peer_->unref();
  buffer_.destroy();
  free_object(this);
}

void Socket::on_last_handle_closed() {
  if (named_) unbind(this);
  Socket* peer;
  Socket* pending[kMaxBacklog];
  uint32_t pending_count;
  {
    SpinLockGuard guard(lock);
    state_ = State::kClosed;
    peer = peer_;
    peer_ = nullptr;
    pending_count = pending_count_;
    for (uint32_t i = 0; i < pending_count; ++i) pending[i] = pending_[i];
    pending_count_ = 0;
    readers_.wake_all(lock);
    writers_.wake_all(lock);
  }
  // Connections never accepted: their clients see the peer gone.
  for (uint32_t i = 0; i < pending_count; ++i) {
    pending[i]->on_last_handle_closed();
    pending[i]->unref();
  }
  if (peer != nullptr) {
    {
      SpinLockGuard guard(peer->lock);
      peer->peer_closed_ = true;
      peer->readers_.wake_all(peer->lock);
      peer->writers_.wake_all(peer->lock);
    }
    peer->unref();
  }
  signals_changed();
}

lib::Result<void> Socket::bind(const char* name, size_t length) {
  char copy[MICA_SOCKET_NAME_MAX + 1];
  TRY(copy_name(copy, name, length));
  if (named_) return lib::Status::kInvalidArgs;
  SpinLockGuard guard(g_names_lock);
  Name* free_slot = nullptr;
  for (Name& n : g_names) {
    if (n.socket != nullptr && lib::streq(n.name, copy)) return lib::Status::kAddressInUse;
    if (n.socket == nullptr && free_slot == nullptr) free_slot = &n;
  }
  if (free_slot == nullptr) return lib::Status::kNoSpace;
  lib::strlcpy(free_slot->name, copy, sizeof(free_slot->name));
  free_slot->socket = this;
  lib::strlcpy(name_, copy, sizeof(name_));
  named_ = true;
  return {};
}

lib::Result<void> Socket::listen(uint32_t backlog) {
  if (kind_ != Kind::kStream) return lib::Status::kNotSupported;
  if (!named_) return lib::Status::kInvalidArgs;
  SpinLockGuard guard(lock);
  if (state_ != State::kOpen && state_ != State::kListening) return lib::Status::kInvalidArgs;
  state_ = State::kListening;
  backlog_ = backlog == 0 || backlog > kMaxBacklog ? kMaxBacklog : backlog;
  return {};
}

lib::Result<Socket*> Socket::accept(bool nonblock) {
  SpinLockGuard guard(lock);
  if (state_ != State::kListening) return lib::Status::kInvalidArgs;
  if (pending_count_ == 0) {
    if (nonblock) return lib::Status::kWouldBlock;
    if (!wait_on(*this, readers_, [&]() NO_THREAD_SAFETY_ANALYSIS {
          return pending_count_ != 0 || state_ != State::kListening;
        })) {
      return lib::Status::kNoProcess;
    }
    if (pending_count_ == 0) return lib::Status::kInvalidArgs;
  }
  Socket* s = pending_[0];
  for (uint32_t i = 1; i < pending_count_; ++i) pending_[i - 1] = pending_[i];
  --pending_count_;
  return s;  // the queue's reference goes to the caller
}

lib::Result<void> Socket::connect(const char* name, size_t length) {
  char copy[MICA_SOCKET_NAME_MAX + 1];
  TRY(copy_name(copy, name, length));
  Socket* target = TRY(lookup(copy));
  Ref<Socket> target_ref(target);
  if (target->kind_ != kind_) return lib::Status::kConnectionRefused;
  if (kind_ == Kind::kDatagram) {
    // A default destination.
    SpinLockGuard guard(lock);
    if (peer_ != nullptr) peer_->unref();
    target->ref();
    peer_ = target;
    state_ = State::kConnected;
    return {};
  }
  {
    SpinLockGuard guard(lock);
    if (state_ != State::kOpen) return lib::Status::kAlreadyExists;  // EISCONN-ish
  }
  // The server's end of the new connection.
  Socket* server = TRY(create(MICA_SOCK_STREAM));
  {
    SpinLockGuard guard(target->lock);
    if (target->state_ != State::kListening) {
      server->unref();
      return lib::Status::kConnectionRefused;
    }
    if (target->pending_count_ >= target->backlog_) {
      server->unref();
      return lib::Status::kWouldBlock;  // backlog full: try again
    }
    ref();
    {
      SpinLockGuard server_guard(server->lock);  // not yet visible: uncontended
      server->peer_ = this;
      server->state_ = State::kConnected;
    }
    target->pending_[target->pending_count_++] = server;
    target->readers_.wake_all(target->lock);
  }
  {
    SpinLockGuard guard(lock);
    server->ref();
    peer_ = server;
    state_ = State::kConnected;
  }
  target->signals_changed();
  return {};
}

void Socket::put(const uint8_t* data, size_t size) {
  size_t at = (head_ + used_) % kBufferSize;
  for (size_t done = 0; done < size;) {
    size_t n = buffer_.run_from(at);
    if (n > size - done) n = size - done;
    memcpy(&buffer_[at], data + done, n);
    done += n;
    at = (at + n) % kBufferSize;
  }
  used_ += size;
}

void Socket::take(uint8_t* data, size_t size) {
  for (size_t done = 0; done < size;) {
    size_t n = buffer_.run_from(head_);
    if (n > size - done) n = size - done;
    if (data != nullptr) memcpy(data + done, &buffer_[head_], n);
    done += n;
    head_ = (head_ + n) % kBufferSize;
  }
  used_ -= size;
}

lib::Result<size_t> Socket::deliver(uintptr_t data, size_t size, bool nonblock, bool datagram) {
  if (datagram) {
    if (size > kMaxDatagram) return lib::Status::kInvalidArgs;
    uint8_t copy[kMaxDatagram];
    if (!Platform::copy_from_user(copy, data, size)) return lib::Status::kFault;
    uint16_t length = static_cast<uint16_t>(size);
    {
      SpinLockGuard guard(lock);
      for (;;) {
        if (state_ == State::kClosed) return lib::Status::kConnectionRefused;
        if (space() >= size + sizeof(length)) break;
        if (nonblock) return lib::Status::kWouldBlock;
        if (!wait_on(*this, writers_, [&]() NO_THREAD_SAFETY_ANALYSIS {
              return space() >= size + sizeof(length) || state_ == State::kClosed;
            })) {
          return lib::Status::kNoProcess;
        }
      }
      put(reinterpret_cast<uint8_t*>(&length), sizeof(length));
      put(copy, size);
      readers_.wake_all(lock);
    }
    signals_changed();
    return size;
  }
  size_t moved = 0;
  while (moved < size) {
    uint8_t chunk[kChunk];
    size_t n = size - moved < kChunk ? size - moved : kChunk;
    if (!Platform::copy_from_user(chunk, data + moved, n)) {
      if (moved == 0) return lib::Status::kFault;
      break;
    }
    {
      SpinLockGuard guard(lock);
      if (state_ == State::kClosed) {
        if (moved == 0) return lib::Status::kBrokenPipe;
        break;
      }
      if (space() == 0) {
        if (nonblock || moved != 0) {
          if (moved == 0) return lib::Status::kWouldBlock;
          break;
        }
        if (!wait_on(*this, writers_, [&]() NO_THREAD_SAFETY_ANALYSIS {
              return space() != 0 || state_ == State::kClosed;
            })) {
          return lib::Status::kNoProcess;
        }
        if (state_ == State::kClosed) return lib::Status::kBrokenPipe;
      }
      if (n > space()) n = space();
      put(chunk, n);
      readers_.wake_all(lock);
    }
    moved += n;
  }
  signals_changed();
  return moved;
}

lib::Result<size_t> Socket::send(uintptr_t data, size_t size, bool nonblock, const char* to,
                                 size_t to_length) {
  Socket* target;
  if (to != nullptr) {
    if (kind_ != Kind::kDatagram) return lib::Status::kAlreadyExists;
    char copy[MICA_SOCKET_NAME_MAX + 1];
    TRY(copy_name(copy, to, to_length));
    target = TRY(lookup(copy));
  } else {
    SpinLockGuard guard(lock);
    if (peer_ == nullptr) {
      return peer_closed_ ? lib::Status::kBrokenPipe : lib::Status::kNotConnected;
    }
    target = peer_;
    target->ref();
  }
  Ref<Socket> target_ref(target);
  if (target->kind_ != kind_) return lib::Status::kConnectionRefused;
  return target->deliver(data, size, nonblock, kind_ == Kind::kDatagram);
}

lib::Result<size_t> Socket::receive(uintptr_t buffer, size_t size, bool nonblock) {
  if (kind_ == Kind::kDatagram) {
    uint8_t copy[kMaxDatagram];
    uint16_t length;
    size_t n;
    {
      SpinLockGuard guard(lock);
      while (used_ == 0) {
        if (nonblock) return lib::Status::kWouldBlock;
        if (!wait_on(*this, readers_, [&]() NO_THREAD_SAFETY_ANALYSIS { return used_ != 0; })) {
          return lib::Status::kNoProcess;
        }
      }
      take(reinterpret_cast<uint8_t*>(&length), sizeof(length));
      n = length < size ? length : size;
      take(copy, length);
      writers_.wake_all(lock);
    }
    signals_changed();
    if (!Platform::copy_to_user(buffer, copy, n)) return lib::Status::kFault;
    return n;
  }
  size_t moved = 0;
  while (moved < size) {
    uint8_t chunk[kChunk];
    size_t n;
    {
      SpinLockGuard guard(lock);
      if (state_ == State::kListening) return lib::Status::kNotConnected;
      if (used_ == 0) {
        if (moved != 0 || peer_closed_ || (peer_ == nullptr && state_ != State::kConnected)) {
          break;  // what we have, or end of file
        }
        if (nonblock) return lib::Status::kWouldBlock;
        if (!wait_on(*this, readers_, [&]() NO_THREAD_SAFETY_ANALYSIS {
              return used_ != 0 || peer_closed_ || state_ == State::kClosed;
            })) {
          return lib::Status::kNoProcess;
        }
        if (used_ == 0) break;
      }
      n = size - moved < kChunk ? size - moved : kChunk;
      if (n > used_) n = used_;
      take(chunk, n);
      writers_.wake_all(lock);
    }
    if (!Platform::copy_to_user(buffer + moved, chunk, n)) {
      if (moved == 0) return lib::Status::kFault;
      break;  // those bytes are lost, as with a bad buffer on Linux
    }
    moved += n;
  }
  signals_changed();
  return moved;
}

void Socket::cancel_wait(sched::Thread* thread) {
  SpinLockGuard guard(lock);
  if (!readers_.wake_thread(lock, thread)) (void)writers_.wake_thread(lock, thread);
}

uint32_t Socket::signals() {
  SpinLockGuard guard(lock);
  uint32_t s = 0;
  if (used_ != 0 || pending_count_ != 0 || peer_closed_) s |= MICA_SIGNAL_READABLE;
  if (peer_closed_) s |= MICA_SIGNAL_PEER_CLOSED;
  Socket* peer = peer_;
  if (peer != nullptr && kind_ == Kind::kStream) {
    // Writable when the peer's buffer has room (read without its lock: a hint).
    if (__atomic_load_n(&peer->used_, __ATOMIC_RELAXED) < kBufferSize) s |= MICA_SIGNAL_WRITABLE;
  } else if (kind_ == Kind::kDatagram) {
    s |= MICA_SIGNAL_WRITABLE;
  }
  return s;
}

}  // namespace user

// mica status codes: the one error vocabulary shared by the kernel, the
// system-call ABI and user space. Values match the classic POSIX errno numbers
// so that libc maps a negative syscall return straight to errno.
#pragma once

#ifdef __cplusplus
namespace mica {

enum class Status : int {
  kOk = 0,
  kNotPermitted = 1,         // EPERM: the handle lacks the right
  kNotFound = 2,             // ENOENT
  kNoProcess = 3,            // ESRCH: the process or thread is gone or dying
  kInterrupted = 4,          // EINTR
  kIoError = 5,              // EIO
  kBadFormat = 8,            // ENOEXEC: malformed structure (boot info, ELF, ...)
  kBadHandle = 9,            // EBADF
  kWouldBlock = 11,          // EAGAIN
  kNoMemory = 12,            // ENOMEM
  kAccessDenied = 13,        // EACCES
  kFault = 14,               // EFAULT: bad user pointer
  kBusy = 16,                // EBUSY
  kAlreadyExists = 17,       // EEXIST
  kInvalidArgs = 22,         // EINVAL
  kBrokenPipe = 32,          // EPIPE
  kNoSpace = 28,             // ENOSPC: a fixed-size table is full
  kOutOfRange = 34,          // ERANGE
  kNotSupported = 38,        // ENOSYS
  kTruncated = 74,           // EBADMSG: input ends before its declared size
  kAddressInUse = 98,        // EADDRINUSE
  kConnectionReset = 104,    // ECONNRESET: the peer (or server) went away
  kNotConnected = 107,       // ENOTCONN
  kTimedOut = 110,           // ETIMEDOUT
  kConnectionRefused = 111,  // ECONNREFUSED
};

// A short stable name for logs ("ENOMEM"), never null.
constexpr const char* status_name(Status s) {
  switch (s) {
    case Status::kOk:
      return "OK";
    case Status::kNotPermitted:
      return "EPERM";
    case Status::kNotFound:
      return "ENOENT";
    case Status::kNoProcess:
      return "ESRCH";
    case Status::kInterrupted:
      return "EINTR";
    case Status::kIoError:
      return "EIO";
    case Status::kBadFormat:
      return "ENOEXEC";
    case Status::kBadHandle:
      return "EBADF";
    case Status::kWouldBlock:
      return "EAGAIN";
    case Status::kNoMemory:
      return "ENOMEM";
    case Status::kAccessDenied:
      return "EACCES";
    case Status::kFault:
      return "EFAULT";
    case Status::kBusy:
      return "EBUSY";
    case Status::kAlreadyExists:
      return "EEXIST";
    case Status::kInvalidArgs:
      return "EINVAL";
    case Status::kBrokenPipe:
      return "EPIPE";
    case Status::kNoSpace:
      return "ENOSPC";
    case Status::kOutOfRange:
      return "ERANGE";
    case Status::kNotSupported:
      return "ENOSYS";
    case Status::kTruncated:
      return "EBADMSG";
    case Status::kAddressInUse:
      return "EADDRINUSE";
    case Status::kConnectionReset:
      return "ECONNRESET";
    case Status::kNotConnected:
      return "ENOTCONN";
    case Status::kTimedOut:
      return "ETIMEDOUT";
    case Status::kConnectionRefused:
      return "ECONNREFUSED";
  }
  return "E?";
}

}  // namespace mica
#endif

// strerror: the message for each errno value.
#include <string.h>

#include <errno.h>

char* strerror(int error) {
  switch (error) {
    case 0:
      return "Success";
    case EPERM:
      return "Operation not permitted";
    case ENOENT:
      return "No such file or directory";
    case ESRCH:
      return "No such process";
    case EINTR:
      return "Interrupted system call";
    case EIO:
      return "I/O error";
    case ENOEXEC:
      return "Exec format error";
    case EBADF:
      return "Bad file descriptor";
    case ECHILD:
      return "No child processes";
    case EAGAIN:
      return "Resource temporarily unavailable";
    case ENOMEM:
      return "Out of memory";
    case EACCES:
      return "Permission denied";
    case EFAULT:
      return "Bad address";
    case EBUSY:
      return "Device or resource busy";
    case EEXIST:
      return "File exists";
    case ENOTDIR:
      return "Not a directory";
    case EISDIR:
      return "Is a directory";
    case EINVAL:
      return "Invalid argument";
    case EMFILE:
      return "Too many open files";
    case ENOTTY:
      return "Not a terminal";
    case ENOSPC:
      return "No space left on device";
    case ESPIPE:
      return "Illegal seek";
    case EROFS:
      return "Read-only file system";
    case EPIPE:
      return "Broken pipe";
    case EDOM:
      return "Numerical argument out of domain";
    case ERANGE:
      return "Result out of range";
    case ENAMETOOLONG:
      return "File name too long";
    case ENOSYS:
      return "Function not implemented";
    case ENOTEMPTY:
      return "Directory not empty";
    case ELOOP:
      return "Too many levels of symbolic links";
    case EMLINK:
      return "Too many links";
    case EBADMSG:
      return "Truncated or bad message";
    case ENOTSOCK:
      return "Not a socket";
    case EAFNOSUPPORT:
      return "Address family not supported";
    case EADDRINUSE:
      return "Address in use";
    case ECONNRESET:
      return "Connection reset";
    case ENOTCONN:
      return "Not connected";
    case ETIMEDOUT:
      return "Timed out";
    case ECONNREFUSED:
      return "Connection refused";
    default:
      return "Unknown error";
  }
}

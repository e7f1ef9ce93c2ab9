// The protocols mica's servers speak over IPC endpoints (<mica/syscall.h>
// messages: a label, four words, an optional handle and payload). Shared by
// the servers, the drivers and libc; C-compatible.
//
// Every request is a call (MICA_SYS_IPC_CALL_MESSAGE): the label names the
// operation, the words carry its integer arguments, a path or data travels
// as the payload, and bulk results come back as the reply's payload into
// the caller's buffer. The reply's words[0] is the result: >= 0, or a
// negated errno (-ENOENT ...). A server may take a call out of its thread
// (MICA_SYS_IPC_REPLY_DEFER) and answer it later, or hand the reply handle
// to another server to answer: callers never notice the difference, and a
// server that dies fails the calls it held with -ECONNRESET.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- The router (init): the service registry ----
// Every process is started with an endpoint to the router
// (MICA_STARTUP_ROUTER).
enum {
  // payload: the service name; handle: an endpoint (with TRANSFER and
  // WRITE) that the service receives on. -EEXIST if the name is taken by a
  // live service. Reply words[1]: the router's pid (the sender of the
  // messages it sends).
  MICA_ROUTER_REGISTER = 0x100,
  // payload: the service name -> reply handle: an endpoint to it (WRITE,
  // TRANSFER, DUPLICATE). -ENOENT if there is none (yet: a service that is
  // restarting is looked up again by its clients).
  MICA_ROUTER_LOOKUP = 0x101,
  // words[0]: nonzero to power off, zero to reboot. The VFS syncs, the
  // servers stop, then the machine.
  MICA_ROUTER_SHUTDOWN = 0x102,
  // -> payload: text, one line per service: "name pid restarts state\n".
  MICA_ROUTER_SERVICES = 0x103,
  // Before a new process starts, its creator registers it. handle: the
  // process (READ, MANAGE); payload: its name. The router records the
  // sender as its parent, lists it in MICA_ROUTER_PROCESSES and can kill it.
  MICA_ROUTER_ADOPT = 0x104,
  // words[0]: pid, words[1]: signal number -> 0, -ESRCH, -EPERM.
  MICA_ROUTER_KILL = 0x105,
  // -> words[0]: the caller's parent's pid (0 if none is known).
  MICA_ROUTER_PARENT = 0x106,
  // -> payload: text, one line per live process: "pid ppid state threads
  // kib cpu_ms name\n": state "running" (a thread runs or waits for a CPU),
  // "waiting" (every thread waits for an event) or "exiting"; kib its own
  // memory; cpu_ms the CPU time of its threads (MICA_SYS_PROCESS_INFO).
  MICA_ROUTER_PROCESSES = 0x107,
  // Sent (not called) by the VFS when it has done MICA_VFS_SHUTDOWN:
  // words[0]: 0 or the first file system's negated errno.
  MICA_ROUTER_SYNCED = 0x108,
};
#define MICA_SERVICE_NAME_MAX 32

// The names services register under.
#define MICA_SERVICE_VFS "vfs"
#define MICA_SERVICE_CONSOLE "console"
#define MICA_SERVICE_BLOCK "block"  // the root file system's disk
#define MICA_SERVICE_PCI "pci"
#define MICA_SERVICE_EXT2 "ext2"  // the file-system server of that disk

// ---- The VFS: files and directories, per-process descriptors ----
// The labels are the MICA_POSIX_* operations of <mica/posix.h>; the caller
// is the process that sent the message (mica_message.sender). Paths travel
// as the payload (NUL-terminated; rename: "from\0to\0"); results such as
// struct stat, struct dirent, a read's bytes or getcwd's path come back as
// the reply's payload, with words[0] the result.
enum {
  // Before a new process starts: gives it descriptors. words[0]: the child's
  // pid; payload: up to MICA_VFS_MAX_INHERIT int32_t pairs {child_fd,
  // parent_fd} naming the caller's descriptors the child gets (dup'ed);
  // handle: the child's process (READ right), so that the VFS closes its
  // descriptors when it dies. words[1]: nonzero to also copy the caller's
  // working directory.
  MICA_VFS_ADOPT = 0x200,
  // The caller ends: its descriptors close now (libc calls it at exit; the
  // process handle covers crashes).
  MICA_VFS_RELEASE = 0x201,
  // Writes every file system back to its device (before power-off).
  MICA_VFS_SYNC = 0x202,
  // A kernel socket (MICA_OBJECT_SOCKET) becomes a descriptor of the
  // caller: handle: the socket (transferred; the VFS keeps it, so that dup,
  // inheritance, poll and close work on the descriptor like on any other);
  // words[0]: its file status flags (O_NONBLOCK). Reply words[0]: the fd.
  // libc's socket(), accept() and socketpair() create the socket in the
  // kernel themselves and keep their own handle to it, so that send and
  // recv go straight to the kernel.
  MICA_VFS_SOCKET_INSTALL = 0x203,
  // The kernel socket behind descriptor words[0]: reply words[0] 0 (-EBADF,
  // -ENOTSOCK), words[1] the file status flags, handle a duplicate of the
  // socket for the caller. MICA_POSIX_READ and MICA_POSIX_WRITE on a socket
  // answer -ENOTSOCK: libc asks for the handle then and uses it.
  MICA_VFS_SOCKET_HANDLE = 0x204,
  // Sent (not called: see below) by the router for each process it starts
  // once the VFS runs. words[0]: its pid; handle: the process (READ). The
  // VFS watches it, to close its descriptors when it ends; it has the
  // console as 0, 1 and 2, as has every process the VFS has not met.
  MICA_VFS_WATCH = 0x205,
  // Sent by the router when the system stops: the VFS writes every file
  // system back, then sends MICA_ROUTER_SYNCED to the router.
  //
  // The VFS calls the router (to look up the console and the file-system
  // servers again after they restarted), so the router never calls the
  // VFS: a call each way at once would wait for ever.
  MICA_VFS_SHUTDOWN = 0x206,
};
#define MICA_VFS_MAX_INHERIT 16

// ---- File-system servers (//servers/ext2): inodes and names ----
// The VFS is the client: it walks paths, follows symlinks and keeps the
// descriptors; a file-system server answers for inodes of one volume.
// Inode numbers are words (32 bits are enough for ext2); 64-bit offsets,
// sizes and cookies travel as two words, low then high (the high word is 0
// on 64-bit arches). A name is the payload (NUL-terminated); two names are
// "first\0second\0" with the second's offset in a word. The server makes
// every change consistent on the disk before it replies (e2fsck -fn finds
// it clean between any two requests).
enum {
  // -> words[1]: the root directory's inode.
  MICA_FS_ROOT = 0x500,
  // words[0]: directory; payload: one name -> words[1]: inode, words[2]:
  // its mode: the S_IF* type (the permission bits may be 0: they come with
  // MICA_FS_STAT).
  MICA_FS_LOOKUP = 0x501,
  // words[0]: inode -> payload: struct mica_fs_stat.
  MICA_FS_STAT = 0x502,
  // words[0]: inode, words[1..2]: offset, words[3]: most bytes (at most
  // MICA_FS_MAX_TRANSFER) -> words[0]: bytes read (0 at the end); payload:
  // them.
  MICA_FS_READ = 0x503,
  // words[0]: inode, words[1..2]: offset; payload: the bytes -> words[0]:
  // bytes written.
  MICA_FS_WRITE = 0x504,
  // words[0]: inode, words[1..2]: the new size.
  MICA_FS_TRUNCATE = 0x505,
  // words[0]: directory, words[1..2]: cookie (0 starts) -> words[0]: 1 and
  // payload: struct mica_fs_dirent, words[1..2]: the next cookie; or 0 at
  // the end.
  MICA_FS_READDIR = 0x506,
  // words[0]: directory, words[1]: permission bits; payload: name ->
  // words[1]: the new inode. CREATE makes a regular file.
  MICA_FS_CREATE = 0x507,
  MICA_FS_MKDIR = 0x508,
  // words[0]: directory; payload: name.
  MICA_FS_UNLINK = 0x509,
  MICA_FS_RMDIR = 0x50a,
  // words[0]: from directory, words[1]: to directory, words[2]: offset of
  // the second name; payload: "from\0to\0".
  MICA_FS_RENAME = 0x50b,
  // words[0]: directory, words[1]: offset of the target; payload:
  // "name\0target\0" -> words[1]: the new inode.
  MICA_FS_SYMLINK = 0x50c,
  // words[0]: inode, words[1]: most bytes -> words[0]: the target's length;
  // payload: the target (no NUL). -EINVAL if not a symlink.
  MICA_FS_READLINK = 0x50d,
  // words[0]: inode, words[1]: directory; payload: the new name.
  MICA_FS_LINK = 0x50e,
  // Everything is on the disk when this returns (it always is after a
  // reply; this also flushes the disk's cache). words[0]: nonzero at
  // shut-down: files unlinked while open are freed too.
  MICA_FS_SYNC = 0x50f,
  // words[0]: inode. The VFS holds it open / let it go: a file unlinked
  // while open keeps its data until the last close.
  MICA_FS_OPEN = 0x510,
  MICA_FS_CLOSE = 0x511,
};
#define MICA_FS_MAX_TRANSFER 65536u

struct mica_fs_stat {
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;    // 512-byte units
  uint64_t mtime_ns;  // since the epoch
  uint32_t mode;
  uint32_t nlink;
};

struct mica_fs_dirent {
  uint64_t ino;
  uint8_t type;  // DT_*
  char name[256];
};

// ---- Console (tty) ----
enum {
  // words[0]: the most bytes wanted -> payload: one line (canonical mode,
  // with its '\n') or what is there (raw); 0 bytes at end of file (^D).
  MICA_CONSOLE_READ = 0x300,
  // payload: bytes to show -> words[0]: how many were taken.
  MICA_CONSOLE_WRITE = 0x301,
  // words[0]: MICA_CONSOLE_MODE_* bits.
  MICA_CONSOLE_SET_MODE = 0x302,
  // handle: the foreground process (MANAGE right), which ^C kills; none:
  // no foreground. words[0]: 0 to replace the foreground, or
  // MICA_CONSOLE_FOREGROUND_ADD to add the process to it (a pipeline's
  // stages, up to 16: -ENOSPC past that). A ^C typed after the shell read
  // its line and before it set the foreground kills what it then sets,
  // until it clears the foreground or reads again.
  MICA_CONSOLE_SET_FOREGROUND = 0x303,
  // -> words[0]: 1 if a READ would complete at once (a line, raw bytes or
  // an end of file waits), else 0 (poll's POLLIN).
  MICA_CONSOLE_POLL = 0x304,
};
#define MICA_CONSOLE_FOREGROUND_ADD (1u << 0)
#define MICA_CONSOLE_MODE_RAW (1u << 0)      // no line editing: bytes as they come
#define MICA_CONSOLE_MODE_NO_ECHO (1u << 1)  // do not echo what is typed

// ---- Block devices ----
enum {
  // -> words[0]: 0, words[1]: sector size in bytes, words[2]: sector count
  // (low 32 bits on 32-bit arches), words[3]: sector count >> 32.
  MICA_BLOCK_INFO = 0x400,
  // words[0]: first sector (low), words[1]: first sector (high), words[2]:
  // sector count -> payload: the sectors. At most MICA_BLOCK_MAX_TRANSFER
  // bytes; -EINVAL past the end.
  MICA_BLOCK_READ = 0x401,
  // words as READ; payload: the sectors -> words[0]: 0.
  MICA_BLOCK_WRITE = 0x402,
  // Everything written is on the medium when this returns.
  MICA_BLOCK_FLUSH = 0x403,
};
#define MICA_BLOCK_MAX_TRANSFER 65536u

// ---- PCI (drivers/pci: the PC's configuration space) ----
// A function is addressed as MICA_PCI_ADDRESS(bus, device, function); only
// the functions the server found at boot are reachable (-ENODEV otherwise).
// A driver claims its function (one owner at a time) and gets a hardware
// resource covering exactly that function's BARs and interrupt line.
#define MICA_PCI_ADDRESS(bus, device, function) \
  ((uint32_t)(((bus) << 8) | ((device) << 3) | (function)))
enum {
  // words[0]: the first to list (an index) -> words[0]: how many there are in
  // all; payload: struct mica_pci_device entries from that index on (as
  // many as fit the caller's buffer).
  MICA_PCI_LIST = 0x500,
  // words[0]: address, words[1]: register offset (0..255, aligned to the
  // size), words[2]: size (1, 2 or 4) -> words[0]: 0, words[1]: the value.
  // -EINVAL for a bad offset or size. Anyone may read.
  MICA_PCI_CONFIG_READ = 0x501,
  // words as READ, words[3]: the value -> words[0]: 0. Only the function's
  // owner (the process that claimed it) may write (-EACCES for others), and
  // only the command and status registers, cache line size, latency timer,
  // BIST and the device-specific registers from 0x40: the rest of the header
  // (BARs, bus numbers, the interrupt line) is what the grant was made
  // from (-EPERM).
  MICA_PCI_CONFIG_WRITE = 0x502,
  // words[0]: MICA_PCI_MATCH_*, words[1]: what to match; handle: one end of
  // a socket pair the caller keeps the other end of (the claim lasts until
  // that end closes: when the caller closes it or dies) -> words[0]: 0,
  // words[1]: the function's address; handle: a resource (GRANT) covering
  // exactly its I/O BARs, its memory BARs (whole pages) and its interrupt
  // line (none for a function with none of them); payload: its struct
  // mica_pci_device. The first matching function not claimed is taken.
  // -ENODEV: none matches; -EBUSY: all that match are claimed; -EPERM: a
  // BAR or the line lies outside the board's PCI windows; -EINVAL: a bad
  // match or no socket.
  MICA_PCI_CLAIM = 0x503,
};
#define MICA_PCI_MATCH_ADDRESS 0  // words[1]: MICA_PCI_ADDRESS
#define MICA_PCI_MATCH_ID 1       // words[1]: vendor << 16 | device
#define MICA_PCI_MATCH_CLASS 2    // words[1]: class << 8 | subclass

#define MICA_PCI_BAR_IO 1u            // an I/O port range (else memory)
#define MICA_PCI_BAR_64 2u            // memory: a 64-bit BAR (it uses the next slot too)
#define MICA_PCI_BAR_PREFETCHABLE 4u  // memory: prefetchable

struct mica_pci_bar {
  uint64_t base;   // port or physical address; 0 with size 0: unused
  uint64_t size;   // bytes
  uint32_t flags;  // MICA_PCI_BAR_*
  uint32_t reserved;
};

struct mica_pci_device {
  uint32_t address;  // MICA_PCI_ADDRESS
  uint16_t vendor, device;
  uint8_t class_code, subclass, prog_if, revision;
  uint8_t header_type;    // 0: device, 1: PCI-PCI bridge, 2: CardBus (bit 7 cleared)
  uint8_t irq_line;       // the interrupt line the firmware routed (0xff: none)
  uint8_t irq_pin;        // 1..4: INTA#..INTD#, 0: none
  uint8_t secondary_bus;  // bridges: the bus behind them
  uint16_t subsystem_vendor, subsystem;
  uint32_t owner;               // the pid that claimed it (MICA_PCI_CLAIM), 0: none
  struct mica_pci_bar bars[6];  // header type 0; bridges have two
};

#ifdef __cplusplus
}
#endif

// Processes: an address space, a handle table and the user threads that run
// in it. The kernel knows no binary format: whoever creates a process fills
// its memory and starts its threads (through system calls, or for the first
// process and the arch self-tests, through these functions).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/mm/page_table.h>
#include <lib/result.h>
#include <mica/syscall.h>

namespace user {

class Process;

// Creates an empty process: no memory, no threads. The caller holds one
// reference and gives it back with release(). kNoMemory, or kNoSpace at the
// product's process limit.
lib::Result<Process*> create_process(const char* name);
void release(Process& process);

// Maps `size` bytes (page multiples) of fresh zeroed memory at `address`
// with `permissions` (user access is implied). kInvalidArgs for a range
// outside user space or not page-aligned, kAlreadyExists if part is mapped.
lib::Result<void> map_anonymous(Process& process, uintptr_t address, size_t size,
                                mm::Permissions permissions);

// Copies `size` bytes from the kernel into the process's memory at `address`
// whatever the pages' permissions (they must be mapped: kFault otherwise).
lib::Result<void> write_memory(Process& process, uintptr_t address, const void* data, size_t size);

// Starts a user thread in `process` at `ip` with stack pointer `sp` and
// arg0/arg1 in argument registers 0 and 1. kNoProcess once the process is
// dying.
lib::Result<void> start_thread(Process& process, uintptr_t ip, uintptr_t sp, uintptr_t arg0,
                               uintptr_t arg1);

// Lets the process use I/O ports [base, base + count) (x86; kNotSupported
// elsewhere). Its threads on other CPUs see the change at their next switch.
lib::Result<void> allow_io_ports(Process& process, uint32_t base, uint32_t count);

// Waits until the process has ended (all of its threads) and says how.
mica_exit_info wait_for_exit(Process& process);

}  // namespace user

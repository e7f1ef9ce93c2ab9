// The x86 exception vectors (Intel SDM vol. 3A, table 6-1), shared by x86_64
// and i586.
#pragma once

#include <stdint.h>

namespace arch::x86 {

enum Vector : uint8_t {
  kDivideError = 0,
  kDebug = 1,
  kNmi = 2,
  kBreakpoint = 3,
  kOverflow = 4,
  kBoundRange = 5,
  kInvalidOpcode = 6,
  kDeviceNotAvailable = 7,
  kDoubleFault = 8,
  kInvalidTss = 10,
  kSegmentNotPresent = 11,
  kStackFault = 12,
  kGeneralProtection = 13,
  kPageFault = 14,
  kFpuError = 16,
  kAlignmentCheck = 17,
  kMachineCheck = 18,
  kSimdError = 19,
  kVirtualization = 20,
  kControlProtection = 21,
  kFirstInterrupt = 32,
};

// "page fault", "general protection fault", ...; "reserved" for holes.
const char* exception_name(unsigned vector);

// Page-fault error code bits.
enum PageFaultBits : uint64_t {
  kPfPresent = 1 << 0,
  kPfWrite = 1 << 1,
  kPfUser = 1 << 2,
  kPfReservedBit = 1 << 3,
  kPfInstructionFetch = 1 << 4,
};

// Writes "write, not present, kernel" style text for a page-fault error code.
void describe_page_fault(uint64_t error, char* out, unsigned long cap);

}  // namespace arch::x86

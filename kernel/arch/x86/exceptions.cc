#include <arch/x86/exceptions.h>
#include <lib/format.h>

namespace arch::x86 {

const char* exception_name(unsigned vector) {
  static constexpr const char* kNames[32] = {
      "divide error",
      "debug",
      "non-maskable interrupt",
      "breakpoint",
      "overflow",
      "bound range exceeded",
      "invalid opcode",
      "device not available",
      "double fault",
      "coprocessor segment overrun",
      "invalid TSS",
      "segment not present",
      "stack-segment fault",
      "general protection fault",
      "page fault",
      "reserved",
      "x87 floating-point error",
      "alignment check",
      "machine check",
      "SIMD floating-point error",
      "virtualization exception",
      "control protection exception",
  };
  if (vector >= 32 || kNames[vector] == nullptr) return "reserved";
  return kNames[vector];
}

void describe_page_fault(uint64_t error, char* out, unsigned long cap) {
  const char* access = (error & kPfInstructionFetch) ? "instruction fetch"
                       : (error & kPfWrite)          ? "write"
                                                     : "read";
  lib::format(out, cap, "%s, %s, %s mode%s", access,
              (error & kPfPresent) ? "protection violation" : "not present",
              (error & kPfUser) ? "user" : "kernel",
              (error & kPfReservedBit) ? ", reserved bit set" : "");
}

}  // namespace arch::x86

// i586 boot: from the Multiboot hand-over to kernel_main.
#include <arch/i586/trap_frame.h>
#include <arch/platform.h>
#include <arch/x86/fpu.h>
#include <arch/x86/pic.h>
#include <arch/x86/thread.h>
#include <arch/x86/tsc.h>
#include <core/boot/parsers.h>
#include <core/console.h>
#include <core/main.h>

namespace {

constinit boot::BootInfo g_boot_info;

// During boot everything below 3 GiB is identity-mapped (start.S), so a
// physical address there is readable as is.
class BootIdentityView final : public boot::PhysicalView {
 public:
  lib::ByteSpan view(uint64_t phys, size_t length) const override {
    constexpr uint64_t kLimit = 0xC0000000;
    if (phys >= kLimit) return {};
    uint64_t available = kLimit - phys;
    if (length > available) length = static_cast<size_t>(available);
    return lib::ByteSpan(reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(phys)), length);
  }
};

}  // namespace

extern "C" [[noreturn]] void i586_entry(uint32_t magic, uint32_t info_phys) {
  arch::x86::serial_init();
  arch::i586::init_descriptor_tables();
  arch::x86::fpu_cpu_init(arch::x86::this_cpu_fpu());
  arch::x86::pic_init();
  if (magic != boot::kMultibootBootloaderMagic) {
    panic("not started by a Multiboot boot loader (EAX = %#x)", magic);
  }
  BootIdentityView memory;
  auto parsed = boot::parse_multiboot(info_phys, memory, g_boot_info);
  if (!parsed.ok()) {
    panic("malformed Multiboot boot information: %s", mica::status_name(parsed.status()));
  }
  arch::x86::tsc_calibrate();
  kernel_main(g_boot_info);
}

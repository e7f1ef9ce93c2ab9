#include <core/console.h>
#include <core/mm/memory.h>
#include <core/user/hardware.h>
#include <core/user/init.h>
#include <core/user/process_object.h>
#include <lib/string.h>

namespace user {
namespace {

using Platform = arch::Platform;
constexpr uintptr_t kImageBase = 0x00200000;  // MICA_FLAT_IMAGE_BASE
constexpr uintptr_t kStackTop = 0x80000000;
constexpr size_t kStackSize = 256 * 1024;
constexpr size_t kPage = mm::kPageSize;

size_t round_up(size_t n) {
  return (n + kPage - 1) & ~(kPage - 1);
}

lib::Result<void> map_segment(Process& p, uintptr_t start, uintptr_t end, mm::Permissions perm) {
  if (end <= start) return {};
  return map_anonymous(p, kImageBase + start, round_up(end) - start, perm);
}

// Builds argv (the kernel command line, word by word), envp and the start-up
// block at the top of the stack; returns the block's address.
lib::Result<uintptr_t> write_startup(Process& p, const char* cmdline, const mica_handle_t* handles,
                                     const uint32_t* tags, uint32_t count) {
  constexpr size_t kMaxArgs = 32;
  char strings[512];
  uint32_t offsets[kMaxArgs];
  size_t used = 0, argc = 0;
  auto add = [&](const char* word, size_t length) {
    if (argc == kMaxArgs || used + length + 1 > sizeof(strings)) return;
    offsets[argc++] = static_cast<uint32_t>(used);
    memcpy(strings + used, word, length);
    strings[used + length] = 0;
    used += length + 1;
  };
  add("init", 4);
  for (const char* c = cmdline; *c != 0;) {
    while (*c == ' ') ++c;
    const char* word = c;
    while (*c != 0 && *c != ' ') ++c;
    if (c > word) add(word, static_cast<size_t>(c - word));
  }
  // Layout from the top down: strings, argv[] + null, envp null, the block.
  uintptr_t top = kStackTop;
  uintptr_t strings_at = (top - used) & ~uintptr_t{15};
  TRY(write_memory(p, strings_at, strings, used));
  uintptr_t argv_at = (strings_at - (argc + 2) * sizeof(uintptr_t)) & ~uintptr_t{15};
  uintptr_t pointers[kMaxArgs + 2];
  for (size_t i = 0; i < argc; ++i) pointers[i] = strings_at + offsets[i];
  pointers[argc] = 0;      // argv end
  pointers[argc + 1] = 0;  // envp: empty
  TRY(write_memory(p, argv_at, pointers, (argc + 2) * sizeof(uintptr_t)));
  mica_startup block = {};
  block.magic = MICA_STARTUP_MAGIC;
  block.argc = static_cast<uint32_t>(argc);
  block.argv = reinterpret_cast<char**>(argv_at);
  block.envp = reinterpret_cast<char**>(argv_at + argc * sizeof(uintptr_t) + sizeof(uintptr_t));
  block.handle_count = count;
  for (uint32_t i = 0; i < count; ++i) {
    block.handles[i] = handles[i];
    block.handle_tags[i] = tags[i];
  }
  block.stack_base = kStackTop - kStackSize;
  block.stack_size = kStackSize;
  uintptr_t block_at = (argv_at - sizeof(block)) & ~uintptr_t{15};
  TRY(write_memory(p, block_at, &block, sizeof(block)));
  return block_at;
}

}  // namespace

namespace {
boot::Framebuffer g_framebuffer;  // written once, before init runs
}  // namespace

const boot::Framebuffer& boot_framebuffer() {
  return g_framebuffer;
}

lib::Result<Process*> start_init(const boot::BootInfo& info) {
  g_framebuffer = info.framebuffer;
  const boot::BootModule* ramdisk = nullptr;
  for (size_t i = 0; i < info.module_count; ++i) {
    if (lib::streq(info.modules[i].name, "ramdisk")) ramdisk = &info.modules[i];
  }
  if (ramdisk == nullptr) return lib::Status::kNotFound;
  // The module is RAM the kernel never hands out; read it through a mapping.
  size_t module_size = static_cast<size_t>(ramdisk->size);
  if (module_size == 0) return lib::Status::kTruncated;
  auto* module = static_cast<const uint8_t*>(
      TRY(mm::map_physical(ramdisk->base, module_size, mm::Permissions::read_only())));
  FlatLayout layout = TRY(parse_flat_image(module, module_size));

  Process* p = TRY(Process::create("init"));
  Ref<Process> process(p);
  // Text R-X, rodata R, data and bss RW (W^X for user code too).
  TRY(map_segment(*p, 0, layout.text_end, mm::Permissions::read_execute()));
  TRY(map_segment(*p, layout.text_end, layout.rodata_end, mm::Permissions::read_only()));
  TRY(map_segment(*p, layout.rodata_end, layout.memory_size, mm::Permissions::read_write()));
  TRY(write_memory(*p, kImageBase, module, layout.file_size));
  // The stack, with an unmapped guard page below it.
  TRY(map_anonymous(*p, kStackTop - kStackSize, kStackSize, mm::Permissions::read_write()));

  // Handles: itself, the root resource, the ramdisk after the image.
  mica_handle_t handles[3];
  uint32_t tags[3] = {MICA_STARTUP_PROCESS, MICA_STARTUP_RESOURCE, MICA_STARTUP_RAMDISK};
  uint32_t count = 0;
  p->ref();
  auto self = p->handles().add(p, MICA_RIGHTS_ALL & ~MICA_RIGHT_GRANT);
  if (!self.ok()) p->unref();
  handles[count++] = TRY(self);
  Resource* resource = TRY(Resource::create(ResourceRanges::everything(Platform::kIrqCount)));
  auto root = p->handles().add(resource, MICA_RIGHTS_ALL);
  if (!root.ok()) resource->unref();
  handles[count++] = TRY(root);
  uint64_t tar_offset = round_up(layout.file_size);
  if (tar_offset < module_size) {
    // The boot loaders place modules on page boundaries; a ramdisk that is
    // not cannot be mapped, and init goes on without it.
    auto tar = MemoryObject::create_physical(ramdisk->base + tar_offset,
                                             round_up(module_size - tar_offset) / kPage);
    if (!tar.ok()) {
      kprintf("mica: the ramdisk at %#llx cannot be mapped for init: %s\n",
              static_cast<unsigned long long>(ramdisk->base), mica::status_name(tar.status()));
    } else {
      auto handle = p->handles().add(tar.value(), MICA_RIGHT_READ | MICA_RIGHT_MAP |
                                                      MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER);
      if (!handle.ok()) tar.value()->unref();
      handles[count] = TRY(handle);
      ++count;
    }
  }
  uintptr_t block = TRY(write_startup(*p, info.cmdline, handles, tags, count));
  kprintf("mica: starting init: %u KiB image, ramdisk %llu KiB\n", layout.memory_size / 1024,
          static_cast<unsigned long long>(
              (module_size - (tar_offset < module_size ? tar_offset : module_size)) / 1024));
  TRY(start_thread(*p, kImageBase + layout.entry, block, block, 0));
  return process.release();
}

}  // namespace user

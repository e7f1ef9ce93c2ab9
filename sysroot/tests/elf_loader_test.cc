// Host tests of the ELF loader (sysroot/lib/elf) against the example
// program as the build made it for each arch, and corrupted copies of it:
// one test per rejection path. Also checks the flat image the build made.
#include <string.h>

#include <vector>

#include <gtest/gtest.h>

#include <map>
#include <mica/elf_loader.h>
#include <mica/flat_image.h>

#include "sysroot/tests/elf_fixtures.h"

namespace {

struct Fixture {
  const char* name;
  const uint8_t* data;
  size_t size;
  uint16_t machine;
  uint64_t limit;
  bool is64;
};

const Fixture kFixtures[] = {
    {"x86_64", kHelloX86_64, sizeof(kHelloX86_64), MICA_ELF_MACHINE_X86_64, 0x800000000000ull,
     true},
    {"i586", kHelloI586, sizeof(kHelloI586), MICA_ELF_MACHINE_I386, 0xc0000000ull, false},
    {"aarch64", kHelloAarch64, sizeof(kHelloAarch64), MICA_ELF_MACHINE_AARCH64, 0x1000000000000ull,
     true},
};

// Field access for a class, to corrupt copies.
struct Elf {
  std::vector<uint8_t> bytes;
  bool is64;

  uint64_t get(size_t offset, size_t n) const {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= uint64_t{bytes[offset + i]} << (8 * i);
    return v;
  }
  void set(size_t offset, size_t n, uint64_t v) {
    for (size_t i = 0; i < n; i++) bytes[offset + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  size_t word() const { return is64 ? 8 : 4; }
  size_t e_entry() const { return 24; }
  size_t e_phoff() const { return is64 ? 32 : 28; }
  size_t e_phentsize() const { return is64 ? 54 : 42; }
  size_t e_phnum() const { return is64 ? 56 : 44; }
  size_t phdr(size_t i) const { return get(e_phoff(), word()) + i * get(e_phentsize(), 2); }
  size_t phnum() const { return get(e_phnum(), 2); }
  // Offsets of program header fields.
  size_t p_type(size_t i) const { return phdr(i); }
  size_t p_offset(size_t i) const { return phdr(i) + (is64 ? 8 : 4); }
  size_t p_vaddr(size_t i) const { return phdr(i) + (is64 ? 16 : 8); }
  size_t p_filesz(size_t i) const { return phdr(i) + (is64 ? 32 : 16); }
  size_t p_memsz(size_t i) const { return phdr(i) + (is64 ? 40 : 20); }
  // The index of the n-th PT_LOAD.
  size_t load(size_t n) const {
    for (size_t i = 0; i < phnum(); i++) {
      if (get(p_type(i), 4) == 1 && n-- == 0) return i;
    }
    ADD_FAILURE() << "no PT_LOAD " << n;
    return 0;
  }
};

class ElfLoader : public ::testing::TestWithParam<Fixture> {
 protected:
  Elf copy() const {
    const Fixture& f = GetParam();
    return Elf{std::vector<uint8_t>(f.data, f.data + f.size), f.is64};
  }
  mica_elf_error parse(const Elf& elf, size_t size = SIZE_MAX) {
    const Fixture& f = GetParam();
    return mica_elf_parse(elf.bytes.data(), size == SIZE_MAX ? elf.bytes.size() : size, f.machine,
                          f.limit, &image_);
  }
  mica_elf_image image_;
};

// A process's memory, page by page, as the callbacks fill it.
struct Memory {
  std::map<uint64_t, std::vector<uint8_t>> pages;
  std::map<uint64_t, uint32_t> prot;
  int fail_map = 0;
  int fail_write = 0;

  static int map(void* context, uint64_t address, uint64_t size, uint32_t prot) {
    auto* m = static_cast<Memory*>(context);
    if (m->fail_map) return m->fail_map;
    EXPECT_EQ(address % 4096, 0u);
    EXPECT_EQ(size % 4096, 0u);
    for (uint64_t a = address; a < address + size; a += 4096) {
      EXPECT_EQ(m->pages.count(a), 0u) << "page mapped twice";
      m->pages[a] = std::vector<uint8_t>(4096, 0);
      m->prot[a] = prot;
    }
    return 0;
  }
  static int write(void* context, uint64_t address, const void* bytes, size_t size) {
    auto* m = static_cast<Memory*>(context);
    if (m->fail_write) return m->fail_write;
    const auto* b = static_cast<const uint8_t*>(bytes);
    for (size_t i = 0; i < size; i++) {
      uint64_t a = address + i;
      auto page = m->pages.find(a & ~uint64_t{4095});
      if (page == m->pages.end()) return -14;  // EFAULT
      page->second[a & 4095] = b[i];
    }
    return 0;
  }
  int read(uint64_t address) const {
    auto page = pages.find(address & ~uint64_t{4095});
    return page == pages.end() ? -1 : page->second[address & 4095];
  }
};

TEST_P(ElfLoader, ParsesAndLoadsTheRealProgram) {
  Elf elf = copy();
  ASSERT_EQ(parse(elf), MICA_ELF_OK) << GetParam().name;
  EXPECT_EQ(image_.machine, GetParam().machine);
  EXPECT_EQ(image_.entry, elf.get(elf.e_entry(), elf.word()));
  EXPECT_GE(image_.segment_count, 3u);  // read-only, text, data at least
  EXPECT_EQ(image_.low % 4096, 0u);
  EXPECT_GT(image_.high, image_.low);

  Memory memory;
  mica_elf_loader_ops ops = {Memory::map, Memory::write, &memory};
  int status = 1;
  ASSERT_EQ(mica_elf_load(elf.bytes.data(), elf.bytes.size(), &image_, &ops, &status), MICA_ELF_OK);
  EXPECT_EQ(status, 0);
  bool saw_text = false;
  bool saw_bss = false;
  for (uint32_t i = 0; i < image_.segment_count; i++) {
    const mica_elf_segment& s = image_.segments[i];
    // File bytes where they belong, zeros after them (.bss).
    for (uint64_t j = 0; j < s.memory_size; j += 97) {
      int expected = j < s.file_size ? elf.bytes[s.file_offset + j] : 0;
      ASSERT_EQ(memory.read(s.address + j), expected) << "segment " << i << " byte " << j;
    }
    EXPECT_EQ(memory.prot[s.address & ~uint64_t{4095}], s.prot);
    if (s.prot == (MICA_PROT_READ | MICA_PROT_EXEC)) {
      saw_text = true;
      EXPECT_GE(image_.entry, s.address);
      EXPECT_LT(image_.entry, s.address + s.memory_size);
    }
    if (s.memory_size > s.file_size) {
      saw_bss = true;
      EXPECT_EQ(s.prot, MICA_PROT_READ | MICA_PROT_WRITE);
    }
    EXPECT_FALSE((s.prot & MICA_PROT_WRITE) && (s.prot & MICA_PROT_EXEC)) << "W^X";
  }
  EXPECT_TRUE(saw_text);
  EXPECT_TRUE(saw_bss);
}

TEST_P(ElfLoader, LoadReportsCallbackFailures) {
  Elf elf = copy();
  ASSERT_EQ(parse(elf), MICA_ELF_OK);
  Memory memory;
  memory.fail_map = -12;
  mica_elf_loader_ops ops = {Memory::map, Memory::write, &memory};
  int status = 0;
  EXPECT_EQ(mica_elf_load(elf.bytes.data(), elf.bytes.size(), &image_, &ops, &status),
            MICA_ELF_MAP_FAILED);
  EXPECT_EQ(status, -12);
  Memory memory2;
  memory2.fail_write = -14;
  ops.context = &memory2;
  EXPECT_EQ(mica_elf_load(elf.bytes.data(), elf.bytes.size(), &image_, &ops, &status),
            MICA_ELF_WRITE_FAILED);
  EXPECT_EQ(status, -14);
}

TEST_P(ElfLoader, RejectsTruncated) {
  Elf elf = copy();
  EXPECT_EQ(parse(elf, 0), MICA_ELF_TRUNCATED);
  EXPECT_EQ(parse(elf, 15), MICA_ELF_TRUNCATED);
  EXPECT_EQ(parse(elf, elf.is64 ? 63 : 51), MICA_ELF_TRUNCATED);  // inside the ELF header
  // The program headers end past the buffer.
  EXPECT_EQ(parse(elf, elf.phdr(elf.phnum() - 1) + 4), MICA_ELF_TRUNCATED);
  elf.set(elf.e_phoff(), elf.word(), elf.bytes.size() - 8);
  EXPECT_EQ(parse(elf), MICA_ELF_TRUNCATED);
}

TEST_P(ElfLoader, RejectsBadIdent) {
  Elf elf = copy();
  elf.bytes[1] = 'X';
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_MAGIC);
  elf = copy();
  elf.bytes[4] = elf.is64 ? 1 : 2;
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_CLASS);
  elf = copy();
  elf.bytes[5] = 2;  // big-endian
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_ENCODING);
  elf = copy();
  elf.bytes[6] = 0;
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_VERSION);
  elf = copy();
  elf.set(20, 4, 2);  // e_version
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_VERSION);
}

TEST_P(ElfLoader, RejectsWrongTypeOrMachine) {
  Elf elf = copy();
  elf.set(16, 2, 3);  // ET_DYN
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_TYPE);
  elf = copy();
  elf.set(18, 2, elf.is64 ? 8 : 40);  // MIPS, ARM
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_MACHINE);
  elf = copy();
  elf.set(elf.e_phentsize(), 2, elf.is64 ? 64 : 40);
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_HEADER_SIZE);
}

TEST_P(ElfLoader, RejectsEveryOtherArch) {
  Elf elf = copy();
  for (const Fixture& other : kFixtures) {
    if (other.machine == GetParam().machine) continue;
    EXPECT_NE(
        mica_elf_parse(elf.bytes.data(), elf.bytes.size(), other.machine, other.limit, &image_),
        MICA_ELF_OK)
        << GetParam().name << " loaded as " << other.name;
  }
}

TEST_P(ElfLoader, RejectsDynamic) {
  Elf elf = copy();
  // Turn the last non-load header (PT_GNU_STACK) into PT_INTERP.
  size_t i = elf.phnum() - 1;
  while (elf.get(elf.p_type(i), 4) == 1) i--;
  elf.set(elf.p_type(i), 4, 3);
  EXPECT_EQ(parse(elf), MICA_ELF_NOT_STATIC);
  elf.set(elf.p_type(i), 4, 2);  // PT_DYNAMIC
  EXPECT_EQ(parse(elf), MICA_ELF_NOT_STATIC);
}

TEST_P(ElfLoader, RejectsNoSegments) {
  Elf elf = copy();
  for (size_t i = 0; i < elf.phnum(); i++) {
    if (elf.get(elf.p_type(i), 4) == 1) elf.set(elf.p_type(i), 4, 0);  // PT_NULL
  }
  EXPECT_EQ(parse(elf), MICA_ELF_NO_SEGMENTS);
}

TEST_P(ElfLoader, RejectsTooManySegments) {
  // Append a program header table of 17 small PT_LOADs (copies of the
  // data segment moved a page apart each time).
  Elf elf = copy();
  size_t entry_size = elf.get(elf.e_phentsize(), 2);
  size_t data = elf.load(2);
  std::vector<uint8_t> one(elf.bytes.begin() + elf.phdr(data),
                           elf.bytes.begin() + elf.phdr(data) + entry_size);
  size_t table = elf.bytes.size();
  for (int i = 0; i < 17; i++) elf.bytes.insert(elf.bytes.end(), one.begin(), one.end());
  elf.set(elf.e_phoff(), elf.word(), table);
  elf.set(elf.e_phnum(), 2, 17);
  for (size_t i = 0; i < 17; i++) {
    elf.set(elf.p_vaddr(i), elf.word(),
            0x10000000 + i * 0x10000 + (elf.get(elf.p_offset(i), elf.word()) & 4095));
  }
  EXPECT_EQ(parse(elf), MICA_ELF_TOO_MANY_SEGMENTS);
}

TEST_P(ElfLoader, RejectsSegmentOutsideFile) {
  Elf elf = copy();
  size_t text = elf.load(1);
  elf.set(elf.p_offset(text), elf.word(), elf.bytes.size() - 16);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OUTSIDE_FILE);
  elf = copy();
  // An offset + size that wraps around.
  elf.set(elf.p_offset(text), elf.word(), elf.is64 ? ~uint64_t{0} - 8 : 0xfffffff0u);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OUTSIDE_FILE);
}

TEST_P(ElfLoader, RejectsFileSizeAboveMemorySize) {
  Elf elf = copy();
  size_t text = elf.load(1);
  elf.set(elf.p_memsz(text), elf.word(), elf.get(elf.p_filesz(text), elf.word()) - 1);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_FILESZ);
}

TEST_P(ElfLoader, RejectsAddressOverflow) {
  Elf elf = copy();
  size_t data = elf.load(2);
  uint64_t top = elf.is64 ? ~uint64_t{0} : 0xffffffffu;
  elf.set(elf.p_vaddr(data), elf.word(),
          (top & ~uint64_t{4095}) | (elf.get(elf.p_offset(data), elf.word()) & 4095));
  if (elf.is64) {
    EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OVERFLOW);
  } else {
    // 32-bit addresses cannot wrap 64-bit arithmetic: the top is simply out
    // of user space.
    EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OUT_OF_RANGE);
  }
}

TEST_P(ElfLoader, RejectsSegmentsOutsideUserSpace) {
  Elf elf = copy();
  size_t data = elf.load(2);
  uint64_t offset_in_page = elf.get(elf.p_offset(data), elf.word()) & 4095;
  elf.set(elf.p_vaddr(data), elf.word(), GetParam().limit - 4096 + offset_in_page);
  elf.set(elf.p_memsz(data), elf.word(), 8192);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OUT_OF_RANGE);  // ends above the limit
  elf.set(elf.p_memsz(data), elf.word(), 4096 - offset_in_page);
  elf.set(elf.p_filesz(data), elf.word(), 0);
  EXPECT_EQ(parse(elf), MICA_ELF_OK);  // ends exactly at the limit
  elf = copy();
  elf.set(elf.p_vaddr(data), elf.word(), GetParam().limit + offset_in_page);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OUT_OF_RANGE);  // wholly above
  elf = copy();
  size_t first = elf.load(0);
  elf.set(elf.p_vaddr(first), elf.word(), elf.get(elf.p_offset(first), elf.word()) & 4095);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OUT_OF_RANGE);  // page 0
}

TEST_P(ElfLoader, RejectsMisalignedSegment) {
  Elf elf = copy();
  size_t text = elf.load(1);
  elf.set(elf.p_vaddr(text), elf.word(), elf.get(elf.p_vaddr(text), elf.word()) + 8);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_MISALIGNED);
}

TEST_P(ElfLoader, RejectsOverlappingSegments) {
  Elf elf = copy();
  size_t text = elf.load(1);
  size_t data = elf.load(2);
  // Put the data segment on the text segment's last page.
  uint64_t text_end =
      elf.get(elf.p_vaddr(text), elf.word()) + elf.get(elf.p_memsz(text), elf.word());
  uint64_t offset_in_page = elf.get(elf.p_offset(data), elf.word()) & 4095;
  elf.set(elf.p_vaddr(data), elf.word(), ((text_end - 1) & ~uint64_t{4095}) + offset_in_page);
  EXPECT_EQ(parse(elf), MICA_ELF_SEGMENT_OVERLAP);
}

TEST_P(ElfLoader, RejectsEntryOutsideText) {
  Elf elf = copy();
  size_t first = elf.load(0);  // read-only, not executable
  elf.set(elf.e_entry(), elf.word(), elf.get(elf.p_vaddr(first), elf.word()));
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_ENTRY);
  elf.set(elf.e_entry(), elf.word(), 0x10);
  EXPECT_EQ(parse(elf), MICA_ELF_BAD_ENTRY);
}

INSTANTIATE_TEST_SUITE_P(Arches, ElfLoader, ::testing::ValuesIn(kFixtures),
                         [](const ::testing::TestParamInfo<Fixture>& info) {
                           return std::string(info.param.name);
                         });

TEST(ElfLoaderErrors, EveryErrorHasItsOwnName) {
  std::map<std::string, int> seen;
  for (int e = 0; e < MICA_ELF_ERROR_COUNT; e++) {
    std::string name = mica_elf_error_name(static_cast<mica_elf_error>(e));
    EXPECT_NE(name, "unknown error");
    EXPECT_EQ(seen.count(name), 0u) << name;
    seen[name] = e;
  }
}

TEST(FlatImage, HeaderDescribesTheFile) {
  mica_flat_image_header h;
  ASSERT_GE(sizeof(kHelloFlatX86_64), sizeof(h));
  memcpy(&h, kHelloFlatX86_64, sizeof(h));
  EXPECT_EQ(h.magic, MICA_FLAT_IMAGE_MAGIC);
  EXPECT_EQ(h.file_size, sizeof(kHelloFlatX86_64));
  EXPECT_GE(h.entry, sizeof(h));
  EXPECT_LT(h.entry, h.text_end);
  EXPECT_EQ(h.text_end % 4096, 0u);
  EXPECT_EQ(h.rodata_end % 4096, 0u);
  EXPECT_EQ(h.memory_size % 4096, 0u);
  EXPECT_LE(h.text_end, h.rodata_end);
  EXPECT_LE(h.rodata_end, h.file_size);
  EXPECT_LT(h.file_size, h.memory_size);  // hello has .bss (stdio buffers)
  // _start: x86_64 crt0 begins with xor %ebp, %ebp (31 ed).
  EXPECT_EQ(kHelloFlatX86_64[h.entry], 0x31);
  EXPECT_EQ(kHelloFlatX86_64[h.entry + 1], 0xed);
}

}  // namespace

// Host tests of the C library (sysroot/lib/c built for the host under the
// mica_host_ names): printf formatting, string functions, the strtol
// family, qsort/bsearch and malloc on a test page source.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <algorithm>
#include <errno.h>
#include <limits.h>
#include <thread>

#include "../lib/c/malloc_hooks.h"
#include "host_libc.h"

namespace {

int& libc_errno() {
  return *__mica_errno_location();
}

template <typename... Args>
std::string format(const char* f, Args... args) {
  char buffer[512];
  int n = mica_host_snprintf(buffer, sizeof(buffer), f, args...);
  EXPECT_EQ(n, static_cast<int>(strlen(buffer))) << f;
  return buffer;
}

// Every conversion against the host's printf (glibc) where they agree.
TEST(Printf, MatchesHostPrintf) {
  const char* const int_formats[] = {"%d",    "%i",   "%5d",   "%-5d|",   "%05d", "%+d",
                                     "% d",   "%.3d", "%8.3d", "%-8.3d|", "%x",   "%X",
                                     "%#x",   "%#X",  "%o",    "%#o",     "%u",   "%08x",
                                     "%#08x", "%.0d", "%+.0d", "%#.0o",   "%*d",  "%-*d|"};
  const int values[] = {0, 1, -1, 42, -42, 255, 4096, INT_MAX, INT_MIN};
  for (const char* f : int_formats) {
    for (int v : values) {
      char expected[128];
      char actual[128];
      bool star = strchr(f, '*') != nullptr;
      if (star) {
        snprintf(expected, sizeof(expected), f, 7, v);
        mica_host_snprintf(actual, sizeof(actual), f, 7, v);
      } else {
        snprintf(expected, sizeof(expected), f, v);
        mica_host_snprintf(actual, sizeof(actual), f, v);
      }
      EXPECT_STREQ(actual, expected) << "format " << f << " value " << v;
    }
  }
}

TEST(Printf, Lengths) {
  EXPECT_EQ(format("%ld", -1234567890123L), "-1234567890123");
  EXPECT_EQ(format("%lld", LLONG_MIN), "-9223372036854775808");
  EXPECT_EQ(format("%llu", ULLONG_MAX), "18446744073709551615");
  EXPECT_EQ(format("%llx", 0xdeadbeefcafef00dULL), "deadbeefcafef00d");
  EXPECT_EQ(format("%zu", static_cast<size_t>(123456)), "123456");
  EXPECT_EQ(format("%zx", SIZE_MAX), "ffffffffffffffff");
  EXPECT_EQ(format("%hhd", 300), "44");
  EXPECT_EQ(format("%hu", 70000), "4464");
  EXPECT_EQ(format("%jd", static_cast<intmax_t>(-5)), "-5");
  EXPECT_EQ(format("%td", static_cast<ptrdiff_t>(-7)), "-7");
  EXPECT_EQ(format("%lu", ULONG_MAX), "18446744073709551615");
}

TEST(Printf, CharsStringsPointers) {
  EXPECT_EQ(format("%c%c%c", 'm', 'i', 'a'), "mia");
  EXPECT_EQ(format("[%3c]", 'x'), "[  x]");
  EXPECT_EQ(format("[%-3c]", 'x'), "[x  ]");
  EXPECT_EQ(format("%s", "mica"), "mica");
  EXPECT_EQ(format("[%8s]", "mica"), "[    mica]");
  EXPECT_EQ(format("[%-8s]", "mica"), "[mica    ]");
  EXPECT_EQ(format("[%.2s]", "mica"), "[mi]");
  EXPECT_EQ(format("[%6.2s]", "mica"), "[    mi]");
  EXPECT_EQ(format("[%.*s]", 3, "mica"), "[mic]");
  EXPECT_EQ(format("%s", static_cast<const char*>(nullptr)), "(null)");
  EXPECT_EQ(format("%p", reinterpret_cast<void*>(0x1234)), "0x1234");
  EXPECT_EQ(format("%p", static_cast<void*>(nullptr)), "0x0");
  EXPECT_EQ(format("[%18p]", reinterpret_cast<void*>(0xabc)), "[             0xabc]");
  EXPECT_EQ(format("100%%"), "100%");
  EXPECT_EQ(format("%d%%%s", 5, "!"), "5%!");
  // An unknown conversion is printed as written.
  EXPECT_EQ(format("a%yb"), "a%yb");
}

TEST(Printf, SnprintfTruncates) {
  char buffer[8];
  memset(buffer, 'Z', sizeof(buffer));
  EXPECT_EQ(mica_host_snprintf(buffer, 5, "%s", "abcdefgh"), 8);
  EXPECT_STREQ(buffer, "abcd");
  EXPECT_EQ(buffer[5], 'Z');  // nothing written past the size
  EXPECT_EQ(mica_host_snprintf(buffer, 1, "%d", 12345), 5);
  EXPECT_STREQ(buffer, "");
  buffer[0] = 'Q';
  EXPECT_EQ(mica_host_snprintf(buffer, 0, "%d", 12345), 5);
  EXPECT_EQ(buffer[0], 'Q');
  EXPECT_EQ(mica_host_snprintf(nullptr, 0, "%s-%d", "abc", 10), 6);
  EXPECT_EQ(mica_host_snprintf(buffer, sizeof(buffer), "%5d|%d", 1, 22), 8);
  EXPECT_STREQ(buffer, "    1|2");
  char big[64];
  EXPECT_EQ(mica_host_sprintf(big, "%s=%#x", "value", 255), 10);
  EXPECT_STREQ(big, "value=0xff");
}

TEST(String, MemFunctions) {
  char buffer[64];
  EXPECT_EQ(mica_host_memset(buffer, 'a', sizeof(buffer)), buffer);
  for (char c : buffer) EXPECT_EQ(c, 'a');
  // Every alignment and length of memset and memcpy.
  for (size_t offset = 0; offset < 9; offset++) {
    for (size_t n = 0; n < 40; n++) {
      char src[64];
      char dst[64];
      for (size_t i = 0; i < sizeof(src); i++) src[i] = static_cast<char>(i * 7 + 1);
      memset(dst, 0, sizeof(dst));
      mica_host_memcpy(dst + offset, src + (offset * 3) % 8, n);
      EXPECT_EQ(memcmp(dst + offset, src + (offset * 3) % 8, n), 0);
      EXPECT_EQ(dst[offset + n], 0);
      mica_host_memset(dst + offset, 0x5a, n);
      for (size_t i = 0; i < n; i++) EXPECT_EQ(dst[offset + i], 0x5a);
      EXPECT_EQ(dst[offset + n], 0);
    }
  }
  EXPECT_EQ(mica_host_memcmp("abc", "abd", 3), -1);
  EXPECT_EQ(mica_host_memcmp("abd", "abc", 3), 1);
  EXPECT_EQ(mica_host_memcmp("ab\xff", "ab\x01", 3), 1);  // unsigned bytes
  EXPECT_EQ(mica_host_memcmp("abc", "abd", 2), 0);
  EXPECT_EQ(mica_host_memcmp("x", "y", 0), 0);
  const char text[] = "hello";
  EXPECT_EQ(mica_host_memchr(text, 'l', 5), text + 2);
  EXPECT_EQ(mica_host_memrchr(text, 'l', 5), text + 3);
  EXPECT_EQ(mica_host_memchr(text, 'z', 5), nullptr);
  EXPECT_EQ(mica_host_memchr(text, 0, 6), text + 5);
}

TEST(String, MemmoveOverlaps) {
  for (int shift = -9; shift <= 9; shift++) {
    for (size_t n = 0; n < 33; n++) {
      char buffer[80];
      char expected[80];
      for (size_t i = 0; i < sizeof(buffer); i++) buffer[i] = expected[i] = static_cast<char>(i);
      size_t from = 20;
      size_t to = static_cast<size_t>(static_cast<int>(from) + shift);
      memmove(expected + to, expected + from, n);
      EXPECT_EQ(mica_host_memmove(buffer + to, buffer + from, n), buffer + to);
      EXPECT_EQ(memcmp(buffer, expected, sizeof(buffer)), 0) << "shift " << shift << " n " << n;
    }
  }
}

TEST(String, StrFunctions) {
  EXPECT_EQ(mica_host_strlen(""), 0u);
  EXPECT_EQ(mica_host_strlen("mica"), 4u);
  EXPECT_EQ(mica_host_strnlen("mica", 2), 2u);
  EXPECT_EQ(mica_host_strnlen("mi", 10), 2u);
  EXPECT_EQ(mica_host_strcmp("a", "a"), 0);
  EXPECT_LT(mica_host_strcmp("a", "b"), 0);
  EXPECT_GT(mica_host_strcmp("b", "a"), 0);
  EXPECT_LT(mica_host_strcmp("ab", "abc"), 0);
  EXPECT_GT(mica_host_strcmp("\xff", "a"), 0);  // unsigned
  EXPECT_EQ(mica_host_strncmp("abcx", "abcy", 3), 0);
  EXPECT_LT(mica_host_strncmp("abcx", "abcy", 4), 0);
  EXPECT_EQ(mica_host_strncmp("a", "b", 0), 0);
  EXPECT_EQ(mica_host_strcasecmp("MiCa", "mica"), 0);
  EXPECT_LT(mica_host_strcasecmp("abc", "ABD"), 0);
  EXPECT_EQ(mica_host_strncasecmp("HELLO", "help", 3), 0);

  char buffer[32];
  EXPECT_EQ(mica_host_strcpy(buffer, "mica"), buffer);
  EXPECT_STREQ(buffer, "mica");
  EXPECT_EQ(mica_host_stpcpy(buffer, "ab"), buffer + 2);
  EXPECT_EQ(mica_host_strcat(buffer, "cd"), buffer);
  EXPECT_STREQ(buffer, "abcd");
  EXPECT_STREQ(mica_host_strncat(buffer, "efgh", 2), "abcdef");
  memset(buffer, 'x', sizeof(buffer));
  mica_host_strncpy(buffer, "ab", 5);
  EXPECT_EQ(memcmp(buffer, "ab\0\0\0x", 6), 0);  // pads with zeros
  mica_host_strncpy(buffer, "abcdef", 3);
  EXPECT_EQ(memcmp(buffer, "abc\0\0x", 6), 0);  // no terminator when truncated
  EXPECT_EQ(mica_host_strlcpy(buffer, "abcdef", 4), 6u);
  EXPECT_STREQ(buffer, "abc");
  EXPECT_EQ(mica_host_strlcat(buffer, "xyz", 6), 6u);
  EXPECT_STREQ(buffer, "abcxy");

  const char* s = "a/b/c";
  EXPECT_EQ(mica_host_strchr(s, '/'), s + 1);
  EXPECT_EQ(mica_host_strrchr(s, '/'), s + 3);
  EXPECT_EQ(mica_host_strchr(s, 0), s + 5);
  EXPECT_EQ(mica_host_strrchr(s, 0), s + 5);
  EXPECT_EQ(mica_host_strchr(s, 'z'), nullptr);
  const char* h = "abcabd";
  EXPECT_EQ(mica_host_strstr(h, "abd"), h + 3);
  EXPECT_EQ(mica_host_strstr(h, ""), h);
  EXPECT_EQ(mica_host_strstr(h, "abe"), nullptr);
  EXPECT_EQ(mica_host_strspn("  \tx", " \t"), 3u);
  EXPECT_EQ(mica_host_strcspn("abc,def", ",;"), 3u);
  EXPECT_EQ(mica_host_strpbrk(h, "dc"), h + 2);
  EXPECT_EQ(mica_host_strpbrk(h, "xyz"), nullptr);

  char tokens[] = " one,two,,three ";
  char* save = nullptr;
  std::vector<std::string> found;
  for (char* t = mica_host_strtok_r(tokens, " ,", &save); t;
       t = mica_host_strtok_r(nullptr, " ,", &save)) {
    found.push_back(t);
  }
  EXPECT_EQ(found, (std::vector<std::string>{"one", "two", "three"}));
}

TEST(Ctype, Classes) {
  EXPECT_TRUE(mica_host_isspace('\n'));
  EXPECT_FALSE(mica_host_isspace('x'));
  EXPECT_TRUE(mica_host_isxdigit('F'));
  EXPECT_FALSE(mica_host_isxdigit('g'));
  EXPECT_TRUE(mica_host_ispunct('!'));
  EXPECT_FALSE(mica_host_ispunct('a'));
  EXPECT_EQ(mica_host_toupper('a'), 'A');
  EXPECT_EQ(mica_host_tolower('Z'), 'z');
  EXPECT_EQ(mica_host_toupper('1'), '1');
}

TEST(Strtol, Bases) {
  char* end;
  EXPECT_EQ(mica_host_strtol("  -123xyz", &end, 10), -123);
  EXPECT_STREQ(end, "xyz");
  EXPECT_EQ(mica_host_strtol("+42", nullptr, 10), 42);
  EXPECT_EQ(mica_host_strtol("0x1F", nullptr, 0), 31);
  EXPECT_EQ(mica_host_strtol("0X1f", nullptr, 16), 31);
  EXPECT_EQ(mica_host_strtol("1f", nullptr, 16), 31);
  EXPECT_EQ(mica_host_strtol("017", nullptr, 0), 15);
  EXPECT_EQ(mica_host_strtol("17", nullptr, 8), 15);
  EXPECT_EQ(mica_host_strtol("101", nullptr, 2), 5);
  EXPECT_EQ(mica_host_strtol("zz", nullptr, 36), 35 * 36 + 35);
  EXPECT_EQ(mica_host_strtol("0", &end, 0), 0);
  EXPECT_STREQ(end, "");
  // "0x" without hex digits: the 0 is the number.
  EXPECT_EQ(mica_host_strtol("0xg", &end, 0), 0);
  EXPECT_STREQ(end, "xg");
  EXPECT_EQ(mica_host_strtol("9", &end, 8), 0);
  EXPECT_STREQ(end, "9");
  EXPECT_EQ(mica_host_atoi("  77 "), 77);
  EXPECT_EQ(mica_host_strtoul("-1", nullptr, 10), ULONG_MAX);
  EXPECT_EQ(mica_host_strtoull("18446744073709551615", nullptr, 10), ULLONG_MAX);
  EXPECT_EQ(mica_host_strtoll("-9223372036854775808", nullptr, 10), LLONG_MIN);
}

TEST(Strtol, Errors) {
  char* end;
  const char* text = "   abc";
  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtol(text, &end, 10), 0);
  EXPECT_EQ(end, text);  // nothing converted
  EXPECT_EQ(mica_host_strtol("-", &end, 10), 0);
  EXPECT_STREQ(end, "-");
  EXPECT_EQ(libc_errno(), 0);

  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtol("12", &end, 1), 0);
  EXPECT_EQ(libc_errno(), EINVAL);
  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtol("12", &end, 37), 0);
  EXPECT_EQ(libc_errno(), EINVAL);

  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtol("9223372036854775807", nullptr, 10), LONG_MAX);
  EXPECT_EQ(libc_errno(), 0);
  EXPECT_EQ(mica_host_strtol("9223372036854775808", &end, 10), LONG_MAX);
  EXPECT_EQ(libc_errno(), ERANGE);
  EXPECT_STREQ(end, "");  // consumes every digit
  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtol("-9223372036854775809", nullptr, 10), LONG_MIN);
  EXPECT_EQ(libc_errno(), ERANGE);
  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtoul("18446744073709551616", nullptr, 10), ULONG_MAX);
  EXPECT_EQ(libc_errno(), ERANGE);
  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtoull("0x10000000000000000", nullptr, 16), ULLONG_MAX);
  EXPECT_EQ(libc_errno(), ERANGE);
  libc_errno() = 0;
  EXPECT_EQ(mica_host_strtoll("99999999999999999999999", nullptr, 10), LLONG_MAX);
  EXPECT_EQ(libc_errno(), ERANGE);
}

int compare_ints(const void* a, const void* b) {
  int x = *static_cast<const int*>(a);
  int y = *static_cast<const int*>(b);
  return (x > y) - (x < y);
}

TEST(Qsort, SortsLikeStdSort) {
  std::mt19937 random(5);
  for (size_t n : {0u, 1u, 2u, 3u, 12u, 13u, 100u, 1000u, 10000u}) {
    for (int kind = 0; kind < 4; kind++) {
      std::vector<int> v(n);
      for (size_t i = 0; i < n; i++) {
        switch (kind) {
          case 0:
            v[i] = static_cast<int>(random() % 1000);
            break;
          case 1:
            v[i] = static_cast<int>(i);
            break;  // sorted
          case 2:
            v[i] = static_cast<int>(n - i);
            break;  // reversed
          default:
            v[i] = static_cast<int>(random() % 3);
            break;  // many equal
        }
      }
      std::vector<int> expected = v;
      std::sort(expected.begin(), expected.end());
      mica_host_qsort(v.data(), v.size(), sizeof(int), compare_ints);
      EXPECT_EQ(v, expected) << "n " << n << " kind " << kind;
    }
  }
}

TEST(Qsort, WideElementsAndBsearch) {
  struct Record {
    int key;
    char payload[13];
  };
  std::vector<Record> records(257);
  for (size_t i = 0; i < records.size(); i++) {
    records[i].key = static_cast<int>((i * 7919) % 257);
    snprintf(records[i].payload, sizeof(records[i].payload), "r%d", records[i].key);
  }
  mica_host_qsort(records.data(), records.size(), sizeof(Record), compare_ints);
  for (size_t i = 0; i < records.size(); i++) {
    EXPECT_EQ(records[i].key, static_cast<int>(i));
    EXPECT_EQ(std::string(records[i].payload), "r" + std::to_string(i));
  }
  for (int key : {0, 1, 128, 256}) {
    auto* found = static_cast<Record*>(
        mica_host_bsearch(&key, records.data(), records.size(), sizeof(Record), compare_ints));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->key, key);
  }
  int missing = 300;
  EXPECT_EQ(
      mica_host_bsearch(&missing, records.data(), records.size(), sizeof(Record), compare_ints),
      nullptr);
  EXPECT_EQ(mica_host_bsearch(&missing, records.data(), 0, sizeof(Record), compare_ints), nullptr);
}

// ---- malloc on a page source the test controls ----

// Every page run handed out, so LeakSanitizer sees the small-block pages
// the allocator keeps (and drops at __mica_malloc_reset) as reachable.
std::vector<void*>& all_pages() {
  static auto* pages = new std::vector<void*>;
  return *pages;
}

struct Pages {
  size_t budget;  // pages left
  size_t in_use = 0;
  size_t calls = 0;
};

void* test_allocate(size_t bytes, void* context) {
  auto* pages = static_cast<Pages*>(context);
  EXPECT_EQ(bytes % 4096, 0u);
  size_t n = bytes / 4096;
  if (n > pages->budget) {
    return nullptr;
  }
  void* p = aligned_alloc(4096, bytes);
  memset(p, 0, bytes);
  all_pages().push_back(p);
  pages->budget -= n;
  pages->in_use += n;
  pages->calls++;
  return p;
}

void test_release(void* p, size_t bytes, void* context) {
  auto* pages = static_cast<Pages*>(context);
  pages->budget += bytes / 4096;
  pages->in_use -= bytes / 4096;
  auto& all = all_pages();
  all.erase(std::find(all.begin(), all.end(), p));
  ::free(p);
}

class Malloc : public ::testing::Test {
 protected:
  void SetUp() override { use(1 << 16); }
  void use(size_t budget) {
    pages_ = Pages{budget};
    mica_page_source source = {test_allocate, test_release, &pages_};
    __mica_malloc_reset();
    __mica_malloc_set_page_source(&source);
  }
  Pages pages_{0};
};

TEST_F(Malloc, ManySizes) {
  std::vector<std::pair<unsigned char*, size_t>> blocks;
  for (size_t size = 0; size < 5000; size += 7) {
    auto* p = static_cast<unsigned char*>(mica_host_malloc(size));
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    memset(p, static_cast<int>(size & 0xff), size);
    blocks.push_back({p, size});
  }
  for (auto& [p, size] : blocks) {
    for (size_t i = 0; i < size; i++) ASSERT_EQ(p[i], static_cast<unsigned char>(size & 0xff));
  }
  // Free in an interleaved order, then reuse.
  for (size_t i = 0; i < blocks.size(); i += 2) mica_host_free(blocks[i].first);
  for (size_t i = 1; i < blocks.size(); i += 2) mica_host_free(blocks[i].first);
  size_t pages_after_free = pages_.in_use;
  for (int round = 0; round < 3; round++) {
    std::vector<void*> again;
    for (size_t size = 1; size <= 1024; size += 13) again.push_back(mica_host_malloc(size));
    for (void* p : again) mica_host_free(p);
  }
  EXPECT_EQ(pages_.in_use, pages_after_free);  // small pages are reused
  mica_host_free(nullptr);
}

TEST_F(Malloc, LargeBlocksGoBackToTheSource) {
  size_t before = pages_.in_use;
  void* p = mica_host_malloc(100000);
  ASSERT_NE(p, nullptr);
  EXPECT_GE(pages_.in_use, before + 25);
  memset(p, 1, 100000);
  mica_host_free(p);
  EXPECT_EQ(pages_.in_use, before);
}

TEST_F(Malloc, CallocZeroesAndChecksOverflow) {
  auto* p = static_cast<unsigned char*>(mica_host_malloc(64));
  memset(p, 0xff, 64);
  mica_host_free(p);
  auto* q = static_cast<unsigned char*>(mica_host_calloc(8, 8));  // likely the same block
  for (int i = 0; i < 64; i++) EXPECT_EQ(q[i], 0);
  mica_host_free(q);
  libc_errno() = 0;
  EXPECT_EQ(mica_host_calloc(SIZE_MAX / 2, 3), nullptr);
  EXPECT_EQ(libc_errno(), ENOMEM);
}

TEST_F(Malloc, ReallocGrowsAndShrinks) {
  auto* p = static_cast<unsigned char*>(mica_host_realloc(nullptr, 10));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 10; i++) p[i] = static_cast<unsigned char>(i);
  size_t size = 10;
  for (size_t next : {16u, 17u, 100u, 1000u, 5000u, 70000u, 300000u}) {
    p = static_cast<unsigned char*>(mica_host_realloc(p, next));
    ASSERT_NE(p, nullptr);
    for (size_t i = 0; i < size; i++) ASSERT_EQ(p[i], static_cast<unsigned char>(i)) << next;
    for (size_t i = size; i < next; i++) p[i] = static_cast<unsigned char>(i);
    size = next;
  }
  for (size_t next : {200000u, 4000u, 100u, 3u}) {
    p = static_cast<unsigned char*>(mica_host_realloc(p, next));
    ASSERT_NE(p, nullptr);
    for (size_t i = 0; i < next; i++) ASSERT_EQ(p[i], static_cast<unsigned char>(i)) << next;
  }
  EXPECT_EQ(mica_host_realloc(p, 0), nullptr);  // frees
}

TEST_F(Malloc, Aligned) {
  for (size_t alignment : {8u, 16u, 32u, 64u, 4096u, 8192u, 65536u}) {
    void* p = mica_host_aligned_alloc(alignment, 100);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u) << alignment;
    memset(p, 0, 100);
    void* q = nullptr;
    EXPECT_EQ(mica_host_posix_memalign(&q, alignment < 8 ? 8 : alignment, 5000), 0);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % alignment, 0u);
    mica_host_free(p);
    mica_host_free(q);
  }
  EXPECT_EQ(mica_host_aligned_alloc(3, 10), nullptr);
  void* q;
  EXPECT_EQ(mica_host_posix_memalign(&q, 12, 10), EINVAL);
}

TEST_F(Malloc, ExhaustionReturnsNull) {
  use(8);  // eight pages in all
  libc_errno() = 0;
  EXPECT_EQ(mica_host_malloc(9 * 4096), nullptr);
  EXPECT_EQ(libc_errno(), ENOMEM);
  std::vector<void*> blocks;
  for (;;) {
    void* p = mica_host_malloc(1000);
    if (!p) break;
    blocks.push_back(p);
    ASSERT_LT(blocks.size(), 100u);
  }
  EXPECT_EQ(blocks.size(), 8u * 3u);  // three 1024-byte blocks per page
  EXPECT_EQ(pages_.budget, 0u);
  void* old = blocks.back();
  EXPECT_EQ(mica_host_realloc(old, 100000), nullptr);  // the old block stays
  mica_host_free(blocks.back());
  blocks.pop_back();
  EXPECT_NE(mica_host_malloc(1000), nullptr);  // the freed block comes back
}

TEST_F(Malloc, Threads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([t] {
      std::vector<unsigned char*> mine;
      for (int i = 0; i < 2000; i++) {
        size_t size = static_cast<size_t>((i * 37 + t) % 3000 + 1);
        auto* p = static_cast<unsigned char*>(mica_host_malloc(size));
        ASSERT_NE(p, nullptr);
        p[0] = static_cast<unsigned char>(t);
        p[size - 1] = static_cast<unsigned char>(t);
        mine.push_back(p);
        if (i % 3 == 0) {
          EXPECT_EQ(mine.front()[0], static_cast<unsigned char>(t));
          mica_host_free(mine.front());
          mine.erase(mine.begin());
        }
      }
      for (auto* p : mine) {
        EXPECT_EQ(p[0], static_cast<unsigned char>(t));
        mica_host_free(p);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST(Strdup, UsesMalloc) {
  Pages pages{64};
  mica_page_source source = {test_allocate, test_release, &pages};
  __mica_malloc_reset();
  __mica_malloc_set_page_source(&source);
  char* copy = mica_host_strdup("mica");
  ASSERT_NE(copy, nullptr);
  EXPECT_STREQ(copy, "mica");
  char* part = mica_host_strndup("microkernel", 5);
  EXPECT_STREQ(part, "micro");
  mica_host_free(copy);
  mica_host_free(part);
}

}  // namespace

namespace {

// setjmp/longjmp: the x86_64 target code, which follows the host's ABI.
extern "C" void __asan_handle_no_return();

int jump_depth(mica_host_jmp_buf* env, int depth) {
  volatile char frame[64];
  frame[0] = static_cast<char>(depth);
  if (depth == 0) {
    __asan_handle_no_return();  // the frames below are left without unwinding
    mica_host_longjmp(*env, 7);
  }
  return jump_depth(env, depth - 1) + frame[0];
}

TEST(Setjmp, LongjmpReturnsThroughFrames) {
  mica_host_jmp_buf env;
  volatile int rounds = 0;
  volatile long callee_saved = 12345;
  int value = mica_host_setjmp(env);
  if (value == 0) {
    EXPECT_EQ(rounds, 0);
    rounds = rounds + 1;
    jump_depth(&env, 5);
    ADD_FAILURE() << "longjmp returned";
  }
  EXPECT_EQ(value, 7);
  EXPECT_EQ(rounds, 1);
  EXPECT_EQ(callee_saved, 12345);
  // longjmp(env, 0) makes setjmp return 1.
  volatile bool jumped = false;
  int second = mica_host_setjmp(env);
  if (second == 0) {
    jumped = true;
    __asan_handle_no_return();
    mica_host_longjmp(env, 0);
  }
  EXPECT_TRUE(jumped);
  EXPECT_EQ(second, 1);
}

}  // namespace

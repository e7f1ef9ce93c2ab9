// mica_parse_number: decimal and 0x-hexadecimal, nothing else, with the
// bounds checked.
#include <string.h>

#include <gtest/gtest.h>

#include <errno.h>
#include <mica/parse_number.h>

namespace {

constexpr uint64_t kMax = ~uint64_t{0};
constexpr uint64_t kUntouched = 0x5a5a5a5a;

// The whole of `text`; `*out` is kUntouched unless it parsed.
int parse(const char* text, uint64_t max, uint64_t* out) {
  *out = kUntouched;
  return mica_parse_number(text, strlen(text), max, out);
}

TEST(ParseNumber, DecimalAndHex) {
  struct Case {
    const char* text;
    uint64_t value;
  };
  const Case cases[] = {
      {"0", 0},
      {"4096", 4096},
      {"0x3f8", 0x3f8},
      {"0X3F8", 0x3f8},
      {"0xFe201000", 0xfe201000},
      {"010", 10},  // never octal: a leading zero is decimal
      {"0x00000000000000000000ff", 0xff},
  };
  for (const Case& c : cases) {
    uint64_t n;
    EXPECT_EQ(parse(c.text, kMax, &n), 0) << c.text;
    EXPECT_EQ(n, c.value) << c.text;
  }
}

TEST(ParseNumber, OnlyTheGivenLength) {
  uint64_t n = 0;
  // "12" of "123,456", and the number before a separator.
  EXPECT_EQ(mica_parse_number("123,456", 2, kMax, &n), 0);
  EXPECT_EQ(n, 12u);
  EXPECT_EQ(mica_parse_number("0x10-0x20", 4, kMax, &n), 0);
  EXPECT_EQ(n, 16u);
  // No terminating NUL needed.
  const char digits[3] = {'7', '8', '9'};
  EXPECT_EQ(mica_parse_number(digits, sizeof(digits), kMax, &n), 0);
  EXPECT_EQ(n, 789u);
}

TEST(ParseNumber, EmptyAndJunkAreInvalid) {
  uint64_t n;
  for (const char* bad : {"", "0x", "0X", "x10", "12a", "0x12g", "abc", " 1", "1 ", "+1", "-1",
                          "1.0", "0b101", "1e3", "0xx1", "\xd9\xa3"}) {
    EXPECT_EQ(parse(bad, kMax, &n), -EINVAL) << "\"" << bad << "\"";
    EXPECT_EQ(n, kUntouched) << "\"" << bad << "\"";
  }
  EXPECT_EQ(mica_parse_number("5", 0, kMax, &n), -EINVAL);
  // A NUL inside the length is junk too.
  EXPECT_EQ(mica_parse_number("1\0"
                              "2",
                              3, kMax, &n),
            -EINVAL);
}

TEST(ParseNumber, OverflowAndMax) {
  uint64_t n;
  EXPECT_EQ(parse("18446744073709551615", kMax, &n), 0);
  EXPECT_EQ(n, kMax);
  EXPECT_EQ(parse("0xffffffffffffffff", kMax, &n), 0);
  EXPECT_EQ(n, kMax);
  EXPECT_EQ(parse("18446744073709551616", kMax, &n), -ERANGE);
  EXPECT_EQ(parse("0x10000000000000000", kMax, &n), -ERANGE);
  EXPECT_EQ(parse("99999999999999999999999999", kMax, &n), -ERANGE);
  EXPECT_EQ(n, kUntouched);
  EXPECT_EQ(parse("255", 255, &n), 0);
  EXPECT_EQ(n, 255u);
  EXPECT_EQ(parse("256", 255, &n), -ERANGE);
  EXPECT_EQ(parse("0x100", 255, &n), -ERANGE);
  EXPECT_EQ(parse("5", 4, &n), -ERANGE);
  EXPECT_EQ(parse("0", 0, &n), 0);
  EXPECT_EQ(parse("1", 0, &n), -ERANGE);
  // Junk after digits that overflow is junk, not a range error.
  EXPECT_EQ(parse("99999999999999999999x", kMax, &n), -EINVAL);
  EXPECT_EQ(n, kUntouched);
}

}  // namespace

#include <gtest/gtest.h>

#include <lib/result.h>

namespace {

using lib::Result;
using lib::Status;

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return Status::kInvalidArgs;
  return c - '0';
}

Result<int> sum_two(char a, char b) {
  int x = TRY(parse_digit(a));
  int y = TRY(parse_digit(b));
  return x + y;
}

Result<void> check_positive(int v) {
  if (v <= 0) return Status::kOutOfRange;
  return {};
}

Result<int> checked(int v) {
  TRY(check_positive(v));
  return v * 2;
}

TEST(Result, ValueAndError) {
  Result<int> ok = parse_digit('7');
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), 7);
  Result<int> bad = parse_digit('x');
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status(), Status::kInvalidArgs);
}

TEST(Result, TryPropagatesFirstError) {
  EXPECT_EQ(sum_two('3', '4').value(), 7);
  EXPECT_EQ(sum_two('3', '!').status(), Status::kInvalidArgs);
  EXPECT_EQ(sum_two('!', '4').status(), Status::kInvalidArgs);
}

TEST(Result, VoidResults) {
  EXPECT_EQ(checked(4).value(), 8);
  EXPECT_EQ(checked(-1).status(), Status::kOutOfRange);
}

struct Counted {
  static inline int live = 0;
  int v;
  explicit Counted(int value) : v(value) { ++live; }
  Counted(const Counted& o) : v(o.v) { ++live; }
  Counted(Counted&& o) : v(o.v) { ++live; }
  ~Counted() { --live; }
};

TEST(Result, DestroysValueOnlyWhenPresent) {
  {
    Result<Counted> a(Counted(5));
    Result<Counted> b(Status::kNoMemory);
    EXPECT_EQ(Counted::live, 1);
    EXPECT_EQ(a.value().v, 5);
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST(Status, NamesMatchErrno) {
  EXPECT_STREQ(mica::status_name(Status::kFault), "EFAULT");
  EXPECT_EQ(static_cast<int>(Status::kFault), 14);
  EXPECT_EQ(static_cast<int>(Status::kNoMemory), 12);
}

}  // namespace

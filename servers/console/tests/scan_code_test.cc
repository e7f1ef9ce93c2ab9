// The i8042 scan code decoder (scan_code.h), fed set-1 codes as QEMU's
// PS/2 keyboard delivers them through the controller's translation.
#include "scan_code.h"

#include <string>

#include <gtest/gtest.h>

#include <initializer_list>

namespace console {
namespace {

constexpr uint8_t kBreak = 0x80;
constexpr uint8_t kLeftShift = 0x2a;
constexpr uint8_t kRightShift = 0x36;
constexpr uint8_t kLeftCtrl = 0x1d;
constexpr uint8_t kCapsLock = 0x3a;
constexpr uint8_t kEnter = 0x1c;
constexpr uint8_t kBackspace = 0x0e;
constexpr uint8_t kA = 0x1e;
constexpr uint8_t kC = 0x2e;
constexpr uint8_t kD = 0x20;
constexpr uint8_t kU = 0x16;
constexpr uint8_t kW = 0x11;
constexpr uint8_t k1 = 0x02;
constexpr uint8_t kSpace = 0x39;

class ScanCodeTest : public ::testing::Test {
 protected:
  // What the bytes type.
  std::string feed(std::initializer_list<uint8_t> codes) {
    std::string typed;
    for (uint8_t code : codes) {
      char c;
      if (decoder.decode(code, &c)) typed += c;
    }
    return typed;
  }
  // A key pressed and released.
  std::string tap(uint8_t key) { return feed({key, static_cast<uint8_t>(key | kBreak)}); }

  ScanCodeDecoder decoder;
};

TEST_F(ScanCodeTest, LettersDigitsAndPunctuation) {
  std::string typed;
  // e c h o space 1 2 - = [ ] ; ' ` \ , . /
  for (uint8_t key : {0x12, 0x2e, 0x23, 0x18, 0x39, 0x02, 0x03, 0x0c, 0x0d, 0x1a, 0x1b, 0x27, 0x28,
                      0x29, 0x2b, 0x33, 0x34, 0x35}) {
    typed += tap(key);
  }
  EXPECT_EQ(typed, "echo 12-=[];'`\\,./");
}

TEST_F(ScanCodeTest, BreakCodesTypeNothing) {
  EXPECT_EQ(feed({kA}), "a");
  EXPECT_EQ(feed({kA | kBreak}), "");
  // A held key repeats its make code: each repeat types again.
  EXPECT_EQ(feed({kA, kA, kA}), "aaa");
}

TEST_F(ScanCodeTest, ShiftEitherSide) {
  EXPECT_EQ(feed({kLeftShift, kA, k1, kLeftShift | kBreak, kA}), "A!a");
  EXPECT_EQ(feed({kRightShift, 0x28, 0x35, 0x0d, kRightShift | kBreak}), "\"?+");
  // Both held, one released: still shifted.
  EXPECT_EQ(feed({kLeftShift, kRightShift, kLeftShift | kBreak, kA}), "A");
  EXPECT_EQ(feed({kRightShift | kBreak, kA}), "a");
}

TEST_F(ScanCodeTest, CapsLockTogglesLettersOnly) {
  EXPECT_EQ(feed({kCapsLock, kCapsLock | kBreak, kA, k1}), "A1");
  EXPECT_TRUE(decoder.caps_lock());
  // Shift with Caps Lock: small letters, shifted digits.
  EXPECT_EQ(feed({kLeftShift, kA, k1, kLeftShift | kBreak}), "a!");
  // A held Caps Lock repeats its make code: one toggle.
  EXPECT_EQ(feed({kCapsLock, kCapsLock, kCapsLock, kCapsLock | kBreak, kA}), "a");
  EXPECT_FALSE(decoder.caps_lock());
}

TEST_F(ScanCodeTest, CtrlMakesControlCharacters) {
  EXPECT_EQ(feed({kLeftCtrl, kC, kD, kU, kW, 0x1a, 0x2b, 0x1b, kLeftCtrl | kBreak}),
            "\x03\x04\x15\x17\x1b\x1c\x1d");
  // Right Ctrl is extended (e0 1d).
  EXPECT_EQ(feed({0xe0, 0x1d, kC, 0xe0, 0x9d, kC}),
            "\x03"
            "c");
  // Ctrl with Shift or Caps Lock: the same control character.
  EXPECT_EQ(feed({kLeftCtrl, kLeftShift, kC, kLeftShift | kBreak, kLeftCtrl | kBreak}), "\x03");
  // Ctrl with a digit or space types nothing.
  EXPECT_EQ(feed({kLeftCtrl, k1, kSpace, kLeftCtrl | kBreak}), "");
  EXPECT_FALSE(decoder.ctrl());
}

TEST_F(ScanCodeTest, EnterBackspaceTabEscape) {
  EXPECT_EQ(tap(kEnter), "\r");
  EXPECT_EQ(tap(kBackspace), "\x7f");
  EXPECT_EQ(tap(0x0f), "\t");
  EXPECT_EQ(tap(0x01), "\x1b");
  // The keypad's Enter and / (extended), - + and * (not).
  EXPECT_EQ(feed({0xe0, 0x1c, 0xe0, 0x9c, 0xe0, 0x35, 0xe0, 0xb5, 0x4a, 0x4e, 0x37}), "\r/-+*");
}

TEST_F(ScanCodeTest, UnmappedKeysTypeNothing) {
  // F1, F12, Alt, Num Lock, Scroll Lock, keypad 7 (Num Lock's), arrows,
  // Delete, right Alt.
  EXPECT_EQ(feed({0x3b, 0x58, 0x38, 0x45, 0x46, 0x47, 0xe0, 0x48, 0xe0, 0x4b, 0xe0, 0x53, 0xe0,
                  0x38, 0xe0, 0xb8}),
            "");
  // Codes past the keyboard's.
  EXPECT_EQ(feed({0x59, 0x6f, 0x7f}), "");
}

TEST_F(ScanCodeTest, ControllerRepliesTypeNothing) {
  // ACK, resend, echo, overrun errors, the self-test's 0xaa.
  EXPECT_EQ(feed({0xfa, 0xfe, 0xee, 0x00, 0xff, 0xaa}), "");
  EXPECT_EQ(tap(kA), "a");
}

TEST_F(ScanCodeTest, PrintScreenFakeShiftsChangeNothing) {
  // Print Screen: e0 2a e0 37, released e0 b7 e0 aa.
  EXPECT_EQ(feed({0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa}), "");
  EXPECT_FALSE(decoder.shift());
  EXPECT_EQ(tap(kA), "a");
}

TEST_F(ScanCodeTest, PauseSequenceIsSkippedWhole) {
  // e1 1d 45 e1 9d c5: its 1d must not press Ctrl, nor 45 anything.
  EXPECT_EQ(feed({0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5}), "");
  EXPECT_FALSE(decoder.ctrl());
  EXPECT_EQ(tap(kC), "c");
}

TEST_F(ScanCodeTest, EveryByteIsSafe) {
  // No byte, in any state, crashes or leaves a modifier stuck once every
  // modifier key has been released.
  for (int prefix : {-1, 0xe0, 0xe1}) {
    for (int code = 0; code < 256; ++code) {
      ScanCodeDecoder d;
      char c;
      if (prefix >= 0) (void)d.decode(static_cast<uint8_t>(prefix), &c);
      (void)d.decode(static_cast<uint8_t>(code), &c);
      for (uint8_t release : {0xaa, 0xb6, 0x9d}) (void)d.decode(release, &c);
      (void)d.decode(0xe0, &c);
      (void)d.decode(0x9d, &c);
      for (int i = 0; i < 6; ++i) (void)d.decode(0xaa, &c);  // past a Pause tail
      EXPECT_FALSE(d.shift()) << prefix << " " << code;
      EXPECT_FALSE(d.ctrl()) << prefix << " " << code;
      ASSERT_TRUE(d.decode(kA, &c));
      EXPECT_TRUE(c == 'a' || c == 'A') << prefix << " " << code;
    }
  }
}

}  // namespace
}  // namespace console

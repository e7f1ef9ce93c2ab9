// Builds Multiboot2 boot-information blocks for tests, tag by tag, exactly as
// the specification lays them out (8-byte aligned tags, end tag last).
#pragma once

#include <stdint.h>
#include <string.h>

#include <string>
#include <vector>

class Mb2Builder {
 public:
  Mb2Builder() : bytes_(8, 0) {}

  Mb2Builder& tag(uint32_t type, const std::vector<uint8_t>& payload) {
    size_t start = bytes_.size();
    put32(type);
    put32(static_cast<uint32_t>(8 + payload.size()));
    bytes_.insert(bytes_.end(), payload.begin(), payload.end());
    while ((bytes_.size() - start) % 8 != 0) bytes_.push_back(0);
    return *this;
  }
  Mb2Builder& string_tag(uint32_t type, const std::string& text) {
    std::vector<uint8_t> payload(text.begin(), text.end());
    payload.push_back(0);
    return tag(type, payload);
  }
  std::vector<uint8_t> finish(bool end_tag = true) {
    if (end_tag) tag(0, {});
    auto out = bytes_;
    uint32_t total = static_cast<uint32_t>(out.size());
    memcpy(out.data(), &total, 4);
    return out;
  }

  static void append32(std::vector<uint8_t>& v, uint32_t x) {
    for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
  }
  static void append64(std::vector<uint8_t>& v, uint64_t x) {
    for (int i = 0; i < 8; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
  }

 private:
  void put32(uint32_t x) { append32(bytes_, x); }
  std::vector<uint8_t> bytes_;
};

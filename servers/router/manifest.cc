#include "manifest.h"

#include <string.h>

#include <mica/parse_number.h>

namespace router {
namespace {

// The `length` characters at `text` as a whole number (decimal or 0x
// hexadecimal, never octal: "010" is ten, as GN checked it;
// <mica/parse_number.h>).
bool parse_number(const char* text, size_t length, uint64_t* out) {
  return mica_parse_number(text, length, ~uint64_t{0}, out) == 0;
}

// "A<separator>B" into two numbers.
bool parse_pair(const char* text, char separator, uint64_t* a, uint64_t* b) {
  const char* split = strchr(text, separator);
  if (split == nullptr) return false;
  return parse_number(text, split - text, a) && parse_number(split + 1, strlen(split + 1), b);
}

bool starts_with(const char* text, const char* prefix, const char** rest) {
  size_t n = strlen(prefix);
  if (strncmp(text, prefix, n) != 0) return false;
  *rest = text + n;
  return true;
}

}  // namespace

bool parse_hardware(const char* field, mica_resource_range* range) {
  *range = {};
  const char* value;
  uint64_t a, b;
  if (strcmp(field, "system") == 0) {
    range->kind = MICA_RESOURCE_SYSTEM;
    return true;
  }
  if (starts_with(field, "ports=", &value) || starts_with(field, "mmio=", &value)) {
    if (!parse_pair(value, '+', &a, &b)) return false;
    // Not empty, and base + size must not wrap.
    if (b == 0 || b - 1 > ~uint64_t{0} - a) return false;
    range->kind = field[0] == 'p' ? MICA_RESOURCE_IOPORT : MICA_RESOURCE_MMIO;
    range->base = a;
    range->size = b;
    return true;
  }
  if (starts_with(field, "irq=", &value)) {
    if (strchr(value, '-') != nullptr) {
      if (!parse_pair(value, '-', &a, &b) || a > b || b - a == ~uint64_t{0}) return false;
    } else {
      if (!parse_number(value, strlen(value), &a)) return false;
      b = a;
    }
    range->kind = MICA_RESOURCE_IRQ;
    range->base = a;
    range->size = b - a + 1;
    return true;
  }
  return false;
}

const char* parse_manifest_line(char* line, ManifestLine* out) {
  *out = ManifestLine{};
  bool options = true;
  char* save = nullptr;
  for (char* word = strtok_r(line, " ", &save); word != nullptr;
       word = strtok_r(nullptr, " ", &save)) {
    if (out->argc == 0) {
      if (strcmp(word, "--") == 0) return word;
      out->argv[out->argc++] = word;
    } else if (!options) {
      if (out->argc >= static_cast<int>(kMaxArgs)) return word;
      out->argv[out->argc++] = word;
    } else if (strcmp(word, "--") == 0) {
      options = false;
    } else if (strcmp(word, "ramdisk") == 0) {
      out->ramdisk = true;
    } else if (strcmp(word, "framebuffer") == 0) {
      out->framebuffer = true;
    } else {
      if (out->hardware_count == MICA_RESOURCE_MAX_RANGES) return word;
      if (!parse_hardware(word, &out->hardware[out->hardware_count])) return word;
      ++out->hardware_count;
    }
  }
  out->argv[out->argc] = nullptr;
  return out->argc == 0 ? "(no name)" : nullptr;
}

}  // namespace router

// dd [if=FILE] [of=FILE] [bs=N] [count=N] [skip=N] [seek=N] [conv=notrunc]
//    [status=none]: copies FILE (stdin) to FILE (stdout) in blocks of bs
// bytes (512), skipping `skip` blocks of the input and `seek` blocks of the
// output first and copying at most `count` blocks. Numbers are decimal or
// 0x hexadecimal, with an optional multiplier: c 1, w 2, b 512, k/K 1024,
// M 1024^2, G 1024^3. Without conv=notrunc a regular output file is cut
// at the seek position. It ends with "N+P records in", "N+P records out"
// and "B bytes copied" on stderr (N whole blocks, P partial ones), as
// POSIX has it.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

namespace {

constexpr uint64_t kMaxBlock = 16u << 20;

// "N[suffix]" as above; false for anything else (or a product past 2^63).
bool parse_size(const char* text, uint64_t* out) {
  char* end;
  errno = 0;
  int base = text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? 16 : 10;
  if (text[0] < '0' || text[0] > '9') return false;
  unsigned long long value = strtoull(text, &end, base);
  if (errno != 0 || end == text || (base == 16 && end == text + 2)) return false;
  uint64_t unit = 1;
  if (*end != 0) {
    switch (*end++) {
      case 'c':
        break;
      case 'w':
        unit = 2;
        break;
      case 'b':
        unit = 512;
        break;
      case 'k':
      case 'K':
        unit = 1024;
        break;
      case 'M':
        unit = 1024 * 1024;
        break;
      case 'G':
        unit = 1024 * 1024 * 1024;
        break;
      default:
        return false;
    }
    if (*end != 0) return false;
  }
  if (value > (uint64_t{1} << 63) / unit) return false;
  *out = value * unit;
  return true;
}

struct Options {
  const char* input = nullptr;
  const char* output = nullptr;
  uint64_t block = 512;
  uint64_t count = ~uint64_t{0};
  uint64_t skip = 0;
  uint64_t seek = 0;
  bool notrunc = false;
  bool quiet = false;
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    const char* value = strchr(a, '=');
    if (value == nullptr) {
      fprintf(stderr, "dd: unrecognized operand '%s'\n", a);
      return false;
    }
    size_t key = static_cast<size_t>(value - a);
    ++value;
    auto is = [&](const char* name) { return strlen(name) == key && memcmp(a, name, key) == 0; };
    uint64_t* number = nullptr;
    if (is("if")) {
      o->input = value;
    } else if (is("of")) {
      o->output = value;
    } else if (is("conv")) {
      if (strcmp(value, "notrunc") != 0) {
        fprintf(stderr, "dd: invalid conversion: '%s'\n", value);
        return false;
      }
      o->notrunc = true;
    } else if (is("status")) {
      if (strcmp(value, "none") != 0) {
        fprintf(stderr, "dd: invalid status level: '%s'\n", value);
        return false;
      }
      o->quiet = true;
    } else if (is("bs")) {
      number = &o->block;
    } else if (is("count")) {
      number = &o->count;
    } else if (is("skip")) {
      number = &o->skip;
    } else if (is("seek")) {
      number = &o->seek;
    } else {
      fprintf(stderr, "dd: unrecognized operand '%s'\n", a);
      return false;
    }
    if (number != nullptr && !parse_size(value, number)) {
      fprintf(stderr, "dd: invalid number: '%s'\n", value);
      return false;
    }
  }
  if (o->block == 0 || o->block > kMaxBlock) {
    fprintf(stderr, "dd: invalid number: block size must be 1 to %llu bytes\n",
            static_cast<unsigned long long>(kMaxBlock));
    return false;
  }
  return true;
}

// Reads up to `size` bytes (one record: a pipe may give fewer); 0 at the
// end; -1 on error.
ssize_t read_record(int fd, char* buffer, size_t size) {
  for (;;) {
    ssize_t n = read(fd, buffer, size);
    if (n >= 0 || errno != EINTR) return n;
  }
}

// Moves past `blocks` records of the input: a seek where it can, else reads
// them. False (reported) on an error.
bool skip_input(int fd, const char* name, char* buffer, const Options& o) {
  if (o.skip == 0) return true;
  if (o.skip <= (uint64_t{1} << 62) / o.block &&
      lseek(fd, static_cast<off_t>(o.skip * o.block), SEEK_CUR) >= 0) {
    return true;
  }
  for (uint64_t i = 0; i < o.skip; i++) {
    ssize_t n = read_record(fd, buffer, o.block);
    if (n < 0) {
      coreutils::report("dd", name, errno);
      return false;
    }
    if (n == 0) break;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) return 1;
  const char* in_name = o.input != nullptr ? o.input : "standard input";
  const char* out_name = o.output != nullptr ? o.output : "standard output";
  int in = o.input != nullptr ? open(o.input, O_RDONLY) : STDIN_FILENO;
  if (in < 0) {
    coreutils::report("dd", in_name, errno);
    return 1;
  }
  int out = o.output != nullptr ? open(o.output, O_WRONLY | O_CREAT, 0644) : STDOUT_FILENO;
  if (out < 0) {
    coreutils::report("dd", out_name, errno);
    return 1;
  }
  if (o.seek > (uint64_t{1} << 62) / o.block) {
    fprintf(stderr, "dd: %s: cannot seek: offset too large\n", out_name);
    return 1;
  }
  off_t start = static_cast<off_t>(o.seek * o.block);
  if (o.seek != 0 && lseek(out, start, SEEK_SET) < 0) {
    coreutils::report("dd", out_name, errno);
    return 1;
  }
  struct stat st;
  if (o.output != nullptr && !o.notrunc && fstat(out, &st) == 0 && S_ISREG(st.st_mode) &&
      ftruncate(out, start) != 0) {
    coreutils::report("dd", out_name, errno);
    return 1;
  }
  char* buffer = static_cast<char*>(malloc(o.block));
  if (buffer == nullptr) {
    fprintf(stderr, "dd: memory exhausted\n");
    return 1;
  }
  int status = skip_input(in, in_name, buffer, o) ? 0 : 1;
  uint64_t full_in = 0, partial_in = 0, full_out = 0, partial_out = 0, bytes = 0;
  for (uint64_t i = 0; status == 0 && i < o.count; i++) {
    ssize_t n = read_record(in, buffer, o.block);
    if (n < 0) {
      coreutils::report("dd", in_name, errno);
      status = 1;
      break;
    }
    if (n == 0) break;
    (static_cast<uint64_t>(n) == o.block ? full_in : partial_in)++;
    size_t done = 0;
    while (done < static_cast<size_t>(n)) {
      ssize_t w = write(out, buffer + done, static_cast<size_t>(n) - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        // A device that takes nothing more is full.
        coreutils::report("dd", out_name, w == 0 ? ENOSPC : errno);
        status = 1;
        break;
      }
      done += static_cast<size_t>(w);
    }
    bytes += done;
    if (done == o.block) {
      full_out++;
    } else if (done > 0) {
      partial_out++;
    }
  }
  free(buffer);
  if (o.output != nullptr && close(out) != 0 && status == 0) {
    coreutils::report("dd", out_name, errno);
    status = 1;
  }
  if (!o.quiet) {
    fprintf(stderr, "%llu+%llu records in\n%llu+%llu records out\n%llu bytes copied\n",
            static_cast<unsigned long long>(full_in), static_cast<unsigned long long>(partial_in),
            static_cast<unsigned long long>(full_out), static_cast<unsigned long long>(partial_out),
            static_cast<unsigned long long>(bytes));
  }
  return status;
}

#!/usr/bin/env python3
"""kernel_symbols.py KERNEL_ELF OUT.S POINTER_BYTES

Turns the text symbols of a first-stage kernel link into an assembly file
defining the kernel's symbol table (see kernel/core/backtrace.h):
  __kernel_symbols:      {address, name offset} pairs, sorted by address,
                         ending with the end of .text
  __kernel_symbol_count: the number of pairs
  __kernel_symbol_names: NUL-terminated demangled names
"""
import subprocess
import sys

elf, out, pointer_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
word = ".quad" if pointer_bytes == 8 else ".long"

nm = subprocess.run(["llvm-nm", "--defined-only", "-n", "-C", elf],
                    check=True, capture_output=True, text=True).stdout
symbols = []
text_end = 0
for line in nm.splitlines():
    parts = line.split(" ", 2)
    if len(parts) != 3:
        continue
    address, kind, name = int(parts[0], 16), parts[1], parts[2]
    if name == "__kernel_text_end":
        text_end = address
    # Linker-script markers (__kernel_text_start, ...) would shadow the real
    # function at the same address.
    if kind in "tT" and not name.startswith((".L", "__kernel_", "__build_id")):
        symbols.append((address, name))

# One name per address (aliases: keep the first), sorted.
seen = set()
unique = []
for address, name in sorted(symbols):
    if address not in seen:
        seen.add(address)
        unique.append((address, name))
if text_end:
    unique.append((text_end, "(end of text)"))

names = bytearray()
lines = ['.section .rodata.kernel_symbols, "a"',
         ".balign %d" % pointer_bytes,
         ".global __kernel_symbols",
         "__kernel_symbols:"]
for address, name in unique:
    lines.append("  %s %#x, %d" % (word, address, len(names)))
    names += name.encode() + b"\0"
lines += [".global __kernel_symbol_count",
          "__kernel_symbol_count:",
          "  %s %d" % (word, len(unique)),
          ".global __kernel_symbol_names",
          "__kernel_symbol_names:"]
for i in range(0, len(names), 32):
    lines.append("  .byte " + ", ".join(str(b) for b in names[i:i + 32]))
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")

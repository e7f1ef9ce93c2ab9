#!/usr/bin/env python3
"""flat_image.py ELF OUT: flattens a user_flat_image ELF (build/user/flat.ld).

Runs llvm-objcopy -O binary, then checks the header the linker script wrote
(sysroot/include/mica/flat_image.h: magic, entry, text_end, rodata_end,
file_size, memory_size, little-endian uint32 offsets from the base) against
the result, and pads the file with zeros to file_size (objcopy stops at the
last byte of section contents).
"""
import struct
import subprocess
import sys

MAGIC = 0x6D696361
PAGE = 4096


def fail(message):
    sys.exit("flat_image.py: %s: %s" % (sys.argv[1], message))


def main():
    elf, out = sys.argv[1], sys.argv[2]
    subprocess.run(["llvm-objcopy", "-O", "binary", elf, out], check=True)
    data = bytearray(open(out, "rb").read())
    if len(data) < 24:
        fail("image shorter than its header")
    magic, entry, text_end, rodata_end, file_size, memory_size = struct.unpack_from("<6I", data)
    if magic != MAGIC:
        fail("bad magic %#x (is the header section first?)" % magic)
    if not 24 <= entry < text_end:
        fail("entry %#x outside text [24, %#x)" % (entry, text_end))
    if text_end % PAGE or rodata_end % PAGE or memory_size % PAGE:
        fail("boundaries not page-aligned: %#x %#x %#x" % (text_end, rodata_end, memory_size))
    if not text_end <= rodata_end <= file_size <= memory_size:
        fail("boundaries out of order")
    if len(data) > file_size:
        fail("objcopy wrote %d bytes, more than file_size %d" % (len(data), file_size))
    data += bytes(file_size - len(data))
    with open(out, "wb") as f:
        f.write(data)


main()

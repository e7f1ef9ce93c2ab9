#!/usr/bin/env python3
"""make_bad_programs.py PROGRAM TRUNCATED CORRUPT: from the static ELF
PROGRAM, writes two that no loader may run, for /bin in the boot tests:

  TRUNCATED  its first half: the headers whole, the segments cut off
  CORRUPT    all of it, but its first PT_LOAD segment says it holds more of
             the file than of memory (p_filesz > p_memsz)

Fails when PROGRAM is not an ELF with a PT_LOAD segment."""
import struct
import sys

PT_LOAD = 1


def corrupt(data):
    """DATA (an ELF32 or ELF64, little-endian) with its first PT_LOAD's
    p_memsz cut to 1 byte."""
    if data[:4] != b"\x7fELF" or data[5] != 1:
        sys.exit("make_bad_programs.py: not a little-endian ELF")
    data = bytearray(data)
    if data[4] == 2:  # ELF64
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        memsz_at, word = 0x28, "<Q"
    else:  # ELF32
        phoff, = struct.unpack_from("<I", data, 0x1c)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x2a)
        memsz_at, word = 0x14, "<I"
    for i in range(phnum):
        at = phoff + i * phentsize
        if struct.unpack_from("<I", data, at)[0] == PT_LOAD:
            struct.pack_into(word, data, at + memsz_at, 1)
            return bytes(data)
    sys.exit("make_bad_programs.py: no PT_LOAD segment")


def main(argv):
    program, truncated, corrupted = argv[1:4]
    with open(program, "rb") as f:
        data = f.read()
    bad = corrupt(data)
    with open(truncated, "wb") as f:
        f.write(data[:len(data) // 2])
    with open(corrupted, "wb") as f:
        f.write(bad)


if __name__ == "__main__":
    main(sys.argv)

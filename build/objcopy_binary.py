#!/usr/bin/env python3
"""objcopy_binary.py ELF OUT: flattens an ELF into a raw binary image."""
import subprocess
import sys

subprocess.run(["llvm-objcopy", "-O", "binary", sys.argv[1], sys.argv[2]], check=True)

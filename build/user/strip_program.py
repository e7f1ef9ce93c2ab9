#!/usr/bin/env python3
"""strip_program.py ELF OUT: OUT is ELF without its symbols and debug
information (llvm-objcopy --strip-all), the copy that goes into the images;
ELF stays in the build directory for a debugger and symbolizer."""
import subprocess
import sys

subprocess.run(["llvm-objcopy", "--strip-all", sys.argv[1], sys.argv[2]], check=True)

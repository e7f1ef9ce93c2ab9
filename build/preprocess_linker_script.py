#!/usr/bin/env python3
"""preprocess_linker_script.py IN OUT DEPFILE [-I dir ...]

Runs the C preprocessor over a linker script so it can share constants with
the assembly and C++ through a header (lld does not preprocess scripts).
"""
import subprocess
import sys

source, output, depfile = sys.argv[1:4]
subprocess.run(["clang", "-E", "-P", "-x", "c", "-undef", "-MD", "-MF", depfile,
                "-MT", output, *sys.argv[4:], source, "-o", output], check=True)

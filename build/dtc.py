#!/usr/bin/env python3
"""dtc.py IN.dts OUT.dtb: compiles a device tree source with Debian's dtc."""
import subprocess
import sys

subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", sys.argv[2], sys.argv[1]],
               check=True)

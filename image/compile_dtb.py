#!/usr/bin/env python3
"""compile_dtb.py DTS DTB DEPFILE: compiles a device tree source with dtc."""
import subprocess
import sys

dts, dtb, depfile = sys.argv[1:4]
subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, "-d", depfile, dts],
               check=True)

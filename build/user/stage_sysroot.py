#!/usr/bin/env python3
"""stage_sysroot.py: lays out out/<product>/sysroot for outside builds.

  --output DIR      the sysroot to (re)create
  --headers DIR     copied to DIR/include
  --file SRC=DEST   a file copied to DIR/DEST (repeatable)
  --arch ARCH       the product's arch (for mica.cfg)
  --stamp, --depfile

Also writes DIR/lib/libmica.a, a linker script (lld reads a non-archive
input as one) that pulls in crt0.o, libc.a and libc++rt.a, so `-lmica`
links a program, and DIR/mica.cfg, a clang configuration file with the
target and paths (clang --config DIR/mica.cfg hello.c -o hello).
"""
import argparse
import os
import shutil

TRIPLES = {
    "x86_64": "x86_64-unknown-none-elf",
    "i586": "i586-unknown-none-elf",
    "aarch64": "aarch64-unknown-none-elf",
}
ARCH_FLAGS = {"x86_64": [], "i586": ["-march=i586"], "aarch64": []}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", required=True)
    parser.add_argument("--headers", required=True)
    parser.add_argument("--file", action="append", default=[])
    parser.add_argument("--arch", required=True)
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--depfile", required=True)
    args = parser.parse_args()

    out = args.output
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "lib"))
    shutil.copytree(args.headers, os.path.join(out, "include"))
    deps = []
    for root, _, files in os.walk(args.headers):
        deps += [os.path.join(root, f) for f in sorted(files)]
    for spec in args.file:
        src, dest = spec.split("=", 1)
        shutil.copyfile(src, os.path.join(out, dest))
        deps.append(src)

    with open(os.path.join(out, "lib", "libmica.a"), "w") as f:
        f.write("/* mica's runtime: link with -lmica (a linker script, not an archive). */\n")
        f.write("INPUT(crt0.o)\nGROUP(libc++rt.a libc.a)\n")

    root = os.path.abspath(out)
    flags = ["--target=" + TRIPLES[args.arch]] + ARCH_FLAGS[args.arch] + [
        "-nostdlibinc", "-isystem", os.path.join(root, "include"),
        "-fno-pic", "-fno-stack-protector", "-fuse-ld=lld", "-nostdlib", "-static",
        "-L" + os.path.join(root, "lib"), "-Wl,-z,max-page-size=4096",
    ]
    with open(os.path.join(out, "mica.cfg"), "w") as f:
        f.write("# clang --config %s/mica.cfg prog.c -lmica -o prog\n" % root)
        f.write("\n".join(flags) + "\n")

    with open(args.stamp, "w") as f:
        f.write("")
    with open(args.depfile, "w") as f:
        f.write("%s: %s\n" % (args.stamp, " ".join(d.replace(" ", "\\ ") for d in deps)))


main()

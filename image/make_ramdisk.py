#!/usr/bin/env python3
"""make_ramdisk.py --manifest M --output TAR --depfile D [--init FLAT]

Writes the files of manifest M (see image_util) into a deterministic USTAR
tar: entries sorted, parent directories first, mtime 0, owner 0:0 with no
names, modes 0755 (directories, executables) or 0644.

With --init, the output starts with the flat image FLAT (init, which the
kernel loads without knowing any executable format), padded to a 4 KiB
page, and the tar follows (see kernel/core/user/init.h)."""
import argparse
import io
import os
import tarfile

import image_util


def info(name, kind, size=0, executable=False):
    entry = tarfile.TarInfo(name)
    entry.type = kind
    entry.size = size
    entry.mode = 0o755 if kind == tarfile.DIRTYPE or executable else 0o644
    entry.mtime = 0
    entry.uid = entry.gid = 0
    entry.uname = entry.gname = ""
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--depfile", required=True)
    parser.add_argument("--init")
    args = parser.parse_args()

    files = image_util.read_manifest(args.manifest)
    directories = sorted({"/".join(dest.split("/")[:i])
                          for dest, _ in files
                          for i in range(1, dest.count("/") + 1)})
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        members = [(d, None) for d in directories] + files
        for name, source in sorted(members):
            if source is None:
                tar.addfile(info(name + "/", tarfile.DIRTYPE))
                continue
            with open(source, "rb") as f:
                content = f.read()
            tar.addfile(info(name, tarfile.REGTYPE, len(content),
                             os.access(source, os.X_OK)), io.BytesIO(content))
    prefix = b""
    if args.init:
        with open(args.init, "rb") as f:
            prefix = f.read()
        if prefix[:4] != b"acim":  # 0x6d696361 little-endian
            raise SystemExit("make_ramdisk.py: %s is not a mica flat image" % args.init)
        prefix += b"\0" * (-len(prefix) % 4096)
    with open(args.output, "wb") as f:
        f.write(prefix + data.getvalue())
    inputs = [s for _, s in files] + ([args.init] if args.init else [])
    image_util.write_depfile(args.depfile, args.output, inputs)


if __name__ == "__main__":
    main()

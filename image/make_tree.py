#!/usr/bin/env python3
"""make_tree.py --manifest M --output DIR --stamp S --depfile D

Wipes DIR and fills it with the files of manifest M (see image_util), then
touches stamp S and writes depfile D (S depends on every source file)."""
import argparse
import os
import shutil

import image_util


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--depfile", required=True)
    args = parser.parse_args()

    files = image_util.read_manifest(args.manifest)
    shutil.rmtree(args.output, ignore_errors=True)
    os.makedirs(args.output)
    for dest, source in files:
        target = os.path.join(args.output, dest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o755 if os.access(source, os.X_OK) else 0o644)
    with open(args.stamp, "w") as f:
        f.write("".join("%s <- %s\n" % entry for entry in files))
    image_util.write_depfile(args.depfile, args.stamp, [s for _, s in files])


if __name__ == "__main__":
    main()

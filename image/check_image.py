#!/usr/bin/env python3
"""check_image.py FORMAT IMAGE --stamp S [--multiboot P] [--grub-platform X]...

The image_check step: takes an image apart with the same tools a user would
and fails (exit 1, listing every problem) when something is off.

  iso  El Torito boot entries for each GRUB platform; boot/grub/grub.cfg and
       boot/mica/ramdisk present; boot/mica/kernel passes
       `grub-file --is-x86-<P>`.
  raw  `sfdisk -d` reads the table; one bootable 0x83 partition at 1 MiB;
       GRUB's boot code in sector 0; the partition, copied out with dd,
       passes `e2fsck -fn`; its kernel passes grub-file.
  sd   size a power of two; `sfdisk -d` reads the table; partition 1 FAT32
       (0x0c) passes `mdir -i IMAGE@@OFFSET` and holds kernel8.img,
       config.txt and cmdline.txt; partition 2 (0x83) passes `e2fsck -fn`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import image_util
from image_util import MIB, SECTOR

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def tool(argv):
    """Runs a checking tool; returns (ok, output)."""
    result = subprocess.run(argv, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C"))
    if result.returncode != 0:
        problems.append("`%s` failed (exit %d):\n%s" % (" ".join(argv), result.returncode,
                                                        result.stdout.rstrip()))
    return result.returncode == 0, result.stdout


def check_kernel(kernel, multiboot):
    if check(os.path.isfile(kernel), "no boot/mica/kernel in the image"):
        tool(["grub-file", "--is-x86-" + multiboot, kernel])


def check_ext2(image, part, temp, multiboot=None):
    ext2 = os.path.join(temp, "part.ext2")
    image_util.extract(image, part["start"] * SECTOR, part["size"] * SECTOR, ext2)
    ok, _ = tool(["e2fsck", "-fn", ext2])
    for path in ["/boot/mica/kernel", "/boot/mica/ramdisk", "/etc/os-release"]:
        ok, out = tool(["debugfs", "-R", "stat " + path, ext2])
        check(ok and "Inode:" in out, "ext2 partition: no %s" % path)
    if multiboot:
        kernel = os.path.join(temp, "kernel")
        tool(["debugfs", "-R", "dump /boot/mica/kernel " + kernel, ext2])
        check_kernel(kernel, multiboot)


def check_table(image):
    tool(["sfdisk", "-d", image])
    return image_util.partitions(image)


def check_iso(args, temp):
    ok, report = tool(["xorriso", "-indev", args.image, "-report_el_torito", "plain"])
    platforms = {"i386-pc": "BIOS", "x86_64-efi": "UEFI"}
    for platform in args.grub_platform:
        check(platforms[platform] in report,
              "no El Torito boot entry for %s (%s)" % (platform, platforms[platform]))
    extracted = os.path.join(temp, "iso")
    tool(["xorriso", "-osirrox", "on", "-indev", args.image, "-extract", "/boot", extracted])
    check(os.path.isfile(os.path.join(extracted, "grub", "grub.cfg")), "no boot/grub/grub.cfg")
    check(os.path.isfile(os.path.join(extracted, "mica", "ramdisk")), "no boot/mica/ramdisk")
    check_kernel(os.path.join(extracted, "mica", "kernel"), args.multiboot)


def check_raw(args, temp):
    parts = check_table(args.image)
    if not check(len(parts) == 1, "raw: want 1 partition, found %d" % len(parts)):
        return
    part = parts[0]
    check(part["start"] == MIB // SECTOR and part["type"] == "83" and part["bootable"],
          "raw: partition 1 should be bootable, type 83, at 1 MiB: %s" % part)
    with open(args.image, "rb") as f:
        mbr = f.read(SECTOR)
        core = f.read(SECTOR)
    with open("/usr/lib/grub/i386-pc/boot.img", "rb") as f:
        check(mbr[:440] == f.read()[:440], "raw: sector 0 does not hold GRUB's boot.img")
    check(mbr[510:] == b"\x55\xaa", "raw: no MBR signature")
    check(core.strip(b"\0") != b"", "raw: no GRUB core.img at sector 1")
    check_ext2(args.image, part, temp, args.multiboot)


def check_sd(args, temp):
    size = os.path.getsize(args.image)
    check(size & (size - 1) == 0, "sd: size %d is not a power of two" % size)
    parts = check_table(args.image)
    if not check(len(parts) == 2, "sd: want 2 partitions, found %d" % len(parts)):
        return
    boot, root = parts
    check(boot["type"] == "c" and boot["size"] * SECTOR >= 64 * MIB,
          "sd: partition 1 should be FAT32 LBA (0x0c), >= 64 MiB: %s" % boot)
    check(root["type"] == "83", "sd: partition 2 should be Linux (0x83): %s" % root)
    ok, listing = tool(["mdir", "-b", "-i", "%s@@%d" % (args.image, boot["start"] * SECTOR),
                        "::"])
    names = {line.strip().split("/")[-1].lower() for line in listing.splitlines()}
    for name in ["kernel8.img", "config.txt", "cmdline.txt", "ramdisk"]:
        check(name in names, "sd: no %s on the boot partition" % name)
    check_ext2(args.image, root, temp)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("format", choices=["iso", "raw", "sd"])
    parser.add_argument("image")
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--multiboot", choices=["multiboot", "multiboot2"])
    parser.add_argument("--grub-platform", action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mica-check-") as temp:
        {"iso": check_iso, "raw": check_raw, "sd": check_sd}[args.format](args, temp)
    if problems:
        sys.stderr.write("image check failed: %s\n" % args.image)
        for problem in problems:
            sys.stderr.write("  - %s\n" % problem.replace("\n", "\n    "))
        sys.exit(1)
    with open(args.stamp, "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main()

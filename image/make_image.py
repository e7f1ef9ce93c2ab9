#!/usr/bin/env python3
"""make_image.py FORMAT --rootfs DIR --output IMG --depfile D --work TMP ...

Builds a bootable image of the root tree DIR, without root, loop devices or
FUSE. TMP is a scratch directory, wiped first.

  iso  GRUB rescue ISO (grub-mkrescue): --grub-platform i386-pc and/or
       x86_64-efi.
  raw  MBR disk (--size-mb, default 64): partition 1, bootable, type 0x83,
       from 1 MiB to the end: ext2 of DIR. GRUB for the BIOS: boot.img's
       code (440 bytes) in sector 0, core.img from sector 1 in the gap before
       the partition; core.img reads /boot/grub/grub.cfg from (hd0,msdos1).
  sd   Raspberry Pi SD card (--size-mb, a power of two, default 128): MBR,
       partition 1 FAT32 (type 0x0c, 64 MiB at 4 MiB) with the files of
       --bootfs-manifest and --firmware NAME (from --firmware-dir), partition
       2 ext2 (type 0x83) of DIR to the end.
"""
import argparse
import os
import shutil

import image_util
from image_util import MIB, SECTOR, fail, run

GRUB_LIB = "/usr/lib/grub"

# Modules built into the raw disk's core.img: nothing else is on the disk.
RAW_GRUB_MODULES = [
    "biosdisk", "part_msdos", "ext2", "multiboot", "multiboot2", "normal",
    "configfile", "serial", "terminal", "echo", "test", "boot",
    # grub.cfg reads test arguments from an SMBIOS OEM string.
    "smbios", "regexp",
]

# A fixed disk id and file-system ids: the same input makes the same image.
DISK_ID = "0x6d696361"  # "mica"
EXT2_UUID = "6d696361-0000-4000-8000-000000000002"
FAT_ID = "6d696361"


def make_ext2(rootfs, output, size):
    """An ext2 file system of SIZE bytes holding ROOTFS, owned by root."""
    run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-L", "mica-root",
         "-U", EXT2_UUID, "-E", "root_owner=0:0,hash_seed=" + EXT2_UUID,
         "-d", rootfs, output, "%dk" % (size // 1024)],
        env={"E2FSPROGS_FAKE_TIME": "1"})


def make_disk(output, size, table):
    """A sparse file of SIZE bytes with the MBR partition table TABLE (sfdisk
    script lines)."""
    with open(output, "wb") as f:
        f.truncate(size)
    script = "label: dos\nlabel-id: %s\nunit: sectors\n\n%s\n" % (DISK_ID, "\n".join(table))
    run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", output], stdin=script)


def make_iso(args, work):
    platforms = sorted(set(args.grub_platform))
    for platform in platforms:
        if not os.path.isdir(os.path.join(GRUB_LIB, platform)):
            fail("GRUB for %s is not installed (%s); run tools/setup"
                 % (platform, os.path.join(GRUB_LIB, platform)))
    command = ["grub-mkrescue", "-o", args.output]
    if platforms != ["i386-pc", "x86_64-efi"]:
        if len(platforms) != 1:
            fail("unsupported GRUB platforms %s" % platforms)
        # One platform: name its directory, or grub-mkrescue adds all.
        command += ["-d", os.path.join(GRUB_LIB, platforms[0])]
    run(command + [args.rootfs])


def make_raw(args, work):
    size = args.size_mb * MIB
    start = 1 * MIB
    root = os.path.join(work, "root.ext2")
    make_ext2(args.rootfs, root, size - start)

    core = os.path.join(work, "core.img")
    run(["grub-mkimage", "-d", os.path.join(GRUB_LIB, "i386-pc"), "-O", "i386-pc",
         "-p", "(hd0,msdos1)/boot/grub", "-o", core] + RAW_GRUB_MODULES)
    if os.path.getsize(core) > start - SECTOR:
        fail("core.img (%d bytes) does not fit before the partition" % os.path.getsize(core))

    make_disk(args.output, size, ["start=%d, type=83, bootable" % (start // SECTOR)])
    image_util.copy_into(root, args.output, start)
    with open(os.path.join(GRUB_LIB, "i386-pc", "boot.img"), "rb") as f:
        boot = f.read()
    with open(core, "rb") as f:
        core_image = f.read()
    with open(args.output, "r+b") as f:
        # Only the code: bytes 440..511 hold the disk id and partition table.
        f.write(boot[:440])
        f.seek(SECTOR)
        f.write(core_image)


def make_sd(args, work):
    size = args.size_mb * MIB
    if size & (size - 1):
        fail("SD image size %d MiB is not a power of two (QEMU needs one)" % args.size_mb)
    boot_start, boot_size = 4 * MIB, 64 * MIB
    root_start = boot_start + boot_size
    if size <= root_start + 8 * MIB:
        fail("SD image size %d MiB leaves no room for the root partition" % args.size_mb)

    fat = os.path.join(work, "boot.fat")
    run(["mkfs.vfat", "-F", "32", "-s", "1", "-S", str(SECTOR), "-n", "MICA-BOOT",
         "-i", FAT_ID, "-C", fat, str(boot_size // 1024)])
    files = image_util.read_manifest(args.bootfs_manifest)
    for name in args.firmware:
        source = os.path.join(args.firmware_dir, name)
        if not os.path.isfile(source):
            fail("raspi_firmware_dir: %s is missing (get the firmware's boot/ "
                 "directory from https://github.com/raspberrypi/firmware)" % os.path.abspath(source))
        files.append((name, source))
    made = set()
    for dest, source in sorted(files):
        parts = dest.split("/")
        for i in range(1, len(parts)):
            directory = "/".join(parts[:i])
            if directory not in made:
                run(["mmd", "-i", fat, "::" + directory])
                made.add(directory)
        run(["mcopy", "-i", fat, source, "::" + dest])

    root = os.path.join(work, "root.ext2")
    make_ext2(args.rootfs, root, size - root_start)

    make_disk(args.output, size, [
        "start=%d, size=%d, type=c" % (boot_start // SECTOR, boot_size // SECTOR),
        "start=%d, type=83" % (root_start // SECTOR),
    ])
    image_util.copy_into(fat, args.output, boot_start)
    image_util.copy_into(root, args.output, root_start)
    return [source for _, source in files]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("format", choices=["iso", "raw", "sd"])
    parser.add_argument("--rootfs", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--depfile", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--grub-platform", action="append", default=[])
    parser.add_argument("--size-mb", type=int)
    parser.add_argument("--bootfs-manifest")
    parser.add_argument("--firmware-dir")
    parser.add_argument("--firmware", action="append", default=[])
    args = parser.parse_args()
    if args.size_mb is None:
        args.size_mb = {"iso": 0, "raw": 64, "sd": 128}[args.format]

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    if os.path.exists(args.output):
        os.remove(args.output)
    try:
        maker = {"iso": make_iso, "raw": make_raw, "sd": make_sd}[args.format]
        extra_inputs = maker(args, args.work) or []
    except BaseException:
        if os.path.exists(args.output):
            os.remove(args.output)
        raise
    shutil.rmtree(args.work, ignore_errors=True)
    image_util.write_depfile(args.depfile, args.output,
                             image_util.tree_files(args.rootfs) + extra_inputs)


if __name__ == "__main__":
    main()

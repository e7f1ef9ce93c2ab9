"""QEMU command lines for the boot methods in images.json."""
import json
import os
import subprocess

SECTOR = 512


def _mtools(argv):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(argv, env=env, check=True, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout


def _fat_offset(image):
    """Byte offset of partition 1 (the Raspberry Pi boot partition)."""
    table = json.loads(subprocess.run(["sfdisk", "-J", image], check=True, text=True,
                                      stdout=subprocess.PIPE).stdout)
    return int(table["partitiontable"]["partitions"][0]["start"]) * SECTOR


def raspi_firmware_args(image, dtb, work, kernel_args=""):
    """What the Raspberry Pi firmware would do, as QEMU arguments: reads
    config.txt, cmdline.txt, the kernel and the initramfs from the FAT
    partition of IMAGE (copied into WORK) and returns -kernel -append -initrd
    -dtb arguments."""
    fat = "%s@@%d" % (image, _fat_offset(image))
    config = _mtools(["mtype", "-i", fat, "::config.txt"])
    kernel, initramfs = "kernel8.img", None
    for line in config.splitlines():
        words = line.split("#")[0].strip().replace("=", " ", 1).split()
        if len(words) >= 2 and words[0] == "kernel":
            kernel = words[1]
        elif len(words) >= 2 and words[0] == "initramfs":
            initramfs = words[1]
    cmdline = _mtools(["mtype", "-i", fat, "::cmdline.txt"]).splitlines()
    args = []
    local_kernel = os.path.join(work, os.path.basename(kernel))
    _mtools(["mcopy", "-n", "-i", fat, "::" + kernel, local_kernel])
    line = cmdline[0].strip() if cmdline else ""
    line = " ".join(w for w in (line, kernel_args) if w)
    args += ["-kernel", local_kernel, "-append", line]
    if initramfs:
        local_initrd = os.path.join(work, os.path.basename(initramfs))
        _mtools(["mcopy", "-n", "-i", fat, "::" + initramfs, local_initrd])
        args += ["-initrd", local_initrd]
    return args + ["-dtb", dtb]


def command(out_dir, image, method, work, kernel_args=""):
    """The argv booting IMAGE with METHOD (entries of images.json), to run in
    OUT_DIR. WORK is a scratch directory for files the firmware emulation
    extracts; it must outlive QEMU. KERNEL_ARGS are added to the kernel
    command line: through the emulated firmware's cmdline.txt on the
    Raspberry Pi, and through an SMBIOS OEM string "mica.cmdline=..." that
    mica's grub.cfg reads on PCs."""
    out_dir = os.path.abspath(out_dir)
    argv = list(method["qemu"])
    if method.get("firmware_emulation") == "raspi":
        argv += raspi_firmware_args(os.path.join(out_dir, image["path"]),
                                    os.path.join(out_dir, method["dtb"]), work, kernel_args)
    elif method.get("firmware_emulation"):
        raise ValueError("unknown firmware emulation %r" % method["firmware_emulation"])
    elif kernel_args:
        # QEMU splits -smbios values at commas.
        argv += ["-smbios", "type=11,value=mica.cmdline=" + kernel_args.replace(",", ",,")]
    return argv


def set_option(argv, option, value):
    """ARGV with OPTION's value replaced by VALUE (or both appended)."""
    argv = list(argv)
    if option in argv[:-1]:
        argv[argv.index(option) + 1] = value
    else:
        argv += [option, value]
    return argv

"""Runs one boot test of boot_tests.json: boots the image under QEMU with the
serial port in a log file (<out>/boot_test_logs/<test>.log) and watches it
for the markers."""
import json
import os
import shlex
import subprocess
import tempfile
import time

import qemu

POLL_SECONDS = 0.1

# After the last expected marker, how long to keep watching for a forbidden
# one (a panic right after "ready") before stopping QEMU.
SETTLE_SECONDS = 1.0


class Result:
    def __init__(self, name, passed, reason, seconds, log, argv):
        self.name, self.passed, self.reason = name, passed, reason
        self.seconds, self.log, self.argv = seconds, log, argv


def _stop(process):
    if process.poll() is None:
        process.kill()
    process.wait()


def run(out_dir, test, images):
    """Runs TEST (an entry of boot_tests.json) from OUT_DIR, whose images.json
    entries are IMAGES. Returns a Result."""
    start = time.monotonic()
    name = test["name"]
    found = [i for i in images if i["name"] == test["image"]]
    methods = [m for i in found for m in i["boot"] if m["name"] == test["boot"]]
    if not methods:
        return Result(name, False, "no image %r with boot method %r in images.json"
                      % (test["image"], test["boot"]), 0, "", [])
    # The serial log stays in the build directory for a look afterwards.
    log_dir = os.path.join(out_dir, "boot_test_logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, name + ".log")
    if os.path.exists(log_path):
        os.remove(log_path)
    with tempfile.TemporaryDirectory(prefix="mica-boot-") as work:
        try:
            argv = qemu.command(out_dir, found[0], methods[0], work,
                                test.get("kernel_args", "")) + test.get("qemu_args", [])
            # Each test writes to its own copy of a disk image, never to the
            # build's (and a second boot sees what the first wrote).
            argv, disks = _private_disks(argv, out_dir, work)
            if test.get("damage_superblock"):
                for disk in disks:
                    _damage_superblock(disk)
        except (OSError, subprocess.CalledProcessError) as e:
            return Result(name, False, "cannot prepare QEMU: %s" % e, 0, "", [])
        passed, reason, log = _boot(out_dir, argv, log_path, test, start,
                                    test.get("conversation") or [],
                                    wait_for_exit=bool(test.get("second_boot")))
        if passed and test.get("fsck"):
            for disk in disks:
                passed, reason = _fsck(disk, work)
                if not passed:
                    break
        second = test.get("second_boot")
        if passed and second:
            second_test = dict(test, expect=second["markers"])
            passed, reason, log2 = _boot(out_dir, argv, log_path + ".2", second_test, start,
                                         second["steps"])
            log += "\n---- second boot of the same disk ----\n" + log2
            if not passed:
                reason = "second boot: " + reason
    return Result(name, passed, reason, time.monotonic() - start, log,
                  "cd %s && %s" % (shlex.quote(out_dir), shlex.join(argv)))


def _private_disks(argv, out_dir, work):
    """ARGV with each -drive file= copied into WORK; and the copies."""
    argv, disks = list(argv), []
    for i, arg in enumerate(argv[:-1]):
        if arg != "-drive":
            continue
        options = argv[i + 1].split(",")
        for j, option in enumerate(options):
            if option.startswith("file="):
                source = os.path.join(out_dir, option[len("file="):])
                copy = os.path.join(work, "disk%d-%s" % (len(disks), os.path.basename(source)))
                subprocess.run(["cp", "--sparse=always", source, copy], check=True)
                options[j] = "file=" + copy
                disks.append(copy)
        argv[i + 1] = ",".join(options)
    return argv, disks


def _ext2_partition(disk):
    """The first MBR partition of type 83 of DISK, as sfdisk -J lists it."""
    table = json.loads(subprocess.run(["sfdisk", "-J", disk], check=True, text=True,
                                      stdout=subprocess.PIPE).stdout)
    parts = [p for p in table["partitiontable"]["partitions"] if p["type"] == "83"]
    return parts[0] if parts else None


def _damage_superblock(disk):
    """Zeroes the magic number (offset 56) of DISK's ext2 superblock, which
    starts 1024 bytes into the partition."""
    part = _ext2_partition(disk)
    with open(disk, "r+b") as f:
        f.seek(part["start"] * 512 + 1024 + 56)
        f.write(b"\0\0")


def _fsck(disk, work):
    """e2fsck -fn on DISK's ext2 partition (MBR type 83): (passed, reason).
    Clean means exit status 0 and no question asked (e2fsck -n answers "no"
    to a wrong free count and may still exit 0)."""
    found = _ext2_partition(disk)
    if not found:
        return False, "%s has no ext2 partition to check" % os.path.basename(disk)
    part = os.path.join(work, "partition.img")
    subprocess.run(["dd", "if=" + disk, "of=" + part, "bs=512", "skip=%d" % found["start"],
                    "count=%d" % found["size"], "conv=sparse", "status=none"], check=True)
    check = subprocess.run(["e2fsck", "-fn", part], text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    os.remove(part)
    if check.returncode != 0 or "?" in check.stdout:
        return False, "e2fsck -fn after the session: status %d\n%s" % (
            check.returncode, check.stdout.rstrip())
    return True, ""


def _boot(out_dir, argv, log_path, test, start, conversation, wait_for_exit=False):
    """Boots ARGV once with the serial console logged to LOG_PATH (and typed
    into, for a conversation). Returns (passed, reason, log)."""
    if os.path.exists(log_path):
        os.remove(log_path)
    argv = list(argv)
    if conversation:
        # The console on QEMU's stdin and stdout: typed into, and logged.
        argv += ["-serial", "stdio"]
        log_file = open(log_path, "wb")
        stdin, stdout, stderr = subprocess.PIPE, log_file, subprocess.PIPE
    else:
        argv += ["-serial", "file:" + os.path.relpath(log_path, out_dir)]
        log_file = None
        stdin, stdout, stderr = subprocess.DEVNULL, subprocess.PIPE, subprocess.STDOUT
    argv += ["-display", "none", "-monitor", "none", "-no-reboot"]
    process = subprocess.Popen(argv, cwd=out_dir, stdin=stdin, stdout=stdout, stderr=stderr)
    passed, reason = _watch(process, log_path, test, start)
    if passed and conversation:
        passed, reason = _converse(process, log_path, test, start, conversation)
    if passed and wait_for_exit:
        # The session ends with a power-off: the disk is complete only then.
        try:
            process.wait(timeout=max(1, start + test["timeout"] - time.monotonic()))
        except subprocess.TimeoutExpired:
            passed, reason = False, "QEMU did not power off after the session"
    _stop(process)
    if log_file:
        log_file.close()
    log = _read(log_path)
    qemu_output = (process.stderr if conversation else process.stdout).read().decode(
        errors="replace")
    if qemu_output.strip():
        log += "\n[qemu] " + qemu_output.strip().replace("\n", "\n[qemu] ")
    return passed, reason, log


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


PROMPT = "$ "


def _converse(process, log_path, test, start, steps):
    """Types each step's `send` at the shell's next prompt and waits for what
    it `shows`, in order. Returns (passed, reason)."""
    deadline = start + test["timeout"]
    position = 0

    def wait_for(marker, what):
        nonlocal position
        while True:
            log = _read(log_path)
            bad = [m for m in test["forbid"] if m in log]
            if bad:
                return "forbidden marker %r on the console %s" % (bad[0], what)
            found = log.find(marker, position)
            if found >= 0:
                position = found + len(marker)
                return None
            if process.poll() is not None:
                return "QEMU exited (status %d) %s, before %r" % (process.returncode, what, marker)
            if time.monotonic() > deadline:
                return "timeout after %ds %s, waiting for %r" % (test["timeout"], what, marker)
            time.sleep(POLL_SECONDS)

    echoed = 0
    for number, step in enumerate(steps, 1):
        what = "at step %d (%r)" % (number, step["send"])
        # The prompt after the last command (it may come before messages
        # that command's markers waited for).
        position = echoed
        failure = wait_for(PROMPT, what)
        if failure:
            return False, failure
        try:
            process.stdin.write(step["send"].encode() + b"\r")
            process.stdin.flush()
        except OSError as e:
            return False, "cannot type %s: %s" % (what, e)
        # The console echoes the line: the output starts after it.
        failure = wait_for(step["send"], what + " (its echo)")
        if failure:
            return False, failure
        echoed = position
        for marker in step["shows"]:
            failure = wait_for(marker, what)
            if failure:
                return False, failure
    return True, ""


def _watch(process, log_path, test, start):
    """Returns (passed, reason)."""
    expect, forbid = test["expect"], test["forbid"]
    expect_exit, deadline = test["expect_exit"], start + test["timeout"]
    settled_at = None
    while True:
        exit_code = process.poll()
        log = _read(log_path)
        bad = [m for m in forbid if m in log]
        if bad:
            return False, "forbidden marker %r on the console" % bad[0]
        missing = [m for m in expect if m not in log]
        if not missing and expect_exit != "nonzero":
            if settled_at is None:
                settled_at = time.monotonic() + SETTLE_SECONDS
            if exit_code is not None or time.monotonic() >= settled_at:
                if expect_exit == "zero" and exit_code not in (None, 0):
                    return False, "QEMU exited with status %d; expected 0" % exit_code
                return True, ""
            time.sleep(POLL_SECONDS)
            continue
        if exit_code is not None:
            if missing:
                return False, "QEMU exited (status %d) before %r" % (exit_code, missing[0])
            if exit_code == 0:
                return False, "QEMU exited with status 0; expected non-zero"
            return True, ""
        if time.monotonic() > deadline:
            if missing:
                return False, "timeout after %ds waiting for %r" % (test["timeout"], missing[0])
            return False, "timeout after %ds: QEMU did not exit by itself" % test["timeout"]
        time.sleep(POLL_SECONDS)

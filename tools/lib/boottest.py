"""Runs one boot test of boot_tests.json: boots the image under QEMU with the
serial port in a log file (<out>/boot_test_logs/<test>.log) and watches it
for the markers."""
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
                                test.get("kernel_args", ""))
        except (OSError, subprocess.CalledProcessError) as e:
            return Result(name, False, "cannot prepare QEMU: %s" % e, 0, "", [])
        argv += ["-serial", "file:" + os.path.relpath(log_path, out_dir), "-display", "none", "-monitor", "none",
                 "-no-reboot"] + test.get("qemu_args", [])
        process = subprocess.Popen(argv, cwd=out_dir, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        passed, reason = _watch(process, log_path, test, start)
        _stop(process)
        log = _read(log_path)
        qemu_output = process.stdout.read().decode(errors="replace")
        if qemu_output.strip():
            log += "\n[qemu] " + qemu_output.strip().replace("\n", "\n[qemu] ")
    return Result(name, passed, reason, time.monotonic() - start, log,
                  "cd %s && %s" % (shlex.quote(out_dir), shlex.join(argv)))


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


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

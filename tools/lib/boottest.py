"""Runs one boot test of boot_tests.json: boots the image under QEMU with the
serial port in a log file (<out>/boot_test_logs/<test>.log) and watches it
for the markers. A conversation types into the serial port, or into the
emulated PS/2 keyboard through QEMU's monitor, which also reads the VGA's
text buffer and the screen."""
import json
import os
import re
import select
import shlex
import socket
import subprocess
import tempfile
import time

import qemu

POLL_SECONDS = 0.1

# After the last expected marker, how long to keep watching for a forbidden
# one (a panic right after "ready") before stopping QEMU.
SETTLE_SECONDS = 1.0

# What the console shows when something went wrong, by the name a test
# gives in `allow` to expect it (build/images.gni): every boot test fails on
# these unless it allows them. The kernel's line for a user process it kills
# on a fault (kernel/core/user/entry.cc), the router's for a program of
# run= that died of one and for a server it restarts (servers/router).
TROUBLE_MARKERS = {
    "panic": ["PANIC"],
    "fault": [") killed: ", ") died: fault "],
    "restart": ["; restarting in "],
}


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
    allowed = test.get("allow", [])
    unknown = [a for a in allowed if a not in TROUBLE_MARKERS]
    if unknown:
        return Result(name, False, "allow names %r; known: %s" % (
            unknown[0], ", ".join(sorted(TROUBLE_MARKERS))), 0, "", [])
    test = dict(test, forbid=list(test["forbid"]) + [
        m for kind, markers in sorted(TROUBLE_MARKERS.items()) if kind not in allowed
        for m in markers if m not in test["forbid"]])
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
            argv, disks = private_disks(argv, out_dir, work)
            if test.get("damage_superblock"):
                for disk in disks:
                    _damage_superblock(disk)
        except (OSError, subprocess.CalledProcessError) as e:
            return Result(name, False, "cannot prepare QEMU: %s" % e, 0, "", [])
        passed, reason, log = _boot(out_dir, argv, log_path, test, start,
                                    test.get("conversation") or [],
                                    wait_for_exit=bool(test.get("second_boot") or
                                                       test.get("fsck")), work=work)
        if passed and test.get("fsck"):
            for disk in disks:
                passed, reason = _fsck(disk, work)
                if not passed:
                    break
        second = test.get("second_boot")
        if passed and second:
            second_test = dict(test, expect=second["markers"])
            passed, reason, log2 = _boot(out_dir, argv, log_path + ".2", second_test, start,
                                         second["steps"], work=work)
            log += "\n---- second boot of the same disk ----\n" + log2
            if not passed:
                reason = "second boot: " + reason
    return Result(name, passed, reason, time.monotonic() - start, log,
                  "cd %s && %s" % (shlex.quote(out_dir), shlex.join(argv)))


def private_disks(argv, out_dir, work):
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


def _needs_monitor(steps):
    return any(s.get("keyboard") or s.get("vga_shows") or s.get("vga_text_mode")
               or s.get("screen_shows") for s in steps)


def _boot(out_dir, argv, log_path, test, start, conversation, wait_for_exit=False, work=None):
    """Boots ARGV once with the serial console logged to LOG_PATH (and typed
    into, for a conversation). Returns (passed, reason, log)."""
    if os.path.exists(log_path):
        os.remove(log_path)
    argv = list(argv)
    monitor_path = None
    if _needs_monitor(conversation):
        monitor_path = os.path.join(work, "monitor.sock")
        if os.path.exists(monitor_path):
            os.remove(monitor_path)
    if conversation:
        # The console on QEMU's stdin and stdout: typed into, and logged.
        argv += ["-serial", "stdio"]
        log_file = open(log_path, "wb")
        stdin, stdout, stderr = subprocess.PIPE, log_file, subprocess.PIPE
    else:
        argv += ["-serial", "file:" + os.path.relpath(log_path, out_dir)]
        log_file = None
        stdin, stdout, stderr = subprocess.DEVNULL, subprocess.PIPE, subprocess.STDOUT
    monitor_arg = "unix:%s,server=on,wait=off" % monitor_path if monitor_path else "none"
    argv += ["-display", "none", "-monitor", monitor_arg]
    if not any(s.get("reboot") for s in conversation):
        # A reset (a triple fault, a reboot) ends QEMU; a conversation that
        # reboots on purpose watches the machine come up again instead.
        argv += ["-no-reboot"]
    process = subprocess.Popen(argv, cwd=out_dir, stdin=stdin, stdout=stdout, stderr=stderr)
    passed, reason = _watch(process, log_path, test, start)
    monitor = None
    if passed and monitor_path:
        try:
            monitor = Monitor(monitor_path, start + test["timeout"])
        except (OSError, TimeoutError) as e:
            passed, reason = False, "cannot reach QEMU's monitor: %s" % e
    if passed and conversation:
        font = os.path.join(out_dir, FONT_PATH)
        passed, reason = _converse(process, log_path, test, start, conversation, monitor, work,
                                   font)
    if monitor:
        monitor.close()
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

# How much of a long typed line (a step with `length`) must come back as its
# echo: the console echoes the first 1023 bytes of a line, then nothing.
LONG_ECHO = 200


class Monitor:
    """QEMU's human monitor on a Unix socket: types on the emulated PS/2
    keyboard (sendkey) and reads guest memory and the screen."""

    PROMPT = b"(qemu) "

    def __init__(self, path, deadline):
        self.deadline = deadline
        while True:
            try:
                self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.socket.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.socket.close()
                if time.monotonic() > deadline:
                    raise TimeoutError("no monitor socket %s" % path)
                time.sleep(POLL_SECONDS)
        self._read_to_prompt()  # the banner

    def close(self):
        self.socket.close()

    def _read_to_prompt(self):
        data = b""
        while not data.endswith(self.PROMPT):
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the monitor did not answer")
            ready, _, _ = select.select([self.socket], [], [], left)
            if ready:
                chunk = self.socket.recv(65536)
                if not chunk:
                    raise OSError("the monitor closed its socket")
                data += chunk
        return data.decode(errors="replace")

    def command(self, line):
        """Runs LINE; returns what the monitor printed."""
        self.socket.sendall(line.encode() + b"\n")
        return self._read_to_prompt()

    def type(self, text):
        """Types TEXT on the keyboard, a key (with its modifiers) at a time."""
        for c in text:
            self.command("sendkey %s %d" % (key_name(c), KEY_HOLD_MS))
            # The guest takes each key before the next: QEMU's PS/2 queue is
            # short.
            time.sleep(KEY_HOLD_MS * 2 / 1000)

    def vga_text(self, path):
        """The VGA text buffer (80 x 25 cells of character and attribute),
        as 25 lines of text."""
        if os.path.exists(path):
            os.remove(path)
        self.command('pmemsave 0xb8000 4000 "%s"' % path)
        with open(path, "rb") as f:
            cells = f.read()
        chars = cells[0::2].decode("cp437", errors="replace")
        return "\n".join(chars[i:i + 80].rstrip() for i in range(0, len(chars), 80))

    def framebuffer_text(self, path, font_path):
        """The text the console drew on a framebuffer, as 25 lines: the
        screen (screendump) cut into the 80 x 25 cells of 8 x 16 font
        pixels (scaled and centred as //servers/console/framebuffer_text.h
        does), each read as the font's glyph it shows exactly ('?' if
        none: a cell is read, never guessed)."""
        if os.path.exists(path):
            os.remove(path)
        self.command('screendump "%s"' % path)
        with open(path, "rb") as f:
            data = f.read()
        match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
        if not match:
            raise OSError("screendump wrote no PPM image")
        width, height = int(match.group(1)), int(match.group(2))
        pixels = data[match.end():]
        with open(font_path, "rb") as f:
            font = f.read()
        glyphs = {}
        for code in range(255, 31, -1):  # the lowest code of a shape wins
            glyphs[font[code * 16:code * 16 + 16]] = bytes([code]).decode("cp437")
        scale = max(1, min(width // 640, height // 400))
        left, top = (width - 640 * scale) // 2, (height - 400 * scale) // 2
        lines = []
        for row in range(25):
            line = ""
            for column in range(80):
                rows = bytearray()
                for y in range(16):
                    bits = 0
                    at = ((top + (row * 16 + y) * scale) * width
                          + left + column * 8 * scale) * 3
                    for x in range(8):
                        p = at + x * scale * 3
                        if pixels[p:p + 3] != b"\0\0\0":
                            bits |= 0x80 >> x
                    rows.append(bits)
                line += glyphs.get(bytes(rows), "?")
            lines.append(line.rstrip())
        return "\n".join(lines)

    def screen_size(self, path):
        """The width and height of the screen as QEMU shows it (screendump)."""
        if os.path.exists(path):
            os.remove(path)
        self.command('screendump "%s"' % path)
        with open(path, "rb") as f:
            header = f.read(64)
        match = re.match(rb"P6\s+(\d+)\s+(\d+)\s", header)
        if not match:
            raise OSError("screendump wrote no PPM image")
        return int(match.group(1)), int(match.group(2))


# The framebuffer console's font (//third_party/console_font), in OUT_DIR.
FONT_PATH = "gen/third_party/console_font/font8x16.bin"

KEY_HOLD_MS = 20
_KEY_NAMES = {
    " ": "spc", "\r": "ret", "\t": "tab", "\x7f": "backspace", "\x1b": "esc",
    "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right",
    ";": "semicolon", "'": "apostrophe", "`": "grave_accent", "\\": "backslash",
    ",": "comma", ".": "dot", "/": "slash",
}
_SHIFTED = dict(zip('!@#$%^&*()_+{}:"~|<>?', "1234567890-=[];'`\\,./"))


def key_name(c):
    """QEMU's sendkey name of the key (and modifiers) that types C on a US
    keyboard."""
    if c.isascii() and (c.islower() or c.isdigit()):
        return c
    if c.isascii() and c.isupper():
        return "shift-" + c.lower()
    if c in _KEY_NAMES:
        return _KEY_NAMES[c]
    if c in _SHIFTED:
        return "shift-" + key_name(_SHIFTED[c])
    if 1 <= ord(c) <= 26:
        return "ctrl-" + chr(ord(c) + 96)
    raise ValueError("no key types %r" % c)


def unescape(text):
    """TEXT with its {xHH} escapes decoded ({x03}: ^C, {x24}: "$", {x0a}: a
    newline): GN writes a backslash or a "$" of its strings into the JSON
    as they are, which breaks it, and its strings hold no control
    characters."""
    return re.sub(r"\{x([0-9a-fA-F]{2})\}", lambda m: chr(int(m.group(1), 16)), text)


_VALUE = re.compile(r"\{=([A-Za-z_][A-Za-z0-9_]*)\}")


def fill_in(text, values):
    """TEXT with each {=NAME} replaced by VALUES[NAME] (what an earlier step's
    `matches` captured); a KeyError names one that was not captured."""
    return _VALUE.sub(lambda m: values[m.group(1)], text)


def step_text(step):
    """What a conversation step types: `send` with its escapes decoded,
    filled up to `length` characters with `repeat`, and a carriage return
    unless `enter` is false."""
    text = unescape(step["send"])
    if step.get("length"):
        filler = step.get("repeat") or "x"
        missing = step["length"] - len(text)
        if missing > 0:
            text += (filler * (missing // len(filler) + 1))[:missing]
    if step.get("enter", True):
        text += "\r"
    return text


def _echo_of(text):
    """What the console echoes for TEXT (typed, without its CR): control
    characters as ^X, ^C as "^C"; at most LONG_ECHO characters of it."""
    text = text[:LONG_ECHO]
    return "".join("^" + chr(ord(c) + 64) if ord(c) < 32 and c != "\t" else c for c in text)


def _write_serial(process, data, deadline):
    """Writes DATA to QEMU's stdin (the serial port) without blocking past
    DEADLINE; returns an error message or None."""
    fd = process.stdin.fileno()
    os.set_blocking(fd, False)
    view = memoryview(data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout while typing (%d bytes left)" % len(view)
        if process.poll() is not None:
            return "QEMU exited while typing"
        _, ready, _ = select.select([], [fd], [], min(left, 1.0))
        if ready:
            try:
                view = view[os.write(fd, view[:65536]):]
            except BlockingIOError:
                pass
    return None


def _converse(process, log_path, test, start, steps, monitor=None, work=None, font=None):
    """Types each step's `send` at the shell's next prompt and waits for what
    it `shows` on the serial console, in order, then for what it
    `vga_shows` in the VGA text buffer. Returns (passed, reason)."""
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

    def wait_for_vga(markers, what, read=None):
        # In order, each after the one before it on the screen.
        path = os.path.join(work, "vga.bin")
        while True:
            screen = read() if read else monitor.vga_text(path)
            at, missing = 0, None
            for marker in markers:
                found = screen.find(marker, at)
                if found < 0:
                    missing = marker
                    break
                at = found + len(marker)
            if missing is None:
                return None
            if time.monotonic() > deadline:
                return "timeout after %ds %s, waiting for %r on the VGA screen; it shows:\n%s" % (
                    test["timeout"], what, missing, screen)
            time.sleep(POLL_SECONDS * 5)

    def check_output(step, values, what):
        # The step's output: from its echo to the shell's next prompt.
        failure = wait_for(PROMPT, what + " (the prompt after it)")
        if failure:
            return failure
        output = _read(log_path)[echoed:position - len(PROMPT)].replace("\r\n", "\n")
        lines = output.replace("\r", "").split("\n")
        shown = "\n".join("    > " + line for line in lines if line)
        for marker in step.get("absent", []):
            marker = unescape(fill_in(marker, values))
            if marker in output:
                return "%r in the output %s:\n%s" % (marker, what, shown)
        for pattern in step.get("matches", []):
            # A pattern may use what one before it in the step captured.
            pattern = unescape(fill_in(pattern, values))
            try:
                found = [m for m in map(re.compile(pattern).fullmatch, lines) if m]
            except re.error as e:
                return "bad pattern %r %s: %s" % (pattern, what, e)
            if not found:
                return "no line of the output %s is %r:\n%s" % (what, pattern, shown)
            values.update(found[0].groupdict())
        return None

    echoed = 0
    values = {}  # what `matches` captured, for {=NAME} in later steps
    for number, step in enumerate(steps, 1):
        what = "at step %d (%r)" % (number, step["send"][:60])
        try:
            step = dict(step, send=fill_in(step["send"], values),
                        shows=[fill_in(m, values) for m in step["shows"]])
        except KeyError as e:
            return False, "%s uses {=%s}, which no step before it captured" % (what, e.args[0])
        text = step_text(step)
        if step.get("wait_prompt", True):
            # The prompt after the last command (it may come before messages
            # that command's markers waited for).
            position = echoed
            failure = wait_for(PROMPT, what)
            if failure:
                return False, failure
        else:
            position = echoed
        try:
            if step.get("keyboard"):
                monitor.type(text)
                failure = None
            else:
                failure = _write_serial(process, text.encode(), deadline)
        except (OSError, TimeoutError, ValueError) as e:
            failure = "cannot type %s: %s" % (what, e)
        if failure:
            return False, failure + " " + what
        # The console echoes the line: the output starts after it. (A line
        # edited as it is typed says what its echo ends with.)
        echo = unescape(step["echo"]) if "echo" in step else _echo_of(text.rstrip("\r"))
        failure = wait_for(echo, what + " (its echo)") if echo else None
        if failure:
            return False, failure
        echoed = position
        for marker in step["shows"]:
            failure = wait_for(unescape(marker), what)
            if failure:
                return False, failure
        if step.get("matches") or step.get("absent"):
            try:
                failure = check_output(step, values, what)
            except KeyError as e:
                failure = "%s uses {=%s}, which nothing captured before it" % (what, e.args[0])
            if failure:
                return False, failure
        if step.get("reboot"):
            # The machine started again: the next prompt is the new boot's,
            # after the last marker (not a "$ " of the old session).
            echoed = position
        try:
            if step.get("vga_shows"):
                failure = wait_for_vga([unescape(m) for m in step["vga_shows"]], what)
                if failure:
                    return False, failure
            if step.get("screen_shows"):
                failure = wait_for_vga(
                    [unescape(m) for m in step["screen_shows"]], what,
                    lambda: monitor.framebuffer_text(os.path.join(work, "screen.ppm"), font))
                if failure:
                    return False, failure
            if step.get("vga_text_mode"):
                size = monitor.screen_size(os.path.join(work, "screen.ppm"))
                # 80 x 25 characters of 9 x 16 pixels: VGA text mode 3.
                if size != (720, 400):
                    return False, "the screen is %dx%d pixels %s, not text mode's 720x400" % (
                        size + (what,))
        except (OSError, TimeoutError) as e:
            return False, "cannot read the screen %s: %s" % (what, e)
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

"""Helpers shared by the image scripts: manifests, depfiles, tools, MBR."""
import json
import os
import subprocess
import sys

SECTOR = 512
MIB = 1024 * 1024


def fail(message):
    sys.exit("error: " + message)


def read_manifest(path):
    """Reads a manifest written by a generated_file over *_entries metadata:
    a JSON list of {"dest": path inside, "source": path from the build dir}.
    Returns [(dest, source)] sorted by dest. The same dest twice is an error
    unless both name the same source."""
    with open(path) as f:
        entries = json.load(f)
    files = {}
    for entry in entries:
        dest, source = entry["dest"], entry["source"]
        parts = dest.split("/")
        if dest.startswith("/") or "" in parts or "." in parts or ".." in parts:
            fail("%s: bad dest %r: a relative path without . or .." % (path, dest))
        if files.get(dest, source) != source:
            fail("%s: %s comes from both %s and %s" % (path, dest, files[dest], source))
        files[dest] = source
    return sorted(files.items())


def write_depfile(depfile, output, inputs):
    """Writes a Makefile-style depfile: OUTPUT depends on INPUTS."""
    def escape(p):
        return p.replace("\\", "\\\\").replace(" ", "\\ ")
    with open(depfile, "w") as f:
        f.write("%s: %s\n" % (escape(output), " ".join(escape(i) for i in inputs)))


def tree_files(root):
    """Every file below ROOT, sorted, as paths that include ROOT."""
    found = []
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        found += [os.path.join(directory, name) for name in sorted(files)]
    return found


def run(argv, stdin=None, env=None):
    """Runs a tool; on failure prints its output and the command and exits.
    Returns its standard output."""
    full_env = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C")
    full_env.update(env or {})
    result = subprocess.run(argv, input=stdin, env=full_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        fail("command failed (exit %d): %s" % (result.returncode, " ".join(argv)))
    return result.stdout


def partitions(image):
    """The MBR partitions of IMAGE, from `sfdisk -J`: a list of dicts with
    start and size (sectors), type (hex string) and bootable (bool)."""
    table = json.loads(run(["sfdisk", "-J", image]))["partitiontable"]
    found = []
    for p in table.get("partitions", []):
        found.append({"start": int(p["start"]), "size": int(p["size"]),
                      "type": p["type"].lower(), "bootable": bool(p.get("bootable"))})
    return found


def copy_into(source, image, offset):
    """Writes file SOURCE into IMAGE at byte OFFSET, keeping IMAGE's size."""
    run(["dd", "if=" + source, "of=" + image, "bs=%d" % SECTOR,
         "seek=%d" % (offset // SECTOR), "conv=notrunc,sparse", "status=none"])


def extract(image, offset, size, output):
    """Copies SIZE bytes at byte OFFSET of IMAGE into OUTPUT."""
    run(["dd", "if=" + image, "of=" + output, "bs=%d" % SECTOR,
         "skip=%d" % (offset // SECTOR), "count=%d" % (size // SECTOR),
         "conv=sparse", "status=none"])

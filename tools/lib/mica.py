"""Shared by tools/*: where things are, the products, builds and manifests."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(message):
    sys.exit("%s: error: %s" % (os.path.basename(sys.argv[0]), message))


def products():
    """The product names: //products/*.gni, top level only."""
    directory = os.path.join(ROOT, "products")
    return sorted(n[:-4] for n in os.listdir(directory)
                  if n.endswith(".gni") and os.path.isfile(os.path.join(directory, n)))


def read_json(out_dir, name):
    """OUT_DIR/NAME parsed, or a clear error when the build has not made it."""
    path = os.path.join(out_dir, name)
    if not os.path.isfile(path):
        fail("%s does not exist; run `gn gen %s` (and `ninja -C %s image`)"
             % (path, out_dir, out_dir))
    with open(path) as f:
        return json.load(f)


def gn_gen(out_dir, product=None):
    """`gn gen OUT_DIR` (product from the directory name unless PRODUCT).
    Returns the CompletedProcess (output captured)."""
    command = ["gn", "gen", "--root=" + ROOT, out_dir]
    if product:
        command.append('--args=product="%s"' % product)
    return subprocess.run(command, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)


def select_image(images, name=None, boot=None):
    """The images.json entry to boot and its boot method. Without NAME, the
    first product (not testonly) image that has the boot method (any, without
    BOOT). Exits with the choices when nothing fits."""
    def describe():
        return "; ".join("%s (%s)" % (i["name"], ", ".join(m["name"] for m in i["boot"])
                                      or "not bootable in QEMU") for i in images)
    candidates = [i for i in images if i["name"] == name] if name else \
        [i for i in images if not i.get("testonly")]
    if not candidates:
        fail("no image %r; the images are: %s" % (name, describe()))
    for image in candidates:
        for method in image["boot"]:
            if boot in (None, method["name"]):
                return image, method
    fail("no image%s boots with %s; the images are: %s"
         % (" " + name if name else "", boot or "QEMU", describe()))


def ensure_setup():
    """Runs tools/setup when a package is missing (a fresh machine)."""
    setup = os.path.join(ROOT, "tools", "setup")
    if subprocess.run([setup, "--check"], stdout=subprocess.DEVNULL).returncode != 0:
        if subprocess.call([setup]) != 0:
            fail("tools/setup failed")


def ensure_built(out_dir, targets):
    """`gn gen OUT_DIR` if it has no build yet, then `ninja -C OUT_DIR TARGETS`
    (quick when up to date). Exits on failure."""
    if not os.path.isfile(os.path.join(out_dir, "build.ninja")):
        gen = gn_gen(out_dir)
        if gen.returncode != 0:
            sys.stderr.write(gen.stdout)
            fail("gn gen %s failed" % out_dir)
    if subprocess.call(["ninja", "-C", out_dir] + list(targets)) != 0:
        fail("ninja -C %s %s failed" % (out_dir, " ".join(targets)))

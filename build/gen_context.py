#!/usr/bin/env python3
"""Facts BUILDCONFIG.gn cannot compute itself, printed as a GN scope.

GN runs this at `gn gen` time with the build directory as the working
directory (BUILDCONFIG has no root_build_dir yet). Prints:
  build_dir_name: the build directory's name ("pc" for out/pc)
  products:       the names of //products/*.gni
  servers:        the directories of //servers whose BUILD.gn has a "server"
                  target (server_manifest_line("server"), //build/server.gni)
"""
import os
import sys

source_root = sys.argv[1]


def names(directory, keep):
    if not os.path.isdir(directory):
        return []
    return sorted(n for n in os.listdir(directory) if keep(directory, n))


products = sorted(n[:-4] for n in names(os.path.join(source_root, "products"),
                                         lambda d, n: n.endswith(".gni")))


def is_server(directory, name):
    """A directory of //servers whose BUILD.gn declares its manifest line,
    server_manifest_line("server") (or a group("server") of its own): the
    entry the product's server list names."""
    build = os.path.join(directory, name, "BUILD.gn")
    if not os.path.isfile(build):
        return False
    with open(build) as f:
        text = f.read()
        return 'server_manifest_line("server")' in text or 'group("server")' in text


servers = names(os.path.join(source_root, "servers"), is_server)


def gn_list(items):
    return "[" + ", ".join('"%s"' % i for i in items) + "]"


print('build_dir_name = "%s"' % os.path.basename(os.getcwd()))
print("products = " + gn_list(products))
print("servers = " + gn_list(servers))

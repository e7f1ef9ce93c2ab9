#!/usr/bin/env python3
"""expand_template.py IN OUT KEY=VALUE...: writes IN to OUT with every @KEY@
replaced by VALUE. Fails on a @KEY@ left without a value."""
import re
import sys


def main(argv):
    source, output, pairs = argv[1], argv[2], argv[3:]
    values = dict(pair.split("=", 1) for pair in pairs)
    with open(source) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace("@%s@" % key, value)
    left = sorted(set(re.findall(r"@([A-Z_][A-Z0-9_]*)@", text)))
    if left:
        sys.exit("%s: no value for %s" % (source, ", ".join(left)))
    with open(output, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv)

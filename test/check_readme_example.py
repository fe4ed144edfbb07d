#!/usr/bin/env python3
"""Checks that the README's API example is examples/minimal_receiver.cpp
verbatim, then runs the built example and checks what it prints.

usage: check_readme_example.py README EXAMPLE_SOURCE EXAMPLE_BINARY
"""
import subprocess
import sys

MARKER = "<!-- example: examples/minimal_receiver.cpp -->"
HINT = ("generic netlink family 'psample' not found: load the psample kernel module "
        "(modprobe psample) or add a tc sample action")


def readme_block(readme_text):
    start = readme_text.index(MARKER)
    fence = readme_text.index("```cpp\n", start) + len("```cpp\n")
    end = readme_text.index("```\n", fence)
    return readme_text[fence:end]


def psample_registered():
    # genl ctrl asks the same controller the library does.
    out = subprocess.run(["genl", "ctrl", "get", "name", "psample"], capture_output=True, text=True)
    return out.returncode == 0


def main():
    readme, source, binary = sys.argv[1:4]
    block = readme_block(open(readme).read())
    code = open(source).read()
    if block != code:
        print("README example differs from %s; copy the file into the README" % source)
        return 1
    result = subprocess.run([binary], capture_output=True, text=True, timeout=60)
    print("example exit status %d\nstdout: %s\nstderr: %s" % (result.returncode, result.stdout, result.stderr))
    if psample_registered():
        ok = result.returncode == 0 and result.stdout.strip().splitlines()[-1].endswith(" lost")
    else:
        ok = result.returncode == 2 and result.stderr.strip() == "psample: " + HINT
    print("example behaved as documented" if ok else "example did not behave as documented")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

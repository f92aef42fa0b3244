#!/usr/bin/env python3
"""Runs the README's walkthrough "A night with adflag" as written.

Every ```sh block of that section is taken in order and run by one bash,
with -e and pipefail, in a temporary directory laid out like the top of a
clone after the quick start: build/src/adflag is the binary under test,
and samples/, bench/ and rules/ are the project's. The test fails when
the section has no block or any command of a block fails, naming the
block and the command.

    walkthrough_test.py ADFLAG PROJECT_ROOT
"""

import pathlib
import re
import subprocess
import sys
import tempfile

SECTION = "## A night with adflag"


def fail(message):
    sys.exit("walkthrough_test: " + message)


def shell_blocks(readme):
    """Returns the text of each ```sh block of the walkthrough section."""
    start = readme.find("\n" + SECTION + "\n")
    if start < 0:
        fail(f"README.md has no section '{SECTION}'")
    end = readme.find("\n## ", start + 1)
    section = readme[start:end if end >= 0 else len(readme)]
    return re.findall(r"^```sh\n(.*?)^```$", section, re.S | re.M)


def script(blocks):
    """Returns one bash script that runs the blocks in order and names
    the block and command that fail."""
    lines = ["set -eEo pipefail",
             "trap 'echo \"walkthrough_test: block $block failed at: "
             "$BASH_COMMAND\" >&2' ERR"]
    for number, block in enumerate(blocks, 1):
        lines += [f"block={number}", block]
    return "\n".join(lines) + "\n"


def lay_out_clone(top, adflag, root):
    """Makes `top` look like the top of a built clone."""
    (top / "build" / "src").mkdir(parents=True)
    (top / "build" / "src" / "adflag").symlink_to(adflag)
    for name in ("samples", "bench", "rules"):
        (top / name).symlink_to(root / name)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: walkthrough_test.py ADFLAG PROJECT_ROOT")
    adflag = pathlib.Path(sys.argv[1]).resolve()
    root = pathlib.Path(sys.argv[2]).resolve()
    blocks = shell_blocks((root / "README.md").read_text(encoding="utf-8"))
    if not blocks:
        fail(f"the section '{SECTION}' has no ```sh block")

    with tempfile.TemporaryDirectory() as work:
        top = pathlib.Path(work)
        lay_out_clone(top, adflag, root)
        result = subprocess.run(["bash", "-c", script(blocks)], cwd=top,
                                capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        fail(f"the walkthrough exited {result.returncode}")
    print(f"walkthrough: {len(blocks)} blocks ran")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs the README's walkthrough "A night with adflag" as written.

Every ```sh block of that section is taken in order and run by one bash,
with -e and pipefail, in a temporary directory laid out like the top of a
clone after the quick start: build/src/adflag is the binary under test,
and samples/, bench/ and rules/ are the project's. The test fails when
the section has no block or any command of a block fails, naming the
block and the command.

A ```text block right after a ```sh block shows what that block prints
(standard output and standard error together). Every line it shows must
be printed by the block, in the order shown; what changes from run to run
(seconds, rates, clock times, the number of threads) is set aside on both
sides, and a line "..." stands for lines left out.

    walkthrough_test.py ADFLAG PROJECT_ROOT
"""

import pathlib
import re
import subprocess
import sys
import tempfile

SECTION = "## A night with adflag"

# What a run prints that differs from run to run, and what it becomes.
VARYING = [
    (re.compile(r"\d+\.\d\d s$"), "N.NN s"),
    (re.compile(r"\d+ listings/s"), "N listings/s"),
    (re.compile(r"\d+:\d\d left"), "M:SS left"),
    (re.compile(r'"time":"[^"]*"'), '"time":"T"'),
    (re.compile(r"\b\d+ threads?\b"), "N threads"),
]

# Printed before each block, to cut the output into blocks.
MARK = "walkthrough_test: block "


def fail(message):
    sys.exit("walkthrough_test: " + message)


def blocks_of(readme):
    """Returns the walkthrough's blocks as (language, text) pairs."""
    start = readme.find("\n" + SECTION + "\n")
    if start < 0:
        fail(f"README.md has no section '{SECTION}'")
    end = readme.find("\n## ", start + 1)
    section = readme[start:end if end >= 0 else len(readme)]
    return re.findall(r"^```(\w*)\n(.*?)^```$", section, re.S | re.M)


def shell_blocks(blocks):
    """Returns each ```sh block with the ```text block after it, or None."""
    pairs = []
    for index, (language, text) in enumerate(blocks):
        if language != "sh":
            continue
        shown = None
        if index + 1 < len(blocks) and blocks[index + 1][0] == "text":
            shown = blocks[index + 1][1]
        pairs.append((text, shown))
    return pairs


def script(commands):
    """Returns one bash script that runs the blocks in order, marks where
    each one's output begins and names the block and command that fail."""
    lines = ["set -eEo pipefail",
             "trap 'echo \"walkthrough_test: block $block failed at: "
             "$BASH_COMMAND\" >&2' ERR"]
    for number, command in enumerate(commands, 1):
        lines += [f"block={number}", f"echo '{MARK}{number}'", command]
    return "\n".join(lines) + "\n"


def outputs_by_block(output, count):
    """Cuts the run's output at the marks: the lines each block printed."""
    printed = {number: [] for number in range(1, count + 1)}
    current = None
    for line in output.splitlines():
        if line.startswith(MARK):
            current = int(line[len(MARK):])
        elif current is not None:
            printed[current].append(line)
    return printed


def steady(line):
    """Returns `line` with what varies from run to run set aside."""
    for pattern, replacement in VARYING:
        line = pattern.sub(replacement, line)
    return line


def missing_line(shown, printed):
    """Returns the first line of `shown` that `printed` lacks, in order,
    or None when every shown line is there."""
    remaining = iter([steady(line) for line in printed])
    for line in shown.splitlines():
        if line == "...":
            continue
        if not any(steady(line) == candidate for candidate in remaining):
            return line
    return None


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
    pairs = shell_blocks(
        blocks_of((root / "README.md").read_text(encoding="utf-8")))
    if not pairs:
        fail(f"the section '{SECTION}' has no ```sh block")

    with tempfile.TemporaryDirectory() as work:
        top = pathlib.Path(work)
        lay_out_clone(top, adflag, root)
        result = subprocess.run(
            ["bash", "-c", script([command for command, _ in pairs])],
            cwd=top, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:])
        fail(f"the walkthrough exited {result.returncode}")

    printed = outputs_by_block(result.stdout, len(pairs))
    checked = 0
    for number, (_, shown) in enumerate(pairs, 1):
        if shown is None:
            continue
        line = missing_line(shown, printed[number])
        if line is not None:
            sys.stderr.write("\n".join(printed[number]) + "\n")
            fail(f"block {number} did not print, in the order shown: "
                 f"{line!r}")
        checked += 1
    print(f"walkthrough: {len(pairs)} blocks ran, the output of {checked} "
          f"matched the README")


if __name__ == "__main__":
    main()

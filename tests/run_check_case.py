#!/usr/bin/env python3
"""Runs `adflag check` on one rule file of tests/check/ and compares.

Each file says, in comment lines at its top, what the check must print:

  # expect: FILE:LINE:COL: severity: message   one per diagnostic, in order
  # args: --strict                              optional: more arguments
  # exit: 1                                     the exit code

The check runs in the project's top directory on the file's path relative
to it, so FILE is written as the command prints it
(tests/check/NAME.yaml). Standard error must hold exactly the expected
diagnostics, followed by the one summary line of the pack; standard output
must be empty.

    run_check_case.py ADFLAG FILE PROJECT_ROOT
"""

import pathlib
import subprocess
import sys


def directives(text, name):
    prefix = "# " + name + ":"
    return [line[len(prefix):].strip() for line in text.splitlines()
            if line.startswith(prefix)]


def main():
    adflag, path, root = sys.argv[1:4]
    root = pathlib.Path(root).resolve()
    relative = pathlib.Path(path).resolve().relative_to(root).as_posix()
    text = (root / relative).read_text(encoding="utf-8")
    expected = directives(text, "expect")
    args = " ".join(directives(text, "args")).split()
    exits = directives(text, "exit")
    if len(exits) != 1:
        sys.exit("%s: needs exactly one '# exit:' line" % relative)

    done = subprocess.run([adflag, "check"] + args + [relative], cwd=root,
                          capture_output=True, timeout=60)
    lines = done.stderr.decode("utf-8").splitlines()
    failures = []
    if done.returncode != int(exits[0]):
        failures.append("exit code %d, expected %s" %
                        (done.returncode, exits[0]))
    if done.stdout:
        failures.append("unexpected stdout: %r" % done.stdout)
    if not lines or not lines[-1].startswith(relative + ": ") or \
            ": error: " in lines[-1] or ": warning: " in lines[-1]:
        failures.append("the last line is not the pack's summary")
    if lines[:-1] != expected:
        failures.append(
            "diagnostics differ:\n  expected:\n    %s\n  got:\n    %s"
            % ("\n    ".join(expected), "\n    ".join(lines[:-1])))

    for failure in failures:
        print("%s: %s" % (relative, failure))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

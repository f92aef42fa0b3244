#!/usr/bin/env python3
"""Runs one golden command-line case of adflag and compares every result.

A case is a directory under tests/cli/:

  args        the arguments, one per line; '{root}' stands for the
              project's top directory, and is written back as '' in what
              the run prints, so 'scan {root}/samples/x.jsonl' reports
              'samples/x.jsonl' on any machine
  stdin       optional: fed to standard input
  stdout      expected standard output, or
  stdout_from the path ('{root}/...') of a file holding it
  stderr      expected standard error
  exit_code   expected exit code
  expect/     optional: files the run must leave in its working directory,
              each compared byte for byte
  absent      optional: names, one per line, that must not exist afterwards

The command runs in a fresh copy of the case directory. Durations in the
summary ('0.01 s', "seconds": 0.012) are masked before comparing, since
they differ from run to run.

    run_cli_case.py ADFLAG CASE_DIR PROJECT_ROOT
    run_cli_case.py --bless ADFLAG CASE_DIR PROJECT_ROOT

--bless writes what the run printed as the case's expectations (exit_code,
stdout unless stdout_from is used, stderr, and the files already listed
under expect/), to review with git diff before committing.
"""

import difflib
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

DURATIONS = [
    (re.compile(rb"\d+\.\d\d s\b"), b"N.NN s"),
    (re.compile(rb'"seconds": [0-9.e-]+'), b'"seconds": N'),
]


def mask(data, root=None):
    if root is not None:
        data = data.replace(str(root).encode() + b"/", b"")
    for pattern, replacement in DURATIONS:
        data = pattern.sub(replacement, data)
    return data


def compare(name, expected, actual):
    if expected == actual:
        return True
    diff = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(True),
        actual.decode("utf-8", "replace").splitlines(True),
        "expected " + name, "actual " + name)
    sys.stdout.write("".join(diff) + "\n")
    return False


def expected_stdout(case, root):
    if (case / "stdout_from").exists():
        path = (case / "stdout_from").read_text().strip()
        return pathlib.Path(path.replace("{root}", str(root))).read_bytes()
    return (case / "stdout").read_bytes()


def run_in_copy(adflag, case, root, inspect):
    """Runs the case in a fresh copy of its directory and returns what
    inspect(done, work) returns, while the copy still exists."""
    args = [line.replace("{root}", str(root))
            for line in (case / "args").read_text().splitlines() if line]
    stdin = (case / "stdin").read_bytes() if (case / "stdin").exists() else b""
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work) / "case"
        shutil.copytree(case, work)
        done = subprocess.run([adflag] + args, cwd=work, input=stdin,
                              capture_output=True, timeout=120)
        return inspect(done, work)


def expected_files(case):
    """Yields the files under expect/ with their paths relative to it."""
    for expected in sorted((case / "expect").glob("**/*")):
        if expected.is_file():
            yield expected, expected.relative_to(case / "expect")


def check_run(case, root, done, work):
    ok = compare("exit code", (case / "exit_code").read_bytes().strip(),
                 str(done.returncode).encode())
    ok &= compare("stdout", expected_stdout(case, root),
                  mask(done.stdout, root))
    ok &= compare("stderr", (case / "stderr").read_bytes(),
                  mask(done.stderr, root))
    for expected, relative in expected_files(case):
        produced = work / relative
        actual = produced.read_bytes() if produced.exists() else b"<missing>\n"
        ok &= compare(str(relative), expected.read_bytes(), mask(actual))
    absent = case / "absent"
    for name in absent.read_text().split() if absent.exists() else []:
        if (work / name).exists():
            print("expected no file '%s' after the run" % name)
            ok = False
    return ok


def run_case(adflag, case, root):
    return run_in_copy(adflag, case, root,
                       lambda done, work: check_run(case, root, done, work))


def write_expectations(case, root, done, work):
    (case / "exit_code").write_text("%d\n" % done.returncode)
    if not (case / "stdout_from").exists():
        (case / "stdout").write_bytes(mask(done.stdout, root))
    (case / "stderr").write_bytes(mask(done.stderr, root))
    for expected, relative in expected_files(case):
        produced = work / relative
        if produced.exists():
            expected.write_bytes(mask(produced.read_bytes()))


def bless(adflag, case, root):
    run_in_copy(adflag, case, root,
                lambda done, work: write_expectations(case, root, done, work))


def main():
    blessing = sys.argv[1] == "--bless"
    adflag, case, root = sys.argv[2:5] if blessing else sys.argv[1:4]
    case, root = pathlib.Path(case), pathlib.Path(root).resolve()
    if blessing:
        bless(adflag, case, root)
        return
    sys.exit(0 if run_case(adflag, case, root) else 1)


if __name__ == "__main__":
    main()

"""What the command-line tests of sharing features have in common: running
adflag in a scratch directory holding copies of the test data, and
gathering every failed expectation before reporting them all.

The data of tests/data/sharing/ is copied into the scratch directory and
named there without a directory, so that `source` reads the same on every
machine.
"""

import pathlib
import shutil
import subprocess
import sys
import tempfile

DATA = pathlib.Path("tests/data/sharing")


class Checks:
    """Collects failed expectations; `finish` reports them and exits."""

    def __init__(self):
        self.problems = []

    def expect(self, condition, message):
        if not condition:
            self.problems.append(message)
        return condition

    def equal(self, name, actual, expected):
        return self.expect(actual == expected, "%s: expected %r, got %r"
                           % (name, expected, actual))

    def refused(self, name, done, message):
        """Expects a run that refused its job: exit code 2, `message` on
        stderr and nothing on stdout."""
        self.equal(name + ": exit code", done.returncode, 2)
        self.equal(name + ": stderr", done.stderr.decode(), message)
        self.equal(name + ": stdout", done.stdout, b"")

    def finish(self):
        for problem in self.problems:
            print(problem)
        print("%d problems" % len(self.problems))
        sys.exit(1 if self.problems else 0)


class Scratch:
    """A scratch directory with the test data, where adflag runs."""

    def __init__(self, adflag, root):
        self.adflag = str(pathlib.Path(adflag).resolve())
        self.root = pathlib.Path(root).resolve()
        self._directory = tempfile.TemporaryDirectory()
        self.path = pathlib.Path(self._directory.name)
        for item in (self.root / DATA).iterdir():
            shutil.copy(item, self.path / item.name)

    def write(self, name, data):
        path = self.path / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return path

    def read(self, name):
        return (self.path / name).read_bytes()

    def run(self, *args, stdin=b"", env=None):
        """Runs adflag with `args`; returns the CompletedProcess."""
        return subprocess.run([self.adflag] + list(args), cwd=self.path,
                              input=stdin, capture_output=True, timeout=120,
                              env=env)

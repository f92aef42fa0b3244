#!/usr/bin/env python3
"""Hostile inputs and faults that need more than a golden case: inputs too
big to keep in the project, generated here in a temporary directory, and
runs that are stopped, cut off or denied from outside.

Each case asserts the exit code, the messages on standard error and the
counts of the run summary.

    hostile_test.py ADFLAG PROJECT_ROOT CASE

Exits 0 when the case passes, 1 when it fails and 77 (a ctest SKIP) when
it cannot run here.
"""

import os
import pathlib
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

# A run that takes longer than this is hung: every case ends in seconds.
HANG_SECONDS = 120

DURATION = re.compile(r"\d+\.\d\d s\b")


class CaseFailed(Exception):
    pass


def expect(what, expected, actual):
    if expected != actual:
        raise CaseFailed("%s: expected %r, got %r" % (what, expected, actual))


def listing(number, title="Barely legal", body="Ask for Kiki."):
    return ('{"id": "L%d", "title": "%s", "body": "%s", '
            '"phone": "(510) 555-0134"}' % (number, title, body))


def write_listings(path, count):
    with open(path, "w") as out:
        for number in range(1, count + 1):
            out.write(listing(number) + "\n")


class Run:
    """An adflag command run in a work directory."""

    def __init__(self, adflag, root, work):
        self.adflag = adflag
        self.pack = str(root / "tests" / "data" / "cli_pack.yaml")
        self.work = work

    def scan(self, *args, **kwargs):
        return subprocess.run([self.adflag, "scan", "-r", self.pack] +
                              list(args), cwd=self.work, capture_output=True,
                              timeout=HANG_SECONDS, **kwargs)

    def stderr(self, done):
        return DURATION.sub("N.NN s", done.stderr.decode())


def summary(lines, listings, blank, rejected, flagged, high=0, medium=None,
            repaired=0, hint=""):
    medium = flagged if medium is None else medium
    return ("adflag: %d lines: %d listings (%d repaired), %d blank, "
            "%d rejected%s; %d flagged: %d high, %d medium, 0 low; N.NN s\n"
            % (lines, listings, repaired, blank, rejected, hint, flagged,
               high, medium))


def case_long_line(run):
    """A 100 MB line is rejected against the default --max-line-bytes and
    kept whole in the rejects file; the lines around it are scanned."""
    big = '{"id": "BIG", "body": "' + "x" * (100 << 20) + '"}'
    with open(run.work / "big.jsonl", "w") as out:
        out.write(listing(1) + "\n" + big + "\n" + listing(3) + "\n")
    done = run.scan("big.jsonl", "--rejects", "rejects.jsonl", "-q")
    expect("exit code", 0, done.returncode)
    expect("stderr", "", run.stderr(done))
    expect("flagged lines", [b'"line":1', b'"line":3'],
           re.findall(rb'"line":\d+', done.stdout))
    rejects = (run.work / "rejects.jsonl").read_bytes()
    expect("rejects file size", len(big) + 1, len(rejects))
    expect("rejects file", (big + "\n").encode(), rejects)

    done = run.scan("big.jsonl")
    expect("stderr", "big.jsonl:2: rejected line: line is longer than "
           "--max-line-bytes (16777216 bytes)\n" +
           summary(3, 2, 0, 1, 2, hint=" (keep them with --rejects FILE)"),
           run.stderr(done))
    # The line is held whole, and copied on its way to --rejects.
    expect_memory_under(600)


def case_deep_json(run):
    """JSON nested 100,000 deep is rejected, not parsed recursively."""
    depth = 100000
    objects = '{"a": ' * depth + "1" + "}" * depth
    arrays = '{"id": "A", "body": ' + "[" * depth + "]" * depth + "}"
    with open(run.work / "deep.jsonl", "w") as out:
        out.write(objects + "\n" + arrays + "\n" + listing(3) + "\n")
    done = run.scan("deep.jsonl", "--rejects", "rejects.jsonl")
    expect("exit code", 0, done.returncode)
    reason = "rejected line: JSON nested too deeply (more than 1024 levels)"
    expect("stderr", "deep.jsonl:1:6145: %s\ndeep.jsonl:2:1044: %s\n"
           % (reason, reason) + summary(3, 1, 0, 2, 1), run.stderr(done))
    expect("rejects file", (objects + "\n" + arrays + "\n").encode(),
           (run.work / "rejects.jsonl").read_bytes())


def case_unreadable(run):
    """An input without read permission stops the run before any output.
    As root, permissions do not stop reads: the run is made as 'nobody'."""
    write_listings(run.work / "locked.jsonl", 3)
    os.chmod(run.work / "locked.jsonl", 0)
    command = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            print("skipped: running as root, and no setpriv to drop it")
            sys.exit(SKIP)
        command = [setpriv, "--reuid=nobody", "--regid=nogroup",
                   "--clear-groups", "--"]
        os.chmod(run.work, 0o777)
        os.chmod(run.work.parent, 0o755)
    done = subprocess.run(command + [run.adflag, "scan", "-r", run.pack,
                                     "locked.jsonl", "-o", "out.jsonl"],
                          cwd=run.work, capture_output=True,
                          timeout=HANG_SECONDS)
    if os.geteuid() == 0 and b"cli_pack.yaml" in done.stderr:
        print("skipped: 'nobody' cannot read the project's files")
        sys.exit(SKIP)
    expect("exit code", 2, done.returncode)
    expect("stderr", "adflag: error: cannot read 'locked.jsonl': "
           "Permission denied\n", run.stderr(done))
    expect("files left", ["locked.jsonl"], os.listdir(run.work))


def case_stdout_full(run):
    """Standard output on a full disk (/dev/full) is an error, not a
    silent loss."""
    write_listings(run.work / "in.jsonl", 10)
    with open("/dev/full", "wb") as full:
        done = subprocess.run([run.adflag, "scan", "-r", run.pack,
                               "in.jsonl"], cwd=run.work, stdout=full,
                              stderr=subprocess.PIPE, timeout=HANG_SECONDS)
    expect("exit code", 2, done.returncode)
    # The counts cover the lines whose output was written: none.
    expect("stderr", "adflag: error: cannot write '<stdout>': No space left "
           "on device\n" + summary(0, 0, 0, 0, 0), run.stderr(done))


def case_output_full(run):
    """-o naming a full device (/dev/full, through a link so that a
    regression could only replace the link): an error naming the output,
    and the device is written in place, not replaced by a file."""
    write_listings(run.work / "in.jsonl", 10)
    os.symlink("/dev/full", run.work / "flags.jsonl")
    done = run.scan("in.jsonl", "-o", "flags.jsonl", "--stats", "stats.json")
    expect("exit code", 2, done.returncode)
    expect("stderr", "adflag: error: cannot write 'flags.jsonl': No space "
           "left on device\n"
           "adflag: 'flags.jsonl' was not written: the run did not complete\n"
           + summary(0, 0, 0, 0, 0), run.stderr(done))
    expect("still a link", True, (run.work / "flags.jsonl").is_symlink())
    expect("files left", ["flags.jsonl", "in.jsonl", "stats.json"],
           sorted(os.listdir(run.work)))


def case_closed_pipe(run):
    """`adflag scan big.jsonl | head -1`: the run stops at the first batch
    whose output finds the pipe closed, and exits 0."""
    write_listings(run.work / "big.jsonl", 200000)
    scan = subprocess.Popen([run.adflag, "scan", "-r", run.pack,
                             "big.jsonl", "--threads", "2"], cwd=run.work,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = scan.stdout.readline()
    scan.stdout.close()
    stderr = scan.stderr.read()
    code = scan.wait(timeout=HANG_SECONDS)
    expect("exit code", 0, code)
    expect("first line", b'{"id":"L1","source":"big.jsonl","line":1,',
           first[:41])
    # One batch is 2048 lines: only the first was written, in part.
    expect("stderr", summary(2048, 2048, 0, 0, 2048),
           DURATION.sub("N.NN s", stderr.decode()))


def feed_until_written(run, scan, temp_glob, lines):
    """Writes `lines` listings to the scan's standard input, keeping it
    open, and waits until its temporary output file has data."""
    for number in range(1, lines + 1):
        scan.stdin.write((listing(number) + "\n").encode())
    scan.stdin.flush()
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        temps = list(run.work.glob(temp_glob))
        if temps and temps[0].stat().st_size > 0:
            return
        if scan.poll() is not None:
            raise CaseFailed("the scan ended before its signal: %r"
                             % scan.stderr.read())
        time.sleep(0.05)
    raise CaseFailed("no output reached the temporary file")


def stop_by(run, signal_number, name):
    """A signal mid-run, while the scan waits for more input: the scan
    stops, removes its temporary file, leaves no file at -o and exits with
    128 plus the signal's number."""
    (run.work / "out.jsonl").write_text("the previous run\n")
    scan = subprocess.Popen([run.adflag, "scan", "-r", run.pack, "-",
                             "--all", "-o", "out.jsonl", "--threads", "2",
                             "--rejects", "rejects.jsonl"], cwd=run.work,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    # More than one batch of 2048 lines: the first is written.
    feed_until_written(run, scan, "out.jsonl.tmp.*", 3000)
    scan.send_signal(signal_number)
    stdout, stderr = scan.communicate(timeout=HANG_SECONDS)
    expect("exit code", 128 + signal_number, scan.returncode)
    expect("stdout", b"", stdout)
    expect("stderr", "adflag: error: interrupted by %s\n"
           "adflag: 'out.jsonl' was not written: the run did not complete\n"
           % name + summary(2048, 2048, 0, 0, 2048),
           DURATION.sub("N.NN s", stderr.decode()))
    expect("files left", ["out.jsonl", "rejects.jsonl"],
           sorted(os.listdir(run.work)))
    expect("out.jsonl", "the previous run\n",
           (run.work / "out.jsonl").read_text())


def case_sigint(run):
    stop_by(run, signal.SIGINT, "SIGINT")


def case_sigterm(run):
    stop_by(run, signal.SIGTERM, "SIGTERM")


def peak_memory_mb():
    """The peak resident memory of the largest child run so far, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def expect_memory_under(limit_mb):
    """Memory bounds hold for normal builds; sanitizers multiply memory."""
    if os.environ.get("ADFLAG_SANITIZED") == "1":
        return
    peak = peak_memory_mb()
    if peak >= limit_mb:
        raise CaseFailed("peak memory %d MB, over the bound of %d MB"
                         % (peak, limit_mb))


def scan_peak_mb(run, *args):
    """Runs a scan and returns its exit code and its own peak resident
    memory, in MB."""
    with open(os.devnull, "wb") as null:
        scan = subprocess.Popen([run.adflag, "scan", "-r", run.pack, "-q"] +
                                list(args), cwd=run.work, stdout=null,
                                stderr=null)
        _, status, usage = os.wait4(scan.pid, 0)
        scan.returncode = os.waitstatus_to_exitcode(status)
    return scan.returncode, usage.ru_maxrss // 1024


def case_memory_flat(run):
    """Memory follows the batches in flight, not the input: ten times the
    listings take at most a little more memory, under the README's bound
    of 200 MB for a small pack on 2 threads."""
    write_listings(run.work / "small.jsonl", 30000)
    write_listings(run.work / "large.jsonl", 300000)
    code, small = scan_peak_mb(run, "small.jsonl", "--threads", "2",
                               "-o", "small.out")
    expect("exit code", 0, code)
    code, large = scan_peak_mb(run, "large.jsonl", "--threads", "2",
                               "-o", "large.out")
    expect("exit code", 0, code)
    expect("output lines", 300000,
           (run.work / "large.out").read_bytes().count(b"\n"))
    if os.environ.get("ADFLAG_SANITIZED") == "1":
        return
    if large > small + 32 or large >= 200:
        raise CaseFailed("peak memory %d MB for 300,000 listings, %d MB for "
                         "30,000" % (large, small))


def check_rules(run, name, text, command="check"):
    """Runs `adflag check` (or `scan` of an empty input) on one generated
    rule file."""
    (run.work / name).write_text(text)
    args = [name] if command == "check" else ["-r", name, os.devnull]
    return subprocess.run([run.adflag, command] + args, cwd=run.work,
                          capture_output=True, timeout=HANG_SECONDS)


def errors(run, done):
    """The error lines of a run's standard error, without its warnings."""
    return [line for line in run.stderr(done).splitlines(True)
            if ": warning: " not in line]


def rule(number):
    return ("  - id: rule.%d\n    title: Rule %d\n    category: test\n"
            "    weight: 0.1\n    any: ['\\bword%d\\b']\n"
            % (number, number, number))


def case_rules_many(run):
    """A pack of 10,000 rules is refused at the first rule past 5,000."""
    text = "rules:\n" + "".join(rule(n) for n in range(1, 10001))
    done = check_rules(run, "many.yaml", text)
    expect("exit code", 1, done.returncode)
    expect("errors", ["many.yaml:25002:5: error: too many rules: a pack may "
                      "hold at most 5000\n",
                      "many.yaml: 1 error, 10000 warnings in 5000 rules\n"],
           errors(run, done))
    expect_memory_under(200)


def case_rules_50mb(run):
    """A 50 MB rule file is refused by its size, read no further."""
    text = "rules:\n" + "".join(rule(n) for n in range(1, 5001))
    text += "# " + "x" * (50 << 20) + "\n"
    message = ("big.yaml:1:1: error: rule file is %d bytes, more than the "
               "limit of 4194304 bytes (4 MiB)\n" % len(text))
    done = check_rules(run, "big.yaml", text)
    expect("exit code", 2, done.returncode)
    expect("stderr", message + "big.yaml: not checked: the pack cannot be "
           "read\n", run.stderr(done))
    done = check_rules(run, "big.yaml", text, command="scan")
    expect("exit code", 2, done.returncode)
    expect("stderr", message, run.stderr(done))
    expect_memory_under(200)


def case_rules_deep_yaml(run):
    """YAML nested 100,000 deep is refused at level 65, not walked."""
    depth = 100000
    text = "rules:\n  - a: " + "[" * depth + "]" * depth + "\n"
    done = check_rules(run, "deep.yaml", text)
    expect("exit code", 1, done.returncode)
    expect("errors", ["deep.yaml:2:69: error: YAML nested too deeply (more "
                      "than 64 levels)\n", "deep.yaml: 1 error in 0 rules\n"],
           errors(run, done))
    expect_memory_under(200)


CASES = {
    "long_line": case_long_line,
    "deep_json": case_deep_json,
    "unreadable": case_unreadable,
    "stdout_full": case_stdout_full,
    "output_full": case_output_full,
    "closed_pipe": case_closed_pipe,
    "sigint": case_sigint,
    "sigterm": case_sigterm,
    "memory_flat": case_memory_flat,
    "rules_many": case_rules_many,
    "rules_50mb": case_rules_50mb,
    "rules_deep_yaml": case_rules_deep_yaml,
}


def main():
    adflag, root, name = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as temp:
        work = pathlib.Path(temp) / "work"
        work.mkdir()
        try:
            CASES[name](Run(os.path.abspath(adflag),
                            pathlib.Path(root).resolve(), work))
        except CaseFailed as failure:
            print("%s: %s" % (name, failure))
            sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks what `adflag scan` writes on stderr besides its flags: the
progress line of --progress, the summary that -q silences, the debug
lines of -v and the JSON lines of --log-format json.

--progress always into a pipe writes progress as log lines of an exact
shape; auto writes none into a pipe, draws and erases the line on a
terminal (a pseudo-terminal here) and writes none there either when CI is
set or with -q, where only always draws; never writes none on a terminal.
With --log-format json every line on stderr is a JSON object with exactly
time, level and message, usage errors included, except when --log-format
itself is malformed.

    progress_test.py ADFLAG PROJECT_ROOT
"""

import json
import os
import pty
import re
import subprocess
import sys

from harness import Checks, Scratch

SUMMARY = ("adflag: 7 lines: 6 listings (0 repaired), 0 blank, 1 rejected "
           "(keep them with --rejects FILE); 5 flagged: 0 high, 0 medium, "
           "5 low; ")
REJECTED = ("night.jsonl:4:1: rejected line: not JSON (each line must hold "
            "one JSON object)")
ERASE = "\r\x1b[K"
RATE = r"\d+ listings/s"


def progress_pattern(size):
    """The last progress line of a run over a file of `size` bytes."""
    return re.compile(r"adflag: %d B of %d B \(100%%\), 6 listings, %s, "
                      r"0:00 left$" % (size, size, RATE))


def lines(done):
    return done.stderr.decode().splitlines()


def without_seconds(line):
    return re.sub(r"\d+\.\d\d s$", "", line)


def run_on_terminal(scratch, args, env):
    """Runs adflag with stderr on a pseudo-terminal; returns what the
    terminal received."""
    main, terminal = pty.openpty()
    done = subprocess.run([scratch.adflag] + args, cwd=scratch.path,
                          stdout=subprocess.DEVNULL, stderr=terminal,
                          env=env, timeout=120)
    os.close(terminal)
    received = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    os.close(main)
    return done.returncode, received.decode().replace("\r\n", "\n")


def check_progress(checks, scratch, size):
    scan = ["scan", "night.jsonl", "-r", "pack.yaml"]
    done = scratch.run(*scan, "--progress", "always")
    got = lines(done)
    checks.equal("always: line count", len(got), 3)
    checks.equal("always: rejected line", got[:1], [REJECTED])
    checks.expect(len(got) == 3 and progress_pattern(size).match(got[1]),
                  "always: progress line %r" % got[1:2])
    checks.equal("always: summary", [without_seconds(l) for l in got[2:]],
                 [SUMMARY])

    stdin = scratch.read("night.jsonl")
    done = scratch.run("scan", "-r", "pack.yaml", "--progress", "always",
                       "-q", stdin=stdin)
    checks.equal("always -q from stdin: line count", len(lines(done)), 1)
    checks.expect(re.match(r"adflag: %d B read, 6 listings, %s$"
                           % (size, RATE), lines(done)[0] if lines(done)
                           else ""), "stdin progress %r" % lines(done))

    done = scratch.run(*scan)
    checks.equal("auto into a pipe", [without_seconds(l) for l in lines(done)],
                  [REJECTED, SUMMARY])

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TERM"] = "xterm"
    code, seen = run_on_terminal(scratch, scan, env)
    checks.equal("auto on a terminal: exit code", code, 0)
    drawn = re.fullmatch(r"%s\n%s(adflag: .*?)%s(.*)\n"
                         % (re.escape(REJECTED), re.escape(ERASE),
                            re.escape(ERASE)), seen)
    checks.expect(drawn and progress_pattern(size).match(drawn.group(1)),
                  "auto on a terminal: %r" % seen)
    checks.equal("auto on a terminal: summary",
                 without_seconds(drawn.group(2)) if drawn else None, SUMMARY)
    code, seen = run_on_terminal(scratch, scan, dict(env, CI="true"))
    checks.equal("auto on a terminal under CI",
                 without_seconds(seen), REJECTED + "\n" + SUMMARY + "\n")
    # -q is silence: auto draws nothing, and only always still draws.
    code, seen = run_on_terminal(scratch, scan + ["-q"], env)
    checks.equal("auto -q on a terminal: exit code", code, 0)
    checks.equal("auto -q on a terminal", seen, "")
    code, seen = run_on_terminal(
        scratch, scan + ["-q", "--progress", "always"], env)
    drawn = re.fullmatch(r"%s(adflag: .*?)%s" % (re.escape(ERASE),
                                                 re.escape(ERASE)), seen)
    checks.expect(drawn and progress_pattern(size).match(drawn.group(1)),
                  "always -q on a terminal: %r" % seen)
    code, seen = run_on_terminal(
        scratch, scan + ["-q", "--progress", "never"], env)
    checks.equal("never on a terminal", seen, "")


def check_quiet_and_verbose(checks, scratch):
    scan = ["scan", "night.jsonl", "-r", "pack.yaml"]
    checks.equal("-q", lines(scratch.run(*scan, "-q")), [])
    got = lines(scratch.run(*scan, "-v", "--threads", "2"))
    checks.equal("-v", got[:1] + [without_seconds(l) for l in got[1:]], [
        "adflag: pack sharing-test 1: 5 rules, 2 threads", REJECTED,
        SUMMARY])


def check_json_log(checks, scratch):
    done = scratch.run("scan", "night.jsonl", "-r", "pack.yaml",
                       "--progress", "always", "--log-format", "json")
    got = lines(done)
    checks.equal("json: line count", len(got), 3)
    records = []
    for line in got:
        try:
            records.append(json.loads(line))
        except ValueError:
            checks.expect(False, "json: not JSON: %r" % line)
    time = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    for record in records:
        checks.equal("json: members", list(record),
                     ["time", "level", "message"])
        checks.expect(time.match(record.get("time", "")),
                      "json: time %r" % record.get("time"))
    checks.equal("json: levels", [r.get("level") for r in records],
                 ["warning", "info", "info"])
    checks.equal("json: first message", records[0].get("message"), REJECTED)

    # The option may stand before the command as well.
    done = scratch.run("--log-format", "json", "scan", "night.jsonl", "-r",
                       "pack.yaml")
    checks.equal("json before scan: levels",
                 [json.loads(l)["level"] for l in lines(done)],
                 ["warning", "info"])


def json_lines(checks, name, done):
    """The (level, message) of every stderr line, each a JSON object of
    exactly time, level and message."""
    got = []
    for line in lines(done):
        try:
            record = json.loads(line)
        except ValueError:
            checks.expect(False, "%s: not JSON: %r" % (name, line))
            continue
        checks.equal(name + ": members", list(record),
                     ["time", "level", "message"])
        got.append((record.get("level"), record.get("message")))
    return got


def check_json_usage_errors(checks, scratch):
    hint = ("info", "Run with --help for more information.")
    cases = [
        (["--log-format", "json", "scan", "--threads", "0"],
         [("error", "--threads: Value 0 not in range 1 to 256"), hint]),
        (["--log-format=json"], [("error", "A subcommand is required"), hint]),
        (["scan", "night.jsonl", "--bogus", "--log-format", "json"],
         [("error", "The following argument was not expected: --bogus"),
          hint]),
        (["scan", "night.jsonl", "--new-only", "--log-format", "json"],
         [("error", "adflag scan: --new-only needs --baseline "
           "PREVIOUS.jsonl")]),
    ]
    for args, expected in cases:
        done = scratch.run(*args)
        name = "json usage error %s" % " ".join(args)
        checks.equal(name + ": exit code", done.returncode, 2)
        checks.equal(name, json_lines(checks, name, done), expected)

    # A malformed --log-format cannot ask for JSON: its error is text.
    done = scratch.run("--log-format", "xml", "scan", "night.jsonl")
    checks.equal("malformed --log-format: exit code", done.returncode, 2)
    checks.equal("malformed --log-format", lines(done), [
        "--log-format: xml not in {text,json}",
        "Run with --help for more information."])


def main(argv):
    checks = Checks()
    scratch = Scratch(argv[1], argv[2])
    night = scratch.read("night1.jsonl").replace(
        b'{"id":"B4"', b'not json\n{"id":"B4"', 1)
    scratch.write("night.jsonl", night)
    check_progress(checks, scratch, len(night))
    check_quiet_and_verbose(checks, scratch)
    check_json_log(checks, scratch)
    check_json_usage_errors(checks, scratch)
    checks.finish()


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""Checks nightly runs against a baseline: `adflag scan --baseline
PREVIOUS --new-only` and the `status` and `fingerprint` members.

The fingerprints of tests/data/sharing/night1.jsonl must not change when
its lines are reordered, moved down the file or read from a file of
another name; one is checked against SHA-256 worked out here from the
folded text and the rule ids. night2.jsonl against night1's output then
gives each listing an exact status: a listing met again (moved, renamed,
re-cased, re-spaced, without an id) is seen, one whose text and rules
changed under the same id is changed, the rest new. The counts appear in
the summary and in --stats, and --new-only writes only the new and
changed. A broken baseline is an error naming its file, line and column,
with exit code 2.

    baseline_test.py ADFLAG PROJECT_ROOT
"""

import hashlib
import json
import sys

from harness import Checks, Scratch

STATUS = {"B5": "new", "night2.jsonl:3": "seen", "B2": "changed",
          "B4": "seen", "B3-reexport": "seen", "B1": "seen"}

# B4 of night1: its text fields folded, white space collapsed, then the
# ids of the rules it fired.
B4_INPUT = b"adflag fingerprint 1\nyoung and quiet weekends only.\nyouth"


def records(done):
    return [json.loads(line) for line in done.stdout.splitlines()]


def fingerprints(done):
    """Maps each record's id to its fingerprint; a listing without an id,
    whose id is its place, maps from "no id"."""
    return {("no id" if record["id"].startswith(record["source"] + ":")
             else record["id"]):
            record["fingerprint"] for record in records(done)}


def scan(scratch, *args, stdin=b""):
    return scratch.run("scan", *args, "-r", "pack.yaml", stdin=stdin)


def check_fingerprints(checks, scratch):
    night1 = scan(scratch, "night1.jsonl", "-q")
    checks.equal("night1 records", len(records(night1)), 5)
    scratch.write("night1-output.jsonl", night1.stdout)
    expected = fingerprints(night1)
    b4 = [r for r in records(night1) if r["id"] == "B4"]
    checks.equal("B4 fingerprint", b4[0]["fingerprint"] if b4 else None,
                 "sha256:" + hashlib.sha256(B4_INPUT).hexdigest()[:32])

    lines = scratch.read("night1.jsonl").splitlines(keepends=True)
    scratch.write("reordered.jsonl", b"".join(reversed(lines)))
    scratch.write("moved.jsonl", b"\n" * 7 + b"".join(lines))
    for name in ["reordered.jsonl", "moved.jsonl"]:
        checks.equal(name + " fingerprints",
                     fingerprints(scan(scratch, name, "-q")), expected)
    piped = scan(scratch, "-", "-q", stdin=b"".join(lines))
    checks.equal("stdin fingerprints", fingerprints(piped), expected)


def check_statuses(checks, scratch):
    done = scan(scratch, "night2.jsonl", "--baseline", "night1-output.jsonl",
                "--stats", "stats.json")
    checks.equal("exit code", done.returncode, 0)
    checks.equal("statuses", {r["id"]: r["status"] for r in records(done)},
                 STATUS)
    checks.equal("order", [r["id"] for r in records(done)], list(STATUS))
    summary = done.stderr.decode().splitlines()
    checks.equal("baseline summary", summary[1:],
                 ["adflag: against the baseline: 1 new, 1 changed, 4 seen"])
    stats = json.loads(scratch.read("stats.json"))
    checks.equal("--stats baseline", stats.get("baseline"),
                 {"new": 1, "changed": 1, "seen": 4})

    done = scan(scratch, "night2.jsonl", "--baseline", "night1-output.jsonl",
                "--new-only", "--stats", "stats.json")
    checks.equal("--new-only records",
                 [(r["id"], r["status"]) for r in records(done)],
                 [("B5", "new"), ("B2", "changed")])
    checks.equal("--new-only summary", done.stderr.decode().splitlines()[1:],
                 ["adflag: against the baseline: 1 new, 1 changed, 4 seen "
                  "(not written: --new-only)"])
    stats = json.loads(scratch.read("stats.json"))
    checks.equal("--new-only --stats baseline", stats.get("baseline"),
                 {"new": 1, "changed": 1, "seen": 4})

    # Without a baseline records carry no status.
    done = scan(scratch, "night2.jsonl", "-q")
    checks.equal("no baseline, no status",
                 [r for r in records(done) if "status" in r], [])


def check_place_ids(checks, scratch):
    """A listing without an id is named by its place, which another night
    gives to another listing: it is seen or new, never changed."""
    night1 = scratch.read("night1.jsonl")
    scratch.write("export.jsonl", night1)
    scratch.write("export-output.jsonl", scan(scratch, "export.jsonl",
                                              "-q").stdout)
    scratch.write("export.jsonl", night1.replace(b"no id here",
                                                 b"another one, young"))
    done = scan(scratch, "export.jsonl", "--baseline", "export-output.jsonl",
                "-q")
    checks.equal("place ids", {r["id"]: r["status"] for r in records(done)},
                 {"B1": "seen", "B2": "seen", "B3": "seen", "B4": "seen",
                  "export.jsonl:5": "new"})


def check_errors(checks, scratch):
    good = scratch.read("night1-output.jsonl").splitlines(keepends=True)
    scratch.write("broken.jsonl", good[0] + b'{"id":"B2","fingerprint":\n')
    scratch.write("plain.jsonl", good[0] + b'\n{"id":"B2","score":0.5}\n')
    cases = [
        ("broken line", ["--baseline", "broken.jsonl"],
         "adflag: error: broken.jsonl:2:26: not a baseline record: "
         "unexpected end of line (truncated JSON) (--baseline takes the "
         "JSONL output of an earlier "
         "adflag scan)\n"),
        ("no fingerprint", ["--baseline", "plain.jsonl"],
         "adflag: error: plain.jsonl:3: not a baseline record: it has no "
         "\"fingerprint\" (written by an adflag without baselines, or by "
         "another program) (--baseline takes the JSONL output of an "
         "earlier adflag scan)\n"),
        ("missing file", ["--baseline", "no-such.jsonl"],
         "adflag: error: --baseline: cannot open 'no-such.jsonl': No such "
         "file or directory\n"),
        ("--new-only alone", ["--new-only"],
         "adflag scan: --new-only needs --baseline PREVIOUS.jsonl\n"),
    ]
    for name, args, message in cases:
        done = scan(scratch, "night2.jsonl", *args)
        checks.refused(name, done, message)


def main(argv):
    checks = Checks()
    scratch = Scratch(argv[1], argv[2])
    check_fingerprints(checks, scratch)
    check_statuses(checks, scratch)
    check_place_ids(checks, scratch)
    check_errors(checks, scratch)
    checks.finish()


if __name__ == "__main__":
    main(sys.argv)

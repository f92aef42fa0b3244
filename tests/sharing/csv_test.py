#!/usr/bin/env python3
"""Reads the output of `adflag scan --format csv` back with Python's csv
module, as RFC 4180 readers do, and with sqlite3's .import, and checks
the header, the number of rows and every cell that the listings of
tests/data/sharing/quoting.jsonl put to the test: commas, double
quotes, CR and LF, non-ASCII text, a listing without an id and an
included field that is a JSON object. Also checks that every row ends in
CRLF and that the columns follow --all, --baseline and --link.

    csv_test.py ADFLAG PROJECT_ROOT
"""

import csv
import io
import json
import subprocess
import sys

from harness import Checks, Scratch

HEADER = ["id", "source", "line", "score", "level", "fingerprint", "rules",
          "shadow", "evidence_rule", "evidence_field", "evidence_start",
          "evidence_end", "evidence_text", "phones", "emails", "urls",
          "handles", "obscured", "url", "city"]

# The rows of the flagged listings, without their fingerprints.
ROWS = [
    ["Q1", "quoting.jsonl", "1", "0.35", "low", "third_party", "",
     "third_party", "body", "0", "12", "Ask for\r\nAna", "", "", "", "", "",
     "https://example.invalid/q1", "S\u00e3o Paulo, SP"],
    ["Q2", "quoting.jsonl", "2", "0.35", "low", "youth", "", "youth",
     "title", "0", "5", "young", "", "", "", "", "",
     "https://example.invalid/q2", ""],
    ["quoting.jsonl:4", "quoting.jsonl", "4", "0.5775", "low",
     "youth third_party", "", "youth", "title", "0", "5", "Young", "", "",
     "", "", "", "", '{"name":"Oakland","zip":"94601"}'],
]

# The fingerprint of Q2, worked out as the README says: SHA-256 of the
# folded text fields, white space collapsed, and the fired rule ids.
Q2_FINGERPRINT = "sha256:4547648081b77cf7abce98a20f63c64a"


def read_csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def check_quoting(checks, scratch):
    done = scratch.run("scan", "quoting.jsonl", "-r", "pack.yaml", "-f",
                       "csv", "--include", "url,city", "-q")
    checks.equal("exit code", done.returncode, 0)
    checks.equal("stderr", done.stderr, b"")
    rows = read_csv(done.stdout)
    checks.equal("header", rows[0] if rows else None, HEADER)
    checks.equal("row count", len(rows), 1 + len(ROWS))
    fingerprints = [row[5] for row in rows[1:]]
    checks.equal("Q2 fingerprint", fingerprints[1:2], [Q2_FINGERPRINT])
    checks.expect(all(f.startswith("sha256:") and len(f) == 39
                      for f in fingerprints), "fingerprints %r" % fingerprints)
    for number, (row, expected) in enumerate(zip(rows[1:], ROWS), 1):
        checks.equal("row %d" % number, row[:5] + row[6:], expected)

    # Every record ends in CRLF, and the CRLF inside a cell stays in it.
    checks.expect(done.stdout.endswith(b"\r\n"), "no CRLF at the end")
    checks.equal("CRLF count", done.stdout.count(b"\r\n"), 1 + 3 + 1)


def check_sqlite_import(checks, scratch):
    scratch.write("flags.csv", scratch.run(
        "scan", "quoting.jsonl", "-r", "pack.yaml", "-f", "csv", "--include",
        "url,city", "-q").stdout)
    done = subprocess.run(
        ["sqlite3", "-json", ":memory:", ".import --csv flags.csv flags",
         "select id, evidence_text, city from flags order by line"],
        cwd=scratch.path, capture_output=True, timeout=60)
    checks.equal("sqlite3 stderr", done.stderr, b"")
    rows = json.loads(done.stdout or b"[]")
    checks.equal("sqlite3 rows", rows, [
        {"id": "Q1", "evidence_text": "Ask for\r\nAna",
         "city": "S\u00e3o Paulo, SP"},
        {"id": "Q2", "evidence_text": "young", "city": ""},
        {"id": "quoting.jsonl:4", "evidence_text": "Young",
         "city": '{"name":"Oakland","zip":"94601"}'}])


def check_optional_columns(checks, scratch):
    scratch.write("base.jsonl", scratch.run(
        "scan", "quoting.jsonl", "-r", "pack.yaml", "-q").stdout)
    done = scratch.run("scan", "quoting.jsonl", "-r", "pack.yaml", "-f",
                       "csv", "--all", "--baseline", "base.jsonl", "-q")
    rows = read_csv(done.stdout)
    checks.equal("--all --baseline header", rows[0][:8],
                 ["id", "source", "line", "score", "level", "flagged",
                  "status", "fingerprint"])
    checks.equal("--all rows", [row[:7] for row in rows[1:]], [
        ["Q1", "quoting.jsonl", "1", "0.35", "low", "true", "seen"],
        ["Q2", "quoting.jsonl", "2", "0.35", "low", "true", "seen"],
        ["Q3", "quoting.jsonl", "3", "0", "none", "false", "new"],
        ["quoting.jsonl:4", "quoting.jsonl", "4", "0.5775", "low", "true",
         "seen"]])
    checks.equal("Q3 evidence", rows[3][9:14] if len(rows) > 3 else None,
                 ["", "", "", "", ""])

    done = scratch.run("scan", "contacts.jsonl", "-r", "pack.yaml", "-f",
                       "csv", "--link", "-q")
    rows = read_csv(done.stdout)
    checks.equal("--link columns", rows[0][18:], [
        "phone_listings", "phone_cities", "phone_regions", "email_listings",
        "handle_listings", "cluster_size", "cluster_phones",
        "obscured_phones", "cluster"])
    checks.equal("--link row width", {len(row) for row in rows}, {27})


def main(argv):
    checks = Checks()
    scratch = Scratch(argv[1], argv[2])
    check_quoting(checks, scratch)
    check_sqlite_import(checks, scratch)
    check_optional_columns(checks, scratch)
    checks.finish()


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""Checks that `adflag scan --redact` leaves no contact of a listing in
its output. The listings of tests/data/sharing/contacts.jsonl hold phone
numbers written plainly, spaced out, spelled, with look-alike letters and
as a JSON number, emails written plainly and with "at" and "dot", and
handles, in text fields, in a field only rules on the phone read and in
included fields (as keys, strings and numbers). Each is scanned with
--redact in jsonl, csv and html, with and without --link and --include,
and no form of any contact may be found anywhere in stdout or stderr: not
as written, not in E.164, not as its digits with any separators, not in
the path or query of a URL.

Also checks the tokens themselves (HMAC-SHA-256 of the canonical value,
worked out here with Python's hmac module), that the same key gives the
same output across runs and another key other tokens, that evidence on
the review page stays highlighted in place in the redacted text, and the
exact errors of key files that are missing, empty or too short.

    redaction_test.py ADFLAG PROJECT_ROOT
"""

import hashlib
import hmac
import json
import re
import sys

from harness import Checks, Scratch

KEY = b"k3y-for-tests-0123456789abcdef"
OTHER_KEY = b"another-key-for-tests-fedcba9876"

# The national numbers of the phones in contacts.jsonl.
PHONES = ["5105550134", "5105550178", "9155550110", "5105550199",
          "5105550111", "5105550122"]

# Contacts as they are written in contacts.jsonl, matched without regard
# to case.
WRITTEN = [
    "510-555-0134", "(510) 555-0134", "510 five five five 0134",
    "five five five", "51O555O178", "510.555.0178", "5 1 0 5 5 5 0 1 7 8",
    "nine one five five", "(915) 555-0110", "915-555-0110",
    "kiki.example", "lola at example dot invalid", "lola@example",
    "lola_example", "lola.example", "mia_example", "mia@example",
    "nora.example",
]

INCLUDE = ["--include", "phone,email,contact,tags,url"]
VARIANTS = [[], ["--link"], INCLUDE, ["--link"] + INCLUDE]


def token(kind, value, key=KEY):
    digest = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    return "%s:hmac:%s" % (kind, digest[:16])


def leaks(text):
    """Returns every contact form found in `text`."""
    found = [form for form in WRITTEN if form.lower() in text.lower()]
    for phone in PHONES:
        # The digits in order with anything but a digit or letter between.
        if re.search(r"\W*".join(phone), text):
            found.append(phone)
    return found


def page_data(html):
    match = re.search(r'<script type="application/json" id="adflag-data">'
                      r'(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


def redacted_scan(scratch, fmt, extra, key_file="key"):
    return scratch.run("scan", "contacts.jsonl", "-r", "pack.yaml", "-f",
                       fmt, "--all", "--redact", "--redact-key-file",
                       key_file, *extra)


def check_no_contact_survives(checks, scratch):
    for fmt in ["jsonl", "csv", "html"]:
        for extra in VARIANTS:
            name = " ".join(["-f", fmt] + extra)
            done = redacted_scan(scratch, fmt, extra)
            checks.equal(name + ": exit code", done.returncode, 0)
            out = done.stdout.decode("utf-8")
            checks.equal(name + ": contacts in stdout", leaks(out), [])
            checks.equal(name + ": contacts in stderr",
                         leaks(done.stderr.decode("utf-8")), [])
            for kind in ["phone", "email", "handle"]:
                checks.expect(kind + ":hmac:" in out,
                              "%s: no %s token" % (name, kind))


def check_tokens(checks, scratch):
    done = redacted_scan(scratch, "jsonl", ["-q"])
    records = [json.loads(line) for line in done.stdout.splitlines()]
    checks.equal("records", len(records), 6)
    first = records[0] if records else {}
    checks.equal("C1 entities", first.get("entities"), {
        "phones": [token("phone", "+15105550134")],
        "emails": [token("email", "kiki.example@example.invalid")],
        "urls": [], "handles": [],
        "obscured": [token("phone", "+15105550134")]})
    checks.equal("C1 redacted", first.get("redacted"), True)
    hits = first["rules"][1]["hits"] if first else []
    checks.equal("C1 evidence of contact_in_text", hits, [
        {"field": "body", "start": 5, "end": 17,
         "text": token("phone", "+15105550134")},
        {"field": "body", "start": 27, "end": 40,
         "text": token("phone", "+15105550134")},
        {"field": "body", "start": 47, "end": 75,
         "text": token("email", "kiki.example@example.invalid")}])

    done = redacted_scan(scratch, "jsonl", ["-q"] + INCLUDE)
    records = [json.loads(line) for line in done.stdout.splitlines()]
    checks.equal("C4 tags", records[3].get("tags") if records else None, {
        token("phone", "+15105550199"): "backup",
        "list": [token("phone", "+15105550199"),
                 token("handle", "@mia_example")]})
    checks.equal("C4 phone, a JSON number",
                 records[3].get("phone") if records else None,
                 token("phone", "+19155550110"))
    checks.equal("C1 contact", records[0].get("contact") if records else None,
                 {"email": token("email", "kiki.example@example.invalid"),
                  "social": token("handle", "instagram:kiki.example")})
    checks.equal("C6 url", records[5].get("url") if records else None,
                 "https://example.invalid/"
                 + token("url", "/ads?phone=5105550122"))


def check_keys_and_runs(checks, scratch):
    first = redacted_scan(scratch, "jsonl", ["--link"] + INCLUDE)
    again = redacted_scan(scratch, "jsonl", ["--link"] + INCLUDE)
    checks.expect(first.stdout == again.stdout,
                  "the same key gave different output in two runs")

    other = redacted_scan(scratch, "jsonl", ["-q"], key_file="other-key")
    records = [json.loads(line) for line in other.stdout.splitlines()]
    phones = records[0]["entities"]["phones"] if records else None
    checks.equal("C1 phone under the other key", phones,
                 [token("phone", "+15105550134", OTHER_KEY)])
    checks.expect(token("phone", "+15105550134") not in
                  other.stdout.decode(), "the other key gave the same token")


def check_page_highlights(checks, scratch):
    done = redacted_scan(scratch, "html", ["--link", "-q"])
    data = page_data(done.stdout.decode("utf-8"))
    if not checks.expect(data is not None, "no data on the review page"):
        return
    spans = 0
    for flag in data["flags"]:
        texts = {(text["field"], text.get("index", -1)): text["text"]
                 for text in flag["texts"]}
        for match in flag["rules"] + flag["shadow"]:
            for hit in match["hits"]:
                text = texts[(hit["field"], hit.get("index", -1))]
                shown = text.encode()[hit["start"]:hit["end"]].decode()
                checks.equal("%s %s highlight" % (flag["id"], match["id"]),
                             shown, hit["text"])
                spans += 1
    checks.equal("highlighted spans", spans, 21)
    c1 = [flag for flag in data["flags"] if flag["id"] == "C1"]
    checks.equal("C1 body on the page", c1[0]["texts"][1]["text"] if c1
                 else None, "Call %s or text %s. Mail %s" % (
                     token("phone", "+15105550134"),
                     token("phone", "+15105550134"),
                     token("email", "kiki.example@example.invalid")))


def check_key_errors(checks, scratch):
    cases = [
        ("missing", ["--redact", "--redact-key-file", "no-such-key"],
         "adflag: error: --redact-key-file: cannot read no-such-key: "
         "No such file or directory\n"),
        ("empty", ["--redact", "--redact-key-file", "empty-key"],
         "adflag: error: --redact-key-file: empty-key is empty\n"),
        ("short", ["--redact", "--redact-key-file", "short-key"],
         "adflag: error: --redact-key-file: short-key holds a key of 15 "
         "bytes; a key needs at least 16 (make one with: openssl rand -hex "
         "32)\n"),
        ("no key file", ["--redact"],
         "adflag scan: --redact needs --redact-key-file FILE\n"),
        ("no --redact", ["--redact-key-file", "key"],
         "adflag scan: --redact-key-file needs --redact\n"),
    ]
    for name, args, message in cases:
        done = scratch.run("scan", "contacts.jsonl", "-r", "pack.yaml", *args)
        checks.refused(name, done, message)


def main(argv):
    checks = Checks()
    scratch = Scratch(argv[1], argv[2])
    scratch.write("key", KEY + b"\n")
    scratch.write("other-key", OTHER_KEY)
    scratch.write("empty-key", b"\n")
    scratch.write("short-key", b"0123456789abcde\r\n")
    check_no_contact_survives(checks, scratch)
    check_tokens(checks, scratch)
    check_keys_and_runs(checks, scratch)
    check_page_highlights(checks, scratch)
    check_key_errors(checks, scratch)
    checks.finish()


if __name__ == "__main__":
    main(sys.argv)

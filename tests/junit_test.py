#!/usr/bin/env python3
"""Checks the JUnit XML of `adflag test --junit` with a real XML parser.

Runs adflag test on three packs, tests/packs/failing, tests/packs/passing
and a rule file that does not load, then reads the report with
xml.etree.ElementTree and checks it against the run: the counts on every
element, one <testcase> per test, the failure messages (with the XML
special characters of a listing id), the error of the pack that does not
load, and the 'N passed, N failed' line on stdout.

    junit_test.py ADFLAG PROJECT_ROOT
"""

import pathlib
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

FAILING = "tests/packs/failing"
PASSING = "tests/packs/passing"
BROKEN = "tests/check/weight_range.yaml"

problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def counts(element):
    return {key: int(element.get(key)) for key in ("tests", "failures",
                                                   "errors")}


def check_suite_counts(suite):
    cases = suite.findall("testcase")
    failed = [case for case in cases if case.find("failure") is not None]
    errors = [case for case in cases if case.find("error") is not None]
    expect(counts(suite) == {"tests": len(cases), "failures": len(failed),
                             "errors": len(errors)},
           "suite %s: counts %s do not match its test cases"
           % (suite.get("name"), counts(suite)))
    return len(cases), len(failed)


def check_failing_suite(suite):
    expect(counts(suite) == {"tests": 17, "failures": 11, "errors": 0},
           "failing pack: counts %s" % counts(suite))
    by_kind = {}
    for case in suite.findall("testcase"):
        by_kind.setdefault(case.get("classname"), []).append(case)
    expect(sorted(by_kind) == ["benign", "examples", "regression"],
           "failing pack: classnames %s" % sorted(by_kind))
    expect(len(by_kind.get("examples", [])) == 6,
           "failing pack: %d example cases" % len(by_kind.get("examples", [])))

    messages = {case.get("name"): case.find("failure").get("message")
                for case in suite.findall("testcase")
                if case.find("failure") is not None}
    expect(messages.get("listings: F002") ==
           "listing F002: expected level medium rules [youth.language, "
           "third_party.control], got level low rules [youth.language]",
           "failing pack: F002 message %r" % messages.get("listings: F002"))
    odd_id = "F<&>\"'"
    expect(messages.get("listings: " + odd_id, "").startswith(
        "listing " + odd_id + ": no expected verdict"),
        "failing pack: the id with XML characters did not survive: %s"
        % sorted(messages))
    failure = [case.find("failure") for case in suite.findall("testcase")
               if case.get("name") == "ordinary: N002"]
    expect(len(failure) == 1 and failure[0].text.startswith(
        FAILING + "/tests/benign/ordinary.jsonl:2: listing N002: benign "
        "listing flagged"), "failing pack: no benign failure for N002")


def check_report(root, stdout):
    expect(root.tag == "testsuites", "root element is %s" % root.tag)
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    expect(list(suites) == [FAILING, PASSING, BROKEN],
           "suites are %s" % list(suites))
    if list(suites) != [FAILING, PASSING, BROKEN]:
        return

    totals = [check_suite_counts(suite) for suite in suites.values()]
    check_failing_suite(suites[FAILING])
    expect(counts(suites[PASSING]) == {"tests": 16, "failures": 0,
                                       "errors": 0},
           "passing pack: counts %s" % counts(suites[PASSING]))
    error = suites[BROKEN].find("testcase/error")
    expect(error is not None and error.get("message") ==
           "the pack does not load" and "weight 1.2 is out of range" in
           error.text, "broken pack: no load error in the report")
    expect(counts(root) == {"tests": 34, "failures": 11, "errors": 1},
           "testsuites counts %s" % counts(root))

    passed = sum(tests - failed for tests, failed in totals[:2])
    failed = sum(failed for _, failed in totals[:2])
    expect(stdout.splitlines()[-1] == "%d passed, %d failed" % (passed, failed),
           "stdout ends with %r" % stdout.splitlines()[-1])


def main():
    adflag, root = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
    with tempfile.TemporaryDirectory() as work:
        report = pathlib.Path(work) / "report.xml"
        done = subprocess.run(
            [adflag, "test", "--junit", str(report), FAILING, PASSING, BROKEN],
            cwd=root, capture_output=True, timeout=120)
        expect(done.returncode == 2, "exit code %d, expected 2 (a pack does "
               "not load)" % done.returncode)
        if not report.exists():
            problems.append("no report written")
        else:
            check_report(ElementTree.parse(report).getroot(),
                         done.stdout.decode("utf-8"))

    for problem in problems:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

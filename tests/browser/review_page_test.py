#!/usr/bin/env python3
"""The review page of `adflag scan --format html`, in a real browser.

Writes the page of tests/data/review/listings.jsonl (a linked run on the
fixed pack of the golden cases), opens it from a file in headless
Chromium through the DevTools protocol, and checks that it shows the
expected listings in score order with every evidence span highlighted and
labelled, that the filters, the search and the keys change what is shown,
that listing text stays text, that the console stays silent and that no
request leaves the page; and that the page of the same run with --redact
shows tokens, highlighted in place, and no phone number.

    review_page_test.py ADFLAG PROJECT_ROOT            the page of the test data
    review_page_test.py --large ADFLAG PROJECT_ROOT    10,000 flagged listings

Exits 0 when every check passed, 1 naming the checks that failed.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cdp  # noqa: E402

# Expected: the flags in score order (R07 is high; R01, R02 and R03 share
# a score and keep their input order; R04 is low).
EXPECTED_ORDER = ["R07", "R01", "R02", "R03", "R04"]

# Expected highlights of each listing: (field, marked text, rules).
EXPECTED_MARKS = {
    "R01": [("title", "Barely legal", "youth"),
            ("body", "Ask for Kiki", "third_party"),
            ("body", "new in town", "movement")],
    # Multi-byte text before the evidence: byte offsets must be converted.
    "R02": [("title", "young", "youth"),
            ("body", "Ask for Élodie", "third_party")],
    "R03": [("title", "young", "youth"),
            ("body", "ask for Zoe", "third_party")],
    "R04": [("title", "Young", "youth")] +
           [("phone", word, "phone_words")
            for word in "five five five zero one one four".split()],
    "R07": [("body", "Ask for Lola", "third_party"),
            ("body", "my manager", "third_party"),
            ("body", "Barely legal", "youth"),
            ("phone", "five", "phone_words"), ("phone", "one", "phone_words"),
            ("phone", "zero", "phone_words")],
}

HOSTILE_TITLE = "</script><script>document.title='owned'</script> young"
HOSTILE_BODY = ("<img src=x onerror=alert(1)> &amp; ask for Zoe\u2028line "
                "two\u2029end")

failures = []


def check(name, actual, expected):
    if actual != expected:
        failures.append(f"{name}:\n  expected {expected!r}\n  actual   "
                        f"{actual!r}")


def write_page(adflag, root, inputs, out, extra=()):
    done = subprocess.run(
        [adflag, "scan", *inputs, "-r", str(root / "tests/data/cli_pack.yaml"),
         "--format", "html", "-o", str(out), "-q", *extra],
        capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"adflag scan failed ({done.returncode}): {done.stderr}")


SHOWN_IDS = "Array.from(document.querySelectorAll('#flags .flag'))" \
            ".map((card) => card.dataset.id)"

MARKS_OF = """((id) => {
  const card = document.querySelector(`#flags .flag[data-id="${id}"]`);
  const marks = [];
  for (const field of card.querySelectorAll('.field')) {
    const name = field.querySelector('.field-name').textContent;
    for (const mark of field.querySelectorAll('mark.hit')) {
      marks.push([name, mark.textContent, mark.dataset.rules]);
    }
  }
  return marks;
})"""

LABELS_OF = """((id) => Array.from(document.querySelectorAll(
    `#flags .flag[data-id="${id}"] .field-text .label`))
    .map((label) => label.textContent))"""


def settle(page):
    """Waits for the page's filters to apply (the search waits 150 ms)."""
    page.evaluate("new Promise((done) => setTimeout(done, 400))")


def check_rendering(page):
    check("ready", page.evaluate("document.documentElement.dataset.ready"),
          "true")
    check("order", page.evaluate(SHOWN_IDS), EXPECTED_ORDER)
    check("shown count", page.evaluate(
        "document.getElementById('shown-count').textContent"),
        "Showing 5 of 5 flagged listings")
    check("scores", page.evaluate(
        "Array.from(document.querySelectorAll('#flags .score'))"
        ".map((s) => s.textContent)"),
        ["0.8521", "0.7887", "0.7887", "0.7887", "0.5450"])
    for listing, marks in EXPECTED_MARKS.items():
        check(f"marks of {listing}",
              [tuple(m) for m in page.evaluate(f"{MARKS_OF}('{listing}')")],
              marks)
    check("labels of R01", page.evaluate(f"{LABELS_OF}('R01')"),
          ["youth", "third_party", "movement"])
    check("shadow mark of R01", page.evaluate(
        "document.querySelector('.flag[data-id=R01] mark[data-rules=movement]')"
        ".classList.contains('shadow')"), True)
    check("level chart", page.evaluate(
        "Array.from(document.querySelectorAll('#chart-levels .bar'))"
        ".map((g) => [g.dataset.key, g.dataset.count])"),
        [["high", "1"], ["medium", "3"], ["low", "1"]])
    check("category chart", page.evaluate(
        "Array.from(document.querySelectorAll('#chart-categories .bar'))"
        ".map((g) => [g.dataset.key, g.dataset.count])"),
        [["youth", "5"], ["combination", "4"], ["third_party", "4"],
         ["obscured_contact", "2"]])


def check_text_stays_text(page):
    # The text as it was, followed by the labels of the evidence in it.
    texts = page.evaluate(
        "Array.from(document.querySelectorAll('.flag[data-id=R03] "
        ".field-text')).map((text) => text.textContent)")
    check("hostile title", texts[0], HOSTILE_TITLE + "youth")
    check("hostile body", texts[1],
          HOSTILE_BODY.replace("Zoe", "Zoethird_party"))
    check("scripts", page.evaluate("document.scripts.length"), 2)
    check("images", page.evaluate("document.images.length"), 0)
    check("title", page.evaluate("document.title"),
          "adflag review: 5 flagged, tests/data/review/listings.jsonl")


def check_links(page):
    check("related of R01", page.evaluate(
        "Array.from(document.querySelectorAll('.flag[data-id=R01] .related a'))"
        ".map((a) => a.textContent)"), ["R02"])
    page.evaluate("document.querySelector('.flag[data-id=R01] .related a')"
                  ".click()")
    check("related click", page.evaluate(
        "document.querySelector('.flag.current').dataset.id"), "R02")


def check_filters(page):
    page.evaluate("document.querySelector('#level-filter input[value=medium]')"
                  ".click()")
    check("without medium", page.evaluate(SHOWN_IDS), ["R07", "R04"])
    page.evaluate("""(() => {
      const select = document.getElementById('category-filter');
      select.value = 'obscured_contact';
      select.dispatchEvent(new Event('change'));
    })()""")
    check("obscured_contact, without medium", page.evaluate(SHOWN_IDS),
          ["R07", "R04"])
    page.evaluate("document.getElementById('reset-filters').click()")
    check("reset", page.evaluate(SHOWN_IDS), EXPECTED_ORDER)

    page.evaluate("""(() => {
      const select = document.getElementById('rule-filter');
      select.value = 'movement';
      select.dispatchEvent(new Event('change'));
    })()""")
    check("rule movement", page.evaluate(SHOWN_IDS), ["R01"])
    page.evaluate("document.getElementById('reset-filters').click()")

    page.evaluate("""(() => {
      const search = document.getElementById('search');
      search.value = 'ÉLODIE';
      search.dispatchEvent(new Event('input'));
    })()""")
    settle(page)
    check("search", page.evaluate(SHOWN_IDS), ["R02"])
    check("search count", page.evaluate(
        "document.getElementById('shown-count').textContent"),
        "Showing 1 of 5 flagged listings")
    page.evaluate("document.getElementById('reset-filters').click()")

    page.evaluate("document.querySelector('#chart-levels .bar.level-low')"
                  ".dispatchEvent(new MouseEvent('click'))")
    check("chart click", page.evaluate(SHOWN_IDS), ["R04"])
    page.evaluate("document.getElementById('reset-filters').click()")


def check_keys(page):
    page.evaluate("document.activeElement.blur()")
    page.press("j")
    page.press("j")
    check("j j", page.evaluate(
        "document.querySelector('.flag.current').dataset.id"), "R01")
    page.press("k")
    check("j j k", page.evaluate(
        "document.querySelector('.flag.current').dataset.id"), "R07")
    page.press("/")
    check("/ focuses the search",
          page.evaluate("document.activeElement.id"), "search")


def check_quiet(page, url):
    """No console message, no exception, no request but the page's own."""
    noisy = []
    requests = []
    for event in page.events:
        method = event.get("method")
        params = event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            noisy.append(("console." + params["type"],
                          [a.get("value") for a in params.get("args", [])]))
        elif method == "Runtime.exceptionThrown":
            noisy.append(("exception", params["exceptionDetails"].get(
                "exception", {}).get("description")))
        elif method == "Log.entryAdded":
            noisy.append(("log." + params["entry"]["level"],
                          params["entry"]["text"]))
        elif method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
    check("console and log", noisy, [])
    check("requests", requests, [url])


def open_page(browser, path):
    page = browser.new_page()
    for domain in ("Page", "Runtime", "Log", "Network"):
        page.call(domain + ".enable")
    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
              deviceScaleFactor=1, mobile=False)
    url = path.resolve().as_uri()
    started = time.monotonic()
    page.navigate(url)
    return page, url, time.monotonic() - started


def check_redacted(browser, adflag, root, work):
    """A redacted page shows tokens where the phones were, highlighted in
    place, and no phone number anywhere in what it renders."""
    key = work / "partner.key"
    key.write_text("review-page-test-key-0123456789\n")
    out = work / "redacted.html"
    write_page(adflag, root, ["tests/data/review/listings.jsonl"], out,
               ["--link", "--redact", "--redact-key-file", str(key)])
    page, url, _ = open_page(browser, out)
    check("redacted: order", page.evaluate(SHOWN_IDS), EXPECTED_ORDER)
    shown = page.evaluate("document.body.innerText")
    for digits in ["555-0111", "555-0113", "555 0117", "5105550111",
                   "5105550113", "5105550117", "five one zero"]:
        check(f"redacted: {digits} on the page", digits in shown, False)
    marks = [tuple(m) for m in page.evaluate(f"{MARKS_OF}('R07')")]
    check("redacted: marks of R07", marks[:3], EXPECTED_MARKS["R07"][:3])
    check("redacted: phone mark of R07",
          [(field, text.split(":hmac:")[0], rules)
           for field, text, rules in marks[3:]],
          [("phone", "phone", "phone_words")])
    check_quiet(page, url)


def run_small(adflag, root, work):
    out = work / "review.html"
    write_page(adflag, root, ["tests/data/review/listings.jsonl"], out,
               ["--link"])
    with cdp.Browser.start() as browser:
        page, url, _ = open_page(browser, out)
        check_rendering(page)
        check_text_stays_text(page)
        check_links(page)
        check_filters(page)
        check_keys(page)
        check_quiet(page, url)
        check_redacted(browser, adflag, root, work)


def write_large_input(path, count):
    """Listings that each fire youth and third_party (medium), a fifth of
    them with a phone in words too (high, so those come first: G00000,
    G00005, ...)."""
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            phone = "five one zero" if n % 5 == 0 else f"510-555-01{n % 100:02d}"
            listing = {"id": f"G{n:05d}", "category": "escorts",
                       "title": f"Young and new, number {n}",
                       "body": "Sweet and discreet. Ask for Nova. " * 4,
                       "phone": phone}
            out.write(json.dumps(listing) + "\n")


def run_large(adflag, root, work, count=10000):
    listings = work / "large.jsonl"
    write_large_input(listings, count)
    out = work / "large.html"
    write_page(adflag, root, [str(listings)], out)
    with cdp.Browser.start() as browser:
        page, url, load_seconds = open_page(browser, out)
        check("large: ready", page.evaluate(
            "document.documentElement.dataset.ready"), "true")
        check("large: count", page.evaluate(
            "document.getElementById('shown-count').textContent"),
            f"Showing {count} of {count} flagged listings")
        rendered = page.evaluate("document.querySelectorAll('.flag').length")
        check("large: cards rendered at first", rendered, 40)
        check("large: first", page.evaluate(
            "document.querySelector('.flag').dataset.id"), "G00000")
        timing = page.evaluate("""(() => {
          const started = performance.now();
          const box = document.querySelector('#level-filter input[value=high]');
          box.click();
          const filtered = performance.now() - started;
          box.click();
          return [filtered, document.querySelectorAll('.flag').length];
        })()""")
        check("large: cards after filters", timing[1], 40)
        for _ in range(45):
            page.press("j")
        check("large: 45 keys down", page.evaluate(
            "document.querySelector('.flag.current').dataset.id"), "G00220")
        print(f"large: {count} flags, page {out.stat().st_size} bytes, "
              f"loaded in {load_seconds:.2f} s, a level filter applied in "
              f"{timing[0]:.0f} ms")
        if load_seconds > 10:
            failures.append(f"large: loading took {load_seconds:.1f} s")
        if timing[0] > 1000:
            failures.append(f"large: a filter took {timing[0]:.0f} ms")
        check_quiet(page, url)


def main(argv):
    large = "--large" in argv
    args = [a for a in argv if a != "--large"]
    if len(args) != 2:
        sys.exit(__doc__)
    adflag, root = pathlib.Path(args[0]).resolve(), pathlib.Path(args[1])
    with tempfile.TemporaryDirectory() as work:
        os.chdir(root)
        if large:
            run_large(adflag, root.resolve(), pathlib.Path(work))
        else:
            run_small(adflag, root.resolve(), pathlib.Path(work))
    for failure in failures:
        print("FAIL " + failure)
    print("review page: " + ("all checks passed" if not failures
                             else f"{len(failures)} checks failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

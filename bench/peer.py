#!/usr/bin/env python3
r"""The plain-Python peer of the benchmark: json + re, nothing else.

Does what bench/floor.cc does, the way a short script would: parse each
line with json.loads and search the title and the body with every pattern
of the benchmark pack, compiled with re.IGNORECASE.

    peer.py PATTERNS_FILE LISTINGS.jsonl

PATTERNS_FILE holds one RE2 pattern per line. Prints the same counts line
as the floor program:
    lines=N listings=N errors=N hit_listings=N hits=N

The counts can differ from the floor's by a few: Python's \b and \w know
Unicode letters, RE2's only ASCII ones, so 'we have the \w+ girls' matches
a word spelled with Cyrillic look-alikes here and not in RE2.
"""

import json
import re
import sys

# RE2 writes a code point as \x{1F352}; Python's re wants \U0001F352.
RE2_CODE_POINT = re.compile(r"\\x\{([0-9A-Fa-f]+)\}")


def to_python(pattern):
    """Rewrites the RE2-only syntax of `pattern` for Python's re."""
    return RE2_CODE_POINT.sub(lambda m: "\\U%08x" % int(m.group(1), 16),
                              pattern)


def load_patterns(path):
    with open(path, encoding="utf-8") as lines:
        return [re.compile(to_python(line.rstrip("\n")), re.IGNORECASE)
                for line in lines if line.strip()]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: peer.py PATTERNS_FILE LISTINGS.jsonl")
    patterns = load_patterns(sys.argv[1])
    lines = listings = errors = hit_listings = hits = 0
    with open(sys.argv[2], "rb") as source:
        for raw in source:
            lines += 1
            try:
                listing = json.loads(raw)
            except ValueError:
                errors += 1
                continue
            if not isinstance(listing, dict):
                errors += 1
                continue
            listings += 1
            texts = [listing.get(field) for field in ("title", "body")]
            texts = [text for text in texts if isinstance(text, str)]
            found = sum(1 for pattern in patterns
                        if any(pattern.search(text) for text in texts))
            hits += found
            hit_listings += found > 0
    print("lines=%d listings=%d errors=%d hit_listings=%d hits=%d"
          % (lines, listings, errors, hit_listings, hits))


if __name__ == "__main__":
    main()

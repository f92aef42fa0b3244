#!/usr/bin/env python3
"""Writes a synthetic adflag rule pack of N patterns, for benchmarks.

Shows how adflag's cost grows with the size of a rule pack. Patterns are
templated from the indicator families of the benchmark pack: youth words,
movement between named cities, origin, money codes, third parties, hours,
and forced-labour recruitment signs. About 30% are proximity patterns
(two words at most three words apart), which real packs use and which make
RE2's automata grow fastest, so large packs also exercise adflag's handling
of an RE2::Set that runs out of memory.

    gen_rules.py --patterns 4000 --out /tmp/pack4000

The output directory gets pack.yaml and rules.yaml: rules of 10 `any`
patterns each. The same N always gives the same pack, and the patterns of
a smaller pack are a prefix of those of a larger one.
"""

import argparse
import itertools
import os
import random

YOUTH_ADJECTIVES = [
    "young", "fresh", "sweet", "petite", "tiny", "innocent", "barely legal",
    "teen", "little", "schoolgirl", "new", "shy", "cute", "baby faced",
    "youthful", "small", "girlish", "naive", "first timer", "barely 18",
]
YOUTH_NOUNS = [
    "girl", "thing", "babe", "doll", "student", "angel", "princess",
    "kitten", "cutie", "beauty", "lady", "honey", "bunny", "sweetheart",
    "treat", "flower", "peach", "cherry", "candy", "darling",
]
MOVEMENT_VERBS = [
    "new in", "just arrived in", "visiting", "only here in", "leaving",
    "back in", "touring", "passing through", "in town in", "last days in",
    "arriving in", "coming to", "my last week in", "heading to",
]
CITIES = (
    "akron albany albuquerque allentown amarillo anaheim anchorage "
    "arlington atlanta augusta aurora austin bakersfield baltimore "
    "baton-rouge billings birmingham boise boston bridgeport buffalo "
    "burbank cambridge camden charleston charlotte chattanooga chicago "
    "cincinnati cleveland columbia columbus concord dallas dayton denver "
    "detroit durham el-paso elgin erie eugene evansville fargo fontana "
    "fort-worth fremont fresno gainesville garland glendale greensboro "
    "hartford henderson hialeah hollywood houston huntsville irvine "
    "jackson jacksonville joliet kansas-city knoxville lafayette laredo "
    "las-vegas lexington lincoln little-rock long-beach louisville lubbock "
    "madison memphis mesa miami milwaukee mobile modesto montgomery "
    "nashville newark norfolk oakland odessa omaha orlando oxnard pasadena "
    "peoria philadelphia phoenix pittsburgh plano portland providence "
    "raleigh reno richmond riverside rochester sacramento salem "
    "salt-lake savannah scranton seattle spokane springfield stockton "
    "syracuse tacoma tampa toledo topeka tucson tulsa ventura wichita "
    "yonkers"
).split()
COUNTRIES = [
    "korea", "thailand", "vietnam", "ukraine", "romania", "brazil",
    "colombia", "philippines", "moldova", "china", "russia", "venezuela",
    "nigeria", "japan", "cuba", "peru", "bulgaria", "hungary", "poland",
    "taiwan", "indonesia", "malaysia", "ghana", "kenya", "mexico",
    "honduras", "guatemala", "belarus", "latvia", "albania", "laos",
    "cambodia", "myanmar", "nepal", "india", "haiti", "ecuador", "bolivia",
    "paraguay", "serbia", "georgia", "armenia", "uzbekistan", "mongolia",
    "kazakhstan",
]
ORIGIN_FORMS = [
    r"\bnew\s+from\s+{c}\b", r"\bjust\s+came\s+from\s+{c}\b",
    r"\bfresh\s+from\s+{c}\b", r"\bstraight\s+from\s+{c}\b",
    r"\bdirect\s+from\s+{c}\b",
]
NAMES = (
    "alina brisa calla dalia elke fenna greta hanne ilse jolie kaia lune "
    "mirela nelia oriel pella quinn rhiannon selin tamsin vesna wrenna "
    "ysolde zelie amara bettina cleo dorit esme fleur gala hedda inka jana "
    "katia lior mabel nadia odile petra ronja saskia thea ulla viola wanda "
    "xenia yvette zora adele bianca cosima dunja elin frida gisela hilde "
    "isolde jette kirsi lotte marit nanna olga paula rina signe tilda "
    "una vilde aino birte carla dagny eira fride gunn halla idun jorunn"
).split()
ROLES = ["manager", "booker", "driver", "daddy", "agent", "boss",
         "friend", "assistant", "secretary", "receptionist"]
MONEY_UNITS = ["roses", "kisses", "donations", "specials", "gifts", "bills"]
FEE_KINDS = ["registration", "placement", "processing", "recruitment",
             "application", "visa", "training", "agency"]
PERIODS = ["month", "week", "day", "season"]
DOCUMENTS = ["passport", "passports", "documents", "papers", "ids",
             "visa"]
HOLD_VERBS = ["kept", "held", "retained", "collected", "stored", "taken"]
DEBTS = ["ticket", "flight", "visa", "travel", "housing", "transport",
         "training", "uniform"]
REPAY_FORMS = ["repaid", "deducted", "paid back"]
AVAILABILITY = [
    r"\bavailable\s+24\s*/\s*7\b", r"\b24\s*(?:hrs|hours)\s+a\s+day\b",
    r"\bopen\s+all\s+night\b", r"\blate\s+night\s+specials?\b",
    r"\bin-?call\s+only\b", r"\bno\s+out-?calls?\b",
    r"\bhotel\s+in-?call\b", r"\bcar\s+dates?\b",
]
PROXIMITY_WORDS = [
    "young", "fresh", "new", "petite", "teen", "girls", "ladies", "incall",
    "daddy", "booker", "manager", "police", "cops", "passport", "fee",
    "ticket", "debt", "wages", "salary", "abroad", "overseas", "english",
    "roses", "donation", "visa", "housing", "deducted", "hours", "shifts",
    "contract", "leave", "phone", "supervisor", "driver", "hotel", "town",
    "arrived", "only", "cash", "special",
]

PROXIMITY_SHARE = 0.3


def words(text):
    """A phrase as a pattern: its words joined by any whitespace."""
    return r"\s+".join(text.split())


def regular_patterns():
    """Every phrase pattern, family after family, without duplicates."""
    pool = []
    for adjective, noun in itertools.product(YOUTH_ADJECTIVES, YOUTH_NOUNS):
        pool.append(r"\b%s\s+%ss?\b" % (words(adjective), noun))
    for verb, city in itertools.product(MOVEMENT_VERBS, CITIES):
        pool.append(r"\b%s\s+%s\b" % (words(verb),
                                      city.replace("-", r"[\s-]+")))
    for form, country in itertools.product(ORIGIN_FORMS, COUNTRIES):
        pool.append(form.format(c=country))
    for amount, unit in itertools.product(range(40, 620, 20), MONEY_UNITS):
        pool.append(r"\b%d\s*%s\b" % (amount, unit))
    pool += [r"\bask\s+for\s+%s\b" % name for name in NAMES]
    pool += [r"\b(?:text|call|ask)\s+(?:my|our)\s+%s\b" % role
             for role in ROLES]
    pool += AVAILABILITY
    for kind, amount in itertools.product(FEE_KINDS, range(100, 1600, 100)):
        pool.append(r"\b%s\s+fee\s+of\s+\$?%d\b" % (kind, amount))
    for amount, period in itertools.product(range(1000, 13500, 500),
                                            PERIODS):
        pool.append(r"\bearn\s+\$?%d\s+(?:a|per)\s+%s\b"
                    % (amount, period))
    for document, verb in itertools.product(DOCUMENTS, HOLD_VERBS):
        pool.append(r"\b%s\s+(?:are\s+|is\s+)?%s\b" % (document, verb))
    for debt, form in itertools.product(DEBTS, REPAY_FORMS):
        pool.append(r"\b%s\s+%s\s+from\s+(?:your\s+)?(?:wages|salary|pay)\b"
                    % (debt, words(form)))
    for hours, days in itertools.product(range(8, 19), (5, 6, 7)):
        pool.append(r"\b%d\s+hours?\s+(?:shifts?\s+)?%d\s+days\b"
                    % (hours, days))
    return list(dict.fromkeys(pool))


def proximity_patterns():
    """Two indicator words at most three words apart, in that order."""
    return [r"\b%s\b(?:\W+\w+){0,3}?\W+%s\b" % (first, second)
            for first, second in itertools.permutations(PROXIMITY_WORDS, 2)]


def choose(count):
    """The first `count` patterns of a fixed, shuffled, mixed order."""
    regular = regular_patterns()
    proximity = proximity_patterns()
    random.Random(4).shuffle(regular)
    random.Random(5).shuffle(proximity)
    chosen = []
    regular_at = proximity_at = 0
    for index in range(count):
        # Interleave so that every prefix holds ~PROXIMITY_SHARE of them.
        want_proximity = (proximity_at + 1 <= (index + 1) * PROXIMITY_SHARE
                          or regular_at == len(regular))
        if want_proximity and proximity_at < len(proximity):
            chosen.append(proximity[proximity_at])
            proximity_at += 1
        elif regular_at < len(regular):
            chosen.append(regular[regular_at])
            regular_at += 1
        else:
            raise SystemExit("gen_rules.py: at most %d patterns"
                             % (len(regular) + len(proximity)))
    return chosen


def quoted(pattern):
    """A single-quoted YAML scalar: backslashes stay as they are."""
    return "'" + pattern.replace("'", "''") + "'"


def write_pack(directory, patterns):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "pack.yaml"), "w") as pack:
        pack.write(
            "# Generated by bench/gen_rules.py: %d patterns, for benchmarks."
            "\npack:\n  name: bench-growth-%d\n  version: '1'\n"
            "  threshold: 0.30\n  levels: {medium: 0.60, high: 0.85}\n"
            "  text_fields: [title, body]\n" % (len(patterns), len(patterns)))
    with open(os.path.join(directory, "rules.yaml"), "w") as rules:
        rules.write("rules:\n")
        for number, start in enumerate(range(0, len(patterns), 10), 1):
            rules.write("  - id: grow.r%04d\n" % number)
            rules.write("    title: Generated rule %d\n" % number)
            rules.write("    category: generated\n    weight: 0.10\n")
            rules.write("    any:\n")
            for pattern in patterns[start:start + 10]:
                rules.write("      - %s\n" % quoted(pattern))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patterns", type=int, required=True,
                        help="number of patterns to write")
    parser.add_argument("--out", required=True,
                        help="directory for pack.yaml and rules.yaml")
    args = parser.parse_args()
    if args.patterns < 1:
        parser.error("--patterns must be at least 1")
    write_pack(args.out, choose(args.patterns))


if __name__ == "__main__":
    main()

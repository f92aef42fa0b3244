#!/usr/bin/env python3
"""Writes synthetic classified-ad listings as JSON lines, for benchmarks.

The stream imitates a nightly export of online classifieds. Most listings
are ordinary (jobs, housing, dating, for-sale, licensed massage), some are
adult-services ads without any risk indicator, some are adult-services ads
that carry published risk indicators of sex trafficking, and some are job
ads that carry recruitment-stage signs of forced labour. Indicator phrases
are sometimes disguised the way real ads disguise them: digits for letters
('n3w in t0wn'), spaced or dotted letters, Cyrillic look-alike letters and
zero-width spaces; phone numbers are sometimes spelled out or spaced.

    gen_listings.py --count 200000 --seed 7 > listings.jsonl
    gen_listings.py --count 1000 --bad 0.01 --labels labels.tsv > mixed.jsonl

The same arguments always give the same bytes. Every name, phone number
(fictional 555-01xx range) and address is invented; URLs point at
example.invalid. --labels writes one line per listing,
`id<TAB>families<TAB>weight`, where families are the indicator families
put into the listing (comma-separated) and weight their summed strength.
"""

import argparse
import json
import random
import sys

PLACES = [
    ("Oakland", "CA"), ("Stockton", "CA"), ("Bakersfield", "CA"),
    ("Riverside", "CA"), ("Reno", "NV"), ("Las Vegas", "NV"),
    ("Tucson", "AZ"), ("Albuquerque", "NM"), ("El Paso", "TX"),
    ("San Antonio", "TX"), ("Houston", "TX"), ("Tulsa", "OK"),
    ("Memphis", "TN"), ("Charlotte", "NC"), ("Savannah", "GA"),
    ("Tampa", "FL"), ("Newark", "NJ"), ("Buffalo", "NY"),
    ("Spokane", "WA"), ("Boise", "ID"), ("Montréal", "QC"),
    ("Québec", "QC"), ("Querétaro", "QRO"), ("Mérida", "YUC"),
]

NAMES = ["Alina", "Brisa", "Calla", "Dalia", "Elke", "Fenna", "Greta",
         "Hanne", "Ilse", "Jolie", "Kaia", "Lune", "Mirela", "Nelia",
         "Oriel", "Pella", "Quinn", "Rhiannon", "Selin", "Tamsin", "Vesna",
         "Wrenna", "Ysolde", "Zelie"]

AREA_CODES = ["209", "661", "951", "775", "702", "520", "505", "915",
              "210", "713", "918", "901", "704", "912", "813", "973"]

COUNTRIES = ["Korea", "Thailand", "Vietnam", "Ukraine", "Romania",
             "Brazil", "Colombia", "the Philippines", "Moldova", "China"]

# Indicator families. Each has a strength used for the labels (strong
# signs 2, weak signs 1, signs that say little on their own 0) and surface
# forms; "{city}", "{name}", "{country}" and "{n}" are filled in per use.
ADULT_FAMILIES = {
    "movement": (0, [
        "new in town", "just arrived in {city}", "just got into town",
        "only here this week", "in town for {n} days only",
        "leaving soon, don't miss me", "visiting {city} this weekend",
    ]),
    "youth": (2, [
        "barely legal", "just turned 18", "young and sweet",
        "fresh and young", "new to this", "sweet teen next door",
        "petite young thing", "\U0001F352\U0001F352 fresh and sweet",
        "\U0001F36D young and playful", "first time doing this",
    ]),
    "third_party": (2, [
        "ask for {name}", "text my booker to set a time",
        "call my manager for rates", "booking through daddy only",
        "my driver brings me to you", "we have the nicest girls",
    ]),
    "multiple_providers": (1, [
        "{n} girls available tonight", "new girls every week",
        "many girls to choose from", "different girls every day",
        "{n} ladies on shift", "girls girls girls",
    ]),
    "restricted_movement": (1, [
        "incall only", "hotel incall only", "no outcall", "in-call only",
        "no outcalls, sorry",
    ]),
    "foreign_origin": (1, [
        "new from {country}", "just came from {country}", "little english",
        "no english, very sweet", "fresh from overseas",
    ]),
    "law_enforcement_evasion": (2, [
        "no LE", "no cops", "no police", "not affiliated with law enforcement",
        "no L.E. please",
    ]),
    "round_the_clock": (1, [
        "available 24/7", "24 hrs a day", "open 24 hours",
        "24 / 7 \u23F0",
    ]),
    "money_code": (0, [
        "{n}0 roses", "\U0001F339\U0001F339 donations only", "{n}0 kisses",
        "specials ${n}0",
    ]),
    "obscured_contact": (2, []),   # shows in the phone field only
}

LABOUR_FAMILIES = {
    "labour_fees": (1, [
        "a registration fee of ${n}00 is paid before you start",
        "placement fee paid to our agency", "processing fee due before travel",
    ]),
    "labour_deductions": (1, [
        "housing and transport are deducted from pay",
        "bed and meals deducted from wages every week",
        "uniform and tools deducted from salary",
    ]),
    "labour_documents": (2, [
        "we keep your passport safe for the whole contract",
        "documents are held by the employer until the season ends",
        "passports kept by the office", "no papers needed, we arrange it",
    ]),
    "labour_debt": (2, [
        "flight paid now, repay from your salary",
        "we advance the ticket and you work it off",
        "travel loan repaid out of wages",
    ]),
    "labour_deception": (1, [
        "earn ${n},000 a month abroad, no experience needed",
        "very high salary overseas, start immediately, no interview",
        "easy work and big money abroad, leave this week",
    ]),
    "labour_control": (2, [
        "workers live on site and may not leave during the contract",
        "phones are kept by the supervisor during shifts",
        "you stay with the crew leader at all times",
    ]),
    "labour_hours": (1, [
        "12 hour shifts 7 days a week", "no days off for the first 3 months",
        "14 hours a day in peak season",
    ]),
}

# Ordinary sentences per category. Some are deliberate near-misses of the
# indicator wording ("young professional", "fresh eggs", "new in town").
BENIGN = {
    "jobs": [
        "Busy kitchen in {city} needs a line cook for evenings.",
        "Warehouse associate, forklift license a plus, ${n}9 an hour.",
        "Young, energetic team looking for a barista, fresh graduates "
        "welcome.",
        "Delivery drivers wanted, clean record, flexible hours.",
        "Front desk for a dental office, English and Spanish preferred.",
        "Nanny for two children, 21+, references and background check.",
        "Landscaping crew hiring for spring, weekly pay, overtime possible.",
        "Hotel housekeeping, day shift, benefits after 90 days.",
    ],
    "housing": [
        "Room for rent in a quiet house, no smoking, utilities included.",
        "Young professional seeks roommate for a two-bedroom near transit.",
        "Studio available now, first and last month, small pets ok.",
        "Summer sublet, furnished, ten minutes walk to campus.",
        "Basement suite with its own entrance, laundry on site.",
    ],
    "dating": [
        "New in town and looking for friends to hike with.",
        "Just moved to {city} for work, would love a coffee and a tour.",
        "Single dad who loves cooking, looking for something real.",
        "Into board games, live music and long walks with my dog.",
        "Recently retired, looking for a dance partner on Fridays.",
    ],
    "for-sale": [
        "Fresh farm eggs, a dozen for $5, pick up only.",
        "Moving sale: couch, desk, kids bikes, everything must go.",
        "Rose bushes, {n} varieties, potted, $15 each.",
        "Lollipop candy bulk box, unopened, good for parties.",
        "Used road bike, new tires, ${n}50 or best offer.",
    ],
    "therapeutic": [
        "Licensed massage therapist, deep tissue and sports massage.",
        "Swedish massage in a professional clinic, appointments only.",
        "Physical therapy clinic accepting new patients, insurance billed.",
        "Prenatal massage by a certified therapist, gift cards available.",
    ],
}

ADULT_BASE = [
    "Independent companion, upscale and discreet, by appointment.",
    "Mature, classy lady for dinner dates, screening required.",
    "Relaxing body rub by a friendly woman, outcall to hotels.",
    "Fun and independent, I set my own schedule and my own rates.",
    "Elegant and easy going, I enjoy good conversation.",
]

ADULT_TITLES = ["Sweet and sexy", "Available now", "Treat yourself",
                "Unwind with me", "Unforgettable evening", "Real pics",
                "Classy and discreet", "Your new favorite"]

FILLER = [
    "Call or text anytime.", "Serious inquiries only.",
    "Clean and discreet.", "Parking on site.", "Photos are recent.",
    "Please be respectful and on time.", "Text first, no blocked numbers.",
    "Open minded and easy going.", "Located near the freeway.",
    "Reviews available on request.", "Short notice is ok.",
    "Replies within the hour.", "Cash only, no checks.",
    "Friendly and reliable.", "Weekends preferred.",
    "No spam or scams please.", "Ask about weekday availability.",
    "Details by message.", "Quiet neighborhood, easy to find.",
]

# Typographic quotes, dashes and emoji, as pasted from phones; about half
# of the listings carry one.
TYPOGRAPHIC = [
    "Don\u2019t hesitate to ask.", "Weekdays \u2014 evenings only.",
    "\u2728 Satisfaction guaranteed \u2728", "Caf\u00e9 nearby \u2615",
    "\u201cBest in the area\u201d \u2014 say my regulars.",
]

ADULT_CATEGORIES = ["escorts", "body-rubs", "adult-personals"]
SOURCES = ["classifieds-a", "classifieds-b", "forum-c", "board-d"]
ASCII_SHARE = 0.5    # lines written with ensure_ascii

# Letters of Latin text that have a Cyrillic twin (SPEC section 4).
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440",
            "c": "\u0441", "y": "\u0443", "x": "\u0445", "i": "\u0456"}
LEET = {"o": "0", "e": "3", "i": "1", "a": "4", "s": "5", "t": "7"}
SPELLED = {"0": "zero", "1": "one", "5": "five"}


def fill(text, rng, place):
    """Fills the {city}, {name}, {country} and {n} slots of `text`."""
    if "{" not in text:
        return text
    return (text.replace("{city}", place[0])
            .replace("{name}", rng.choice(NAMES))
            .replace("{country}", rng.choice(COUNTRIES))
            .replace("{n}", str(rng.randint(2, 9))))


def leet_word(word, rng):
    """Swaps letters for look-alike digits, only between two letters."""
    chars = list(word)
    for i in range(1, len(chars) - 1):
        if chars[i] in LEET and rng.random() < 0.6:
            chars[i] = LEET[chars[i]]
    return "".join(chars)


def disguise(phrase, rng):
    """Returns `phrase` with one of the disguises ads use to avoid filters.

    Only the longest word is touched, so the phrase stays readable.
    """
    words = phrase.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if not word.isalpha() or len(word) < 3:
        return phrase
    kind = rng.randrange(5)
    if kind == 0:
        words = [leet_word(w, rng) if w.isalpha() else w for w in words]
    elif kind == 1:
        words[i] = " ".join(word.upper())
    elif kind == 2:
        words[i] = ".".join(word)
    elif kind == 3:
        words[i] = "".join(CYRILLIC.get(c, c) for c in word)
    else:
        cut = rng.randint(1, len(word) - 1)
        words[i] = word[:cut] + "\u200b" + word[cut:]
    return " ".join(words)


def phone(rng, obscured):
    """A fictional number; obscured ones are spelled, mixed or spaced."""
    area = rng.choice(AREA_CODES)
    line = "01%02d" % rng.randrange(100)
    if not obscured:
        form = rng.choice(["({a}) 555-{l}", "{a}.555.{l}", "{a}-555-{l}",
                           "+1 {a} 555 {l}", "{a}555{l}"])
        return form.format(a=area, l=line)
    kind = rng.randrange(4)
    if kind == 0:
        return "%s %s %s" % (area, " ".join(SPELLED[d] for d in "555"), line)
    if kind == 1:
        return "%s-5five5-%s" % (area, line)
    if kind == 2:
        return " ".join(area + "555" + line)
    spelled = " ".join(SPELLED.get(d, d) for d in line)
    return "%s 555 %s" % (area, spelled)


def body_length(rng):
    """Target body length: 300 to 1400 characters, most of them short."""
    return 300 + int(1100 * rng.random() ** 4.6)


def compose_body(rng, parts, place):
    """Shuffles the sentences, then pads with filler to a realistic size."""
    if rng.random() < 0.5:
        parts.append(rng.choice(TYPOGRAPHIC))
    rng.shuffle(parts)
    text = " ".join(fill(p, rng, place) for p in parts)
    target = body_length(rng)
    while len(text) < target:
        extra = rng.choice(FILLER)
        if len(text) + 1 + len(extra) > 1400:
            break
        text += " " + extra
    return text


def sentence(phrase):
    """Turns an indicator phrase into a sentence of the ad."""
    return phrase[0].upper() + phrase[1:] + "."


def pick_families(rng, families, most):
    """Chooses 1..most indicator families and one form of each."""
    chosen = sorted(rng.sample(list(families), k=rng.randint(1, most)))
    forms = []
    for family in chosen:
        options = families[family][1]
        if options:
            form = rng.choice(options)
            forms.append(disguise(form, rng) if rng.random() < 0.25
                         else form)
    return chosen, forms


def ordinary_listing(rng, place, risky_rate):
    """A benign ad, or a job ad with forced-labour recruitment signs."""
    category = rng.choice(list(BENIGN))
    parts = rng.sample(BENIGN[category], k=2) + rng.sample(FILLER, k=2)
    title = fill(parts[0], rng, place).rstrip(".")[:70]
    families = []
    if category == "jobs" and rng.random() < risky_rate * 2.2:
        families, forms = pick_families(rng, LABOUR_FAMILIES, 3)
        parts += [sentence(f) for f in forms]
    return category, title, parts, families


def adult_listing(rng, place, risky_rate):
    """An adult-services ad, with risk indicators for some of them."""
    category = rng.choice(ADULT_CATEGORIES)
    parts = [rng.choice(ADULT_BASE)] + rng.sample(FILLER, k=rng.randint(2, 4))
    title = rng.choice(ADULT_TITLES)
    families = []
    if rng.random() < risky_rate * 1.8:
        families, forms = pick_families(rng, ADULT_FAMILIES, 4)
        parts += [sentence(f) for f in forms]
        if forms and rng.random() < 0.4:
            title += " - " + fill(rng.choice(forms), rng, place)
    return category, title, parts, families


def adult_extras(rng, record):
    """Adds the optional age and price fields of adult-services ads."""
    if rng.random() < 0.7:
        record["age"] = rng.choice([18, 19, 20, 21, 22, 24, 26, 29, 33, 38,
                                    "19", "21", "twenty"])
    if rng.random() < 0.5:
        record["price"] = rng.choice(["$80", "$120/hr", "$200", "150 roses",
                                      "specials", None])


def make_listing(rng, index, risky_rate):
    """Returns (record, families, weight) for listing number `index`."""
    place = rng.choice(PLACES)
    if rng.random() < 0.55:
        category, title, parts, families = ordinary_listing(
            rng, place, risky_rate)
    else:
        category, title, parts, families = adult_listing(
            rng, place, risky_rate)
    record = {
        "id": "A%08d" % index,
        "source": rng.choice(SOURCES),
        "url": "https://example.invalid/%s/%d" % (category, index),
        "posted_at": "2026-11-%02dT%02d:%02d:%02dZ" % (
            rng.randint(1, 30), rng.randrange(24), rng.randrange(60),
            rng.randrange(60)),
        "category": category,
        "city": place[0],
        "region": place[1],
        "title": fill(title, rng, place),
        "body": compose_body(rng, parts, place),
        "phone": phone(rng, "obscured_contact" in families),
    }
    if category in ADULT_CATEGORIES:
        adult_extras(rng, record)
    if rng.random() < 0.3:
        record["images"] = ["sha1:%040x" % rng.getrandbits(160)
                            for _ in range(rng.randint(1, 4))]
    strength = {**ADULT_FAMILIES, **LABOUR_FAMILIES}
    weight = sum(strength[f][0] for f in families)
    return record, families, weight


def corrupt(rng, line):
    """Damages one encoded line; returns (bytes, still_a_listing)."""
    kind = rng.randrange(4)
    if kind == 0:   # cut off, as by an interrupted export
        return line[:rng.randint(1, len(line) - 1)], False
    if kind == 1:   # not JSON at all
        junk = bytes(rng.randrange(32, 127) for _ in range(rng.randint(5, 80)))
        return b"{" + junk + b"}}", False
    if kind == 2:   # invalid UTF-8 inside the body string: repairable
        at = line.find(b'"body": "') + len(b'"body": "')
        return line[:at] + b"\xff\xfe\xc3" + line[at:], True
    return rng.choice([b"[1, 2, 3]", b"42", b'"listing"', b"null"]), False


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000,
                        help="listings to write (default 1000)")
    parser.add_argument("--seed", type=int, default=1,
                        help="random seed (default 1)")
    parser.add_argument("--risky", type=float, default=0.12,
                        help="share of listings with indicators (0.12)")
    parser.add_argument("--bad", type=float, default=0.0,
                        help="share of lines to corrupt (default 0)")
    parser.add_argument("--labels", metavar="FILE",
                        help="write id<TAB>families<TAB>weight here")
    args = parser.parse_args()
    if args.count < 0 or not 0 <= args.risky <= 0.5 or not 0 <= args.bad <= 1:
        parser.error("need --count >= 0, 0 <= --risky <= 0.5, "
                     "0 <= --bad <= 1")
    return args


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    # Corruption draws from its own stream, so --bad changes only the
    # damaged lines and leaves every other line as it was.
    damage_rng = random.Random("damage-%d" % args.seed)
    labels = open(args.labels, "w", encoding="utf-8") if args.labels else None
    out = sys.stdout.buffer
    chunk = []
    for index in range(args.count):
        record, families, weight = make_listing(rng, index, args.risky)
        # Exporters differ: some escape every non-ASCII character. With
        # this share about 30% of all lines carry \uXXXX escapes.
        ascii_only = rng.random() < ASCII_SHARE
        line = json.dumps(record, ensure_ascii=ascii_only).encode("utf-8")
        is_listing = True
        if args.bad and damage_rng.random() < args.bad:
            line, is_listing = corrupt(damage_rng, line)
        chunk.append(line)
        if labels and is_listing:
            labels.write("%s\t%s\t%d\n" % (record["id"], ",".join(families),
                                           weight))
        if len(chunk) == 4096:
            out.write(b"\n".join(chunk) + b"\n")
            chunk = []
    if chunk:
        out.write(b"\n".join(chunk) + b"\n")
    if labels:
        labels.close()


if __name__ == "__main__":
    main()

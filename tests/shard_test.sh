#!/usr/bin/env bash
# The shard property of linking. A run split into four shards by GNU
# parallel with `scan --shard K/4`, each shard's summary written with
# --emit-summary, merged with `adflag link`, then each shard scored with
# --links, gives the flags of one run over the whole file byte for byte, and
# the merged summary is the whole run's byte for byte. The same split fed to
# the shards on standard input (`parallel --pipepart`, as Hadoop Streaming
# feeds a mapper) gives the same flags once `source` and `line`, which then
# say where each shard read the listing, are set aside. A linked run also
# gives the same bytes at 1, 2 and 8 threads and from standard input.
#
# Usage: shard_test.sh ADFLAG PROJECT_ROOT
set -euo pipefail

adflag=$1
root=$2
pack=$root/tests/data/link_pack.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "shard_test: $*" >&2
  exit 1
}

python3 "$root/bench/gen_listings.py" --count 4000 --seed 5 >"$work/all.jsonl"

# One run over the whole file, at several thread counts and from stdin.
"$adflag" scan "$work/all.jsonl" -r "$pack" -q --threads 2 >"$work/whole.jsonl"
for threads in 1 8; do
  "$adflag" scan "$work/all.jsonl" -r "$pack" -q --threads "$threads" |
    cmp -s - "$work/whole.jsonl" || fail "$threads threads differ from 2"
done
"$adflag" scan -r "$pack" -q <"$work/all.jsonl" |
  sed 's/"source":"<stdin>"/"source":"'"${work//\//\\/}"'\/all.jsonl"/' |
  cmp -s - "$work/whole.jsonl" || fail "standard input differs from the file"
"$adflag" scan "$work/all.jsonl" -r "$pack" -q \
  --emit-summary "$work/whole.summary"

# Four shards of the file: summaries, merged, then scored with the merged
# summary; the flags and the summary are the whole run's, byte for byte.
parallel -j 4 "$adflag" scan "$work/all.jsonl" --shard {}/4 -r "$pack" -q \
  --emit-summary "$work/part-{}.summary" ::: 1 2 3 4
"$adflag" link "$work"/part-*.summary -o "$work/merged.summary" 2>/dev/null
cmp -s "$work/merged.summary" "$work/whole.summary" ||
  fail "merged summary of --shard parts differs from the whole run's"
parallel -j 4 --keep-order "$adflag" scan "$work/all.jsonl" --shard {}/4 \
  -r "$pack" -q --links "$work/merged.summary" ::: 1 2 3 4 \
  >"$work/parts.jsonl"
cmp -s "$work/parts.jsonl" "$work/whole.jsonl" ||
  fail "flags of four --shard parts differ from the whole run's"

# Four shards on standard input: the same, but for `source` and `line`.
parallel --pipepart -a "$work/all.jsonl" -j 4 --block -1 \
  "$adflag" scan -r "$pack" -q --emit-summary "$work/shard-{#}.summary"
[[ $(ls "$work"/shard-*.summary | wc -l) -eq 4 ]] || fail "not 4 shards"
"$adflag" link "$work"/shard-*.summary -o "$work/merged.summary" 2>/dev/null
cmp -s "$work/merged.summary" "$work/whole.summary" ||
  fail "merged summary differs from the whole run's"
parallel --pipepart -a "$work/all.jsonl" -j 4 --block -1 --keep-order \
  "$adflag" scan -r "$pack" -q --links "$work/merged.summary" \
  >"$work/sharded.jsonl"

python3 - "$work/whole.jsonl" "$work/sharded.jsonl" <<'PY'
import json
import sys


def without_location(path):
    lines = []
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            del record["source"], record["line"]
            lines.append(json.dumps(record, ensure_ascii=False))
    return lines


whole = without_location(sys.argv[1])
sharded = without_location(sys.argv[2])
if whole != sharded:
    sys.exit(f"shard_test: {len(sharded)} sharded flags differ from "
             f"{len(whole)} whole-run flags")
fired = {}
for line in whole:
    for rule in json.loads(line)["rules"]:
        fired[rule["id"]] = fired.get(rule["id"], 0) + 1
for rule in ("test.phone_cities", "test.template_phones", "test.obscured",
             "test.young_shared_phone"):
    if fired.get(rule, 0) == 0:
        sys.exit(f"shard_test: {rule} fired on no listing: nothing tested")
print(f"{len(whole)} flags identical; link rules fired: "
      + ", ".join(f"{r} {n}" for r, n in sorted(fired.items())
                  if r.startswith("test.") and r != "test.young"
                  and r != "test.incall"))
PY

# The jq peer of the benchmark: the floor's work written in jq.
#
#   jq -n -r --rawfile patterns PATTERNS_FILE -f bench/peer.jq LISTINGS.jsonl
#
# $patterns holds one regex per line; each is tried case-insensitively
# (test(re; "i")) on the title and the body of every listing. Prints the
# same counts line as bench/floor.cc; jq stops at the first line that is
# not JSON, so run it on a clean corpus.

($patterns | split("\n") | map(select(length > 0))) as $res
| reduce inputs as $listing (
    {lines: 0, listings: 0, hit_listings: 0, hits: 0};
    .lines += 1
    | if ($listing | type) != "object" then .
      else
        ([$listing.title, $listing.body] | map(select(type == "string")))
          as $texts
        | ([$res[] | . as $re | select(any($texts[]; test($re; "i")))]
           | length) as $found
        | .listings += 1
        | .hits += $found
        | .hit_listings += (if $found > 0 then 1 else 0 end)
      end)
| "lines=\(.lines) listings=\(.listings) errors=\(.lines - .listings) "
  + "hit_listings=\(.hit_listings) hits=\(.hits)"

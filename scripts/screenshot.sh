#!/usr/bin/env bash
# Remakes docs/review-page.png, the README's picture of the review page:
# the sample listings scanned with linking into `--format html`, rendered
# by headless Chromium at 1280x900.
#   bash scripts/screenshot.sh            # with build/src/adflag
#   ADFLAG=path/to/adflag bash scripts/screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."

adflag=${ADFLAG:-build/src/adflag}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$adflag" scan samples/listings.jsonl --link --format html \
  -o "$work/review.html" -q
# Chromium refuses to run as root inside its sandbox.
sandbox=()
if [ "$(id -u)" -eq 0 ]; then
  sandbox=(--no-sandbox)
fi
chromium --headless "${sandbox[@]}" --disable-gpu --hide-scrollbars \
  --no-first-run --disable-background-networking --disable-extensions \
  --user-data-dir="$work/profile" --window-size=1280,900 \
  --screenshot="$work/review-page.png" "file://$work/review.html" \
  2>"$work/chromium.log" || {
  cat "$work/chromium.log" >&2
  exit 1
}
mkdir -p docs
cp "$work/review-page.png" docs/review-page.png
echo "docs/review-page.png: $(wc -c <docs/review-page.png) bytes"

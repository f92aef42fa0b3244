#!/usr/bin/env bash
# Installs the Debian 12 packages adflag needs to build and test.
# Safe to run again: packages already present are left alone, and the
# package index is refreshed only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3
  libcli11-dev nlohmann-json3-dev libre2-dev libspdlog-dev libfmt-dev
  catch2 libyaml-cpp-dev libsimdjson-dev libutf8proc-dev libphonenumber-dev
  zlib1g-dev libzstd-dev zstd gzip
  # HMAC-SHA-256 for --redact, SHA-256 for baseline fingerprints.
  libssl-dev
  # The README's way to make a redaction key: openssl rand.
  openssl
  # The shard test runs shards with GNU parallel.
  parallel
  # The man page test renders build/docs/adflag.1 with man and groff.
  man-db groff-base
  # The browser test of the review page (--format html) runs headless
  # Chromium; the fonts make its screenshot readable.
  chromium fonts-dejavu-core
  # The CSV test reads --format csv back with sqlite3's .import too.
  sqlite3
  # The fuzz harnesses: clang with libFuzzer and the sanitizer runtimes.
  clang-14 libclang-rt-14-dev
  # For scripts/bench.sh only: peak memory, and the jq peer.
  time jq
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

echo "installing: ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

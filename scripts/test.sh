#!/usr/bin/env bash
# Builds adflag and runs the whole test suite: the unit tests of every
# component and the golden command-line cases, through ctest; then the
# same suite built with AddressSanitizer and UBSan (build-asan/); then a
# short run of each libFuzzer harness (build-fuzz/, clang).
#   SANITIZE=0 bash scripts/test.sh     # without the sanitizer build
#   FUZZ=0 bash scripts/test.sh         # without the fuzz smoke runs
#   FUZZ_SECONDS=60                     # length of each fuzz run
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
# Says how long the part that began at second $1 of this script took.
took() { echo "test: $2 took $((SECONDS - $1)) s" >&2; }

start=$SECONDS
bash scripts/build.sh
ctest --test-dir build --output-on-failure --parallel "$jobs"
took "$start" "the build and the suite"

if [[ "${SANITIZE:-1}" == 1 ]]; then
  echo "test: the suite again under AddressSanitizer and UBSan" >&2
  start=$SECONDS
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DADFLAG_SANITIZE=ON >/dev/null
  cmake --build build-asan --parallel "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure --parallel "$jobs"
  took "$start" "the sanitizer build and suite"
fi

if [[ "${FUZZ:-1}" == 1 ]]; then
  echo "test: fuzz smoke runs, ${FUZZ_SECONDS:-60} s each" >&2
  start=$SECONDS
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DADFLAG_FUZZ=ON \
    -DADFLAG_BUILD_TESTS=OFF -DFUZZ_SECONDS="${FUZZ_SECONDS:-60}" >/dev/null
  cmake --build build-fuzz --parallel "$jobs"
  ctest --test-dir build-fuzz --output-on-failure --parallel "$jobs"
  took "$start" "the fuzz build and smoke runs"
fi

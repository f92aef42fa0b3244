#!/usr/bin/env bash
# Runs the libFuzzer harnesses for longer than the test suite's smoke runs.
#   bash scripts/fuzz.sh                    # each harness 10 minutes
#   bash scripts/fuzz.sh rule_pack 3600     # one harness, one hour
# Harnesses: line_reader, normalizer, rule_pack, entities. The corpus each
# run grows is kept in build-fuzz/long/NAME/corpus between runs; an input
# that fails is saved beside it (crash-*, timeout-*, oom-*) and named on
# stderr. Add it to tests/fuzz/corpus/NAME/ with the fix, so the smoke
# run replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

harnesses=(line_reader normalizer rule_pack entities)
[[ $# -ge 1 ]] && harnesses=("$1")
seconds=${2:-600}

bash scripts/setup.sh
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DADFLAG_FUZZ=ON \
  -DADFLAG_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --parallel "$(nproc)"

for name in "${harnesses[@]}"; do
  echo "fuzz: $name for $seconds s" >&2
  bash tests/fuzz/run_fuzzer.sh "build-fuzz/tests/fuzz/${name}_fuzz" \
    "tests/fuzz/corpus/$name" "build-fuzz/long/$name" "$seconds"
done

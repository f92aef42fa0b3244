#!/usr/bin/env bash
# Builds adflag and runs the whole test suite: the unit tests of every
# component and the golden command-line cases, through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
ctest --test-dir build --output-on-failure --parallel "$(nproc)"

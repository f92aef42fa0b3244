#!/usr/bin/env bash
# Installs what is missing, then configures and builds adflag in build/.
#   bash scripts/build.sh            # RelWithDebInfo
#   BUILD_TYPE=Release bash scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -G Ninja \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build --parallel "$(nproc)"

#!/usr/bin/env bash
# Benchmarks adflag against the floor of its design and against two peers,
# following the protocol of issue 4, and prints one markdown table of
# medians with each target and PASS/FAIL. Not part of the test suite.
#
#   bash scripts/bench.sh              # full protocol, 200k and 2M listings
#   FULL=0 bash scripts/bench.sh       # the same without the 2M corpus
#   QUICK=1 bash scripts/bench.sh      # smoke run: corpora 10x smaller
#
# Settings (environment):
#   RUNS=3             timed runs per measurement, the median is reported
#   SEED=7             seed of the generated corpora
#   PEER_LISTINGS=N    listings for the Python peer (default: main corpus)
#   JQ_LISTINGS=N      listings for the jq peer, scaled up to the main
#                      corpus in the table (default: 20k; QUICK=1: 2k)
#   GROWTH_LISTINGS=N  listings for the pattern-growth rows (default: main)
#   JOBS=2             build parallelism
#   NO_BUILD=1         use the adflag already built in build-release/
#   GENERATOR=FILE     the listing generator (default bench/gen_listings.py):
#                      another one taking --count and --seed, such as the
#                      benchmark protocol's own
#   PACK=DIR           the 40-pattern bench pack (default bench/rules/),
#                      run by adflag, the floor and both peers
#
# Builds Release in build-release/ (never build/), caches the generated
# corpora in build-release/bench-data/ by count, seed and generator
# version, and writes the table to stdout and to
# build-release/bench-data/results.md. Progress goes to stderr. Needs
# cmake, ninja, g++, pkg-config, python3 and the project's libraries
# (scripts/setup.sh); GNU time (Debian package `time`) for peak memory and
# jq for the jq peer are optional: without them those rows are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly BUILD=build-release
readonly DATA="$BUILD/bench-data"
readonly ADFLAG="$BUILD/src/adflag"
readonly FLOOR="$BUILD/floor"
readonly BENCH_PACK="${PACK:-bench/rules}"
readonly GENERATOR="${GENERATOR:-bench/gen_listings.py}"

QUICK="${QUICK:-0}"
FULL="${FULL:-1}"
SEED="${SEED:-7}"
JOBS="${JOBS:-2}"
RUNS="${RUNS:-3}"
if [[ "$QUICK" == 1 ]]; then
  SMALL=2000 MAIN=20000 BIG=200000
else
  SMALL=20000 MAIN=200000 BIG=2000000
fi
PEER_LISTINGS="${PEER_LISTINGS:-$MAIN}"
JQ_LISTINGS="${JQ_LISTINGS:-$SMALL}"
GROWTH_LISTINGS="${GROWTH_LISTINGS:-$MAIN}"

# Results of `measure`, by measurement name: medians and extremes over
# every run recorded under the name, and those runs' times.
declare -A MEDIAN_S=() MEDIAN_CPU=() PEAK_KIB=() EXIT_CODE=()
declare -A ALL_S=() ALL_CPU=()
ROWS=()
LINK_ROWS=()
GNU_TIME=""

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# --- tools and build -------------------------------------------------------

check_tools() {
  local tool
  for tool in cmake ninja g++ pkg-config python3 sha256sum awk; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup.sh)"
  done
  if /usr/bin/time --version 2>&1 | grep -q GNU; then
    GNU_TIME=/usr/bin/time
  else
    log "GNU time not found: peak memory is not measured" \
        "(apt-get install time)"
  fi
}

build() {
  if [[ "${NO_BUILD:-0}" == 1 ]]; then
    [[ -x "$ADFLAG" ]] || die "NO_BUILD=1 but $ADFLAG is not built"
    log "using the adflag already built in $BUILD/ (NO_BUILD=1)"
  else
    log "building adflag (Release) in $BUILD/"
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DADFLAG_BUILD_TESTS=OFF >/dev/null
    cmake --build "$BUILD" --target adflag --parallel "$JOBS" >/dev/null
  fi
  log "building the floor program"
  # shellcheck disable=SC2046  # pkg-config prints several words
  g++ -O2 -std=c++20 bench/floor.cc -o "$FLOOR" \
    $(pkg-config --cflags --libs re2) -lsimdjson
}

# --- data ------------------------------------------------------------------

# Prints the first 8 hex digits of the SHA-256 of the files named.
short_hash() { cat "$@" | sha256sum | cut -c1-8; }

# Prints the path of the corpus of $1 listings, generating it first unless
# a cached copy made by the same generator exists.
corpus() {
  local count=$1 version path
  version=$(short_hash "$GENERATOR")
  path="$DATA/listings-$count-s$SEED-$version.jsonl"
  if [[ ! -s "$path" ]]; then
    log "generating $count listings (seed $SEED) into $path"
    python3 "$GENERATOR" --count "$count" --seed "$SEED" >"$path.tmp"
    mv "$path.tmp" "$path"
  fi
  cat "$path" >/dev/null   # into the page cache, so no run reads the disk
  echo "$path"
}

# Writes the `any` and `all` patterns of rule pack $1, one per line, to $2.
extract_patterns() {
  "$ADFLAG" rules "$1" --format json | python3 -c '
import json, sys
for rule in json.load(sys.stdin):
    for pattern in rule["any"] + rule["all"]:
        print(pattern)' >"$2"
}

# Prints the number of listings in corpus $1 and its size in bytes.
lines_of() { wc -l <"$1" | tr -d ' '; }
bytes_of() { wc -c <"$1" | tr -d ' '; }

# --- measuring -------------------------------------------------------------

# Prints the median of the numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2];
          else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure NAME RUNS OUTPUT COMMAND...: runs COMMAND RUNS times with stdout
# to OUTPUT and records the runs under NAME: the median wall time and the
# median CPU time (user + system, when GNU time is there) of every run
# recorded under NAME so far, the highest peak resident memory and the
# last non-zero exit code. Measuring a name again adds runs, which is how
# two commands are interleaved. Stderr of the last run is kept in
# $DATA/logs/NAME.err.
measure() {
  local name=$1 runs=$2 output=$3 run start end code
  shift 3
  local peak=${PEAK_KIB[$name]:-0} worst=${EXIT_CODE[$name]:-0}
  local kib user sys cpu wall recorded
  # Runs recorded under NAME before this call, so that interleaved runs
  # are numbered on.
  recorded=$(wc -w <<<"${ALL_S[$name]:-}")
  for ((run = recorded + 1; run <= recorded + runs; run++)); do
    log "  $name: run $run"
    code=0 cpu=""
    start=$(date +%s%N)
    if [[ -n "$GNU_TIME" ]]; then
      "$GNU_TIME" -f '%M %U %S' -o "$DATA/time.txt" "$@" >"$output" \
        2>"$DATA/logs/$name.err" || code=$?
    else
      "$@" >"$output" 2>"$DATA/logs/$name.err" || code=$?
    fi
    end=$(date +%s%N)
    wall=$(calc "%.4f" "$((end - start)) / 1e9")
    ALL_S[$name]+=" $wall"
    if [[ -n "$GNU_TIME" ]]; then
      read -r kib user sys < <(tail -n 1 "$DATA/time.txt")
      cpu=$(calc "%.2f" "$user + $sys")
      ALL_CPU[$name]+=" $cpu"
      ((kib > peak)) && peak=$kib
    fi
    ((code != 0)) && worst=$code
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$wall" "$cpu" "$code" \
      >>"$DATA/runs.tsv"
  done
  # shellcheck disable=SC2086  # the recorded times are words
  MEDIAN_S[$name]=$(median ${ALL_S[$name]})
  MEDIAN_CPU[$name]=""
  # shellcheck disable=SC2086
  [[ -n "$GNU_TIME" ]] && MEDIAN_CPU[$name]=$(median ${ALL_CPU[$name]})
  PEAK_KIB[$name]=$peak
  EXIT_CODE[$name]=$worst
  if ((worst != 0)); then
    log "  $name: exit code $worst: $(head -c 300 "$DATA/logs/$name.err")"
  fi
}

# Runs adflag's scan under `measure`: NAME RUNS CORPUS THREADS [PACK].
measure_scan() {
  local name=$1 runs=$2 input=$3 threads=$4 pack=${5:-}
  local rules=()
  [[ -n "$pack" ]] && rules=(-r "$pack")
  measure "$name" "$runs" /dev/null \
    "$ADFLAG" scan "$input" "${rules[@]}" --threads "$threads" -q
}

# Measures adflag's fixed cost with PACK (loading and compiling the rules,
# starting the workers) by scanning an empty input: startup-NAME.
measure_startup() {
  local name=$1 pack=${2:-}
  : >"$DATA/empty.jsonl"
  measure_scan "startup-$name" "$RUNS" "$DATA/empty.jsonl" 1 "$pack"
}

# marginal_us NAME STARTUP_NAME COUNT [cpu]: µs of wall time (or of CPU
# time) per listing once the fixed cost measured by STARTUP_NAME is taken
# off.
marginal_us() {
  if [[ "${4:-}" == cpu ]]; then
    calc "%.3f" "(${MEDIAN_CPU[$1]} - ${MEDIAN_CPU[$2]}) * 1e6 / $3"
  else
    calc "%.3f" "(${MEDIAN_S[$1]} - ${MEDIAN_S[$2]}) * 1e6 / $3"
  fi
}

# --- arithmetic and table helpers ------------------------------------------

calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# verdict VALUE OP TARGET: PASS when `VALUE OP TARGET` holds.
verdict() {
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    ok = (op == "<=") ? v <= t : (op == ">=") ? v >= t : v == t;
    print ok ? "PASS" : "FAIL" }'
}

# row MEASURE CORPUS MEASURED TARGET RESULT
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }
# The same for the table of linking, whose targets are linking's own.
link_row() { LINK_ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }

label() {  # "200k (168 MB)" for a corpus file
  printf '%s (%s MB)' "$(short "$(lines_of "$1")")" \
    "$(calc "%.0f" "$(bytes_of "$1") / 1e6")"
}

short() {  # 200000 -> 200k, 2000000 -> 2M
  awk -v n="$1" 'BEGIN {
    if (n >= 1e6 && n % 1e6 == 0) print n / 1e6 "M";
    else if (n >= 1e3 && n % 1e3 == 0) print n / 1e3 "k";
    else print n }'
}

mib() { calc "%.1f MiB" "$1 / 1024"; }

cpu_note() {  # ", CPU 0.41 s" for measurement $1, when GNU time is there
  [[ -z "${MEDIAN_CPU[$1]}" ]] || printf ', CPU %s s' "${MEDIAN_CPU[$1]}"
}

exit_note() {  # " (exit N)" when measurement $1 failed
  local code=${EXIT_CODE[$1]}
  ((code == 0)) || printf ' (exit %s)' "$code"
}

# agreement PEER_OUT FLOOR_OUT: compares the (listing, pattern) hit counts
# printed by a peer and by the floor.
agreement() {
  local peer floor
  peer=$(grep -o ' hits=[0-9]*' "$1" | cut -d= -f2 || true)
  floor=$(grep -o ' hits=[0-9]*' "$2" | cut -d= -f2 || true)
  if [[ "$peer" == "$floor" ]]; then
    echo "same hits as the floor ($floor)"
  else
    echo "hits ${peer:-none} vs floor ${floor:-none}"
  fi
}

# --- the measurements ------------------------------------------------------

bench_floor_and_threads() {
  local main=$1 label_main
  label_main=$(label "$main")
  extract_patterns "$BENCH_PACK" "$DATA/bench-patterns.txt"

  log "floor and adflag, bench pack, $label_main"
  # The floor and adflag take turns, so that a slow spell of the machine
  # weighs on both sides of their ratio.
  local run
  for ((run = 1; run <= RUNS; run++)); do
    measure floor 1 "$DATA/floor-main.out" \
      "$FLOOR" "$DATA/bench-patterns.txt" "$main"
    measure_scan bench-t1 1 "$main" 1 "$BENCH_PACK"
  done
  measure_scan bench-t2 "$RUNS" "$main" 2 "$BENCH_PACK"
  measure_scan builtin-t1 "$RUNS" "$main" 1

  local floor_s=${MEDIAN_S[floor]} t1=${MEDIAN_S[bench-t1]}
  local t2=${MEDIAN_S[bench-t2]} builtin=${MEDIAN_S[builtin-t1]}
  local bytes ratio speedup mbps cpu_ratio=""
  bytes=$(bytes_of "$main")
  ratio=$(calc "%.2f" "$t1 / $floor_s")
  if [[ -n "${MEDIAN_CPU[floor]}" ]]; then
    cpu_ratio=$(calc "%.2f" "${MEDIAN_CPU[bench-t1]} / \
      (${MEDIAN_CPU[floor]} > 0 ? ${MEDIAN_CPU[floor]} : 0.01)")
    cpu_ratio=" (CPU time: ${cpu_ratio}x)"
  fi
  speedup=$(calc "%.2f" "$t1 / $t2")
  mbps=$(calc "%.0f" "$bytes / $builtin / 1e6")

  row "Floor: simdjson + one RE2::Set, 40 patterns, 1 thread" \
    "$label_main" "$(calc "%.3f s" "$floor_s")$(cpu_note floor)$(
      exit_note floor)" \
    "reference (~0.35 s)" "—"
  row "adflag, bench pack, 1 thread" "$label_main" \
    "$(calc "%.3f s" "$t1") ($(calc "%.0f" "$bytes / $t1 / 1e6") MB/s$(
      cpu_note bench-t1))$(exit_note bench-t1)" "—" "—"
  row "adflag / floor, 1 thread" "$label_main" "${ratio}x$cpu_ratio" \
    "<= 2.5x" \
    "$(verdict "$ratio" "<=" 2.5)"
  row "adflag, bench pack, 2 threads: speedup over 1 thread" "$label_main" \
    "$(calc "%.3f s" "$t2") = ${speedup}x$(exit_note bench-t2)" ">= 1.7x" \
    "$(verdict "$speedup" ">=" 1.7)"
  row "adflag, built-in pack, 1 thread: throughput" "$label_main" \
    "$mbps MB/s ($(calc "%.3f s" "$builtin")$(cpu_note builtin-t1))$(
      exit_note builtin-t1)" \
    ">= 100 MB/s" "$(verdict "$mbps" ">=" 100)"
}

bench_memory() {
  local main=$1 big=${2:-} main_kib big_kib
  if [[ -z "$GNU_TIME" ]]; then
    row "Peak memory, bench pack, 2 threads" "—" \
      "not measured: GNU time missing (apt-get install time)" \
      "<= 200 MiB" "SKIP"
    return
  fi
  main_kib=${PEAK_KIB[bench-t2]}
  row "Peak memory, bench pack, 2 threads" "$(label "$main")" \
    "$(mib "$main_kib")" "<= 200 MiB" \
    "$(verdict "$main_kib" "<=" $((200 * 1024)))"
  if [[ -z "$big" ]]; then
    row "Peak memory, bench pack, 2 threads" "$(short "$BIG")" \
      "skipped (FULL=0)" "<= 200 MiB, within 10%" "SKIP"
    return
  fi
  log "peak memory, $(label "$big")"
  measure_scan bench-t2-big "$RUNS" "$big" 2 "$BENCH_PACK"
  big_kib=${PEAK_KIB[bench-t2-big]}
  local growth
  growth=$(calc "%.1f" "($big_kib / $main_kib - 1) * 100")
  row "Peak memory, bench pack, 2 threads" "$(label "$big")" \
    "$(mib "$big_kib")$(exit_note bench-t2-big)" "<= 200 MiB" \
    "$(verdict "$big_kib" "<=" $((200 * 1024)))"
  row "Peak memory growth, $(short "$MAIN") -> $(short "$BIG") listings" \
    "both" "${growth}%" "<= 10%" "$(verdict "${growth#-}" "<=" 10)"
}

bench_identity() {
  local main=$1 threads sums=() code
  log "output identity for 1, 2 and 8 threads"
  for threads in 1 2 8; do
    code=0
    "$ADFLAG" scan "$main" -r "$BENCH_PACK" --threads "$threads" -q \
      -o "$DATA/out-t$threads.jsonl" 2>"$DATA/logs/identity.err" || code=$?
    if ((code != 0)); then
      sums+=("exit-$code")
    else
      sums+=("$(sha256sum <"$DATA/out-t$threads.jsonl" | cut -c1-12)")
    fi
  done
  local result=FAIL measured
  if [[ "${sums[0]}" == "${sums[1]}" && "${sums[1]}" == "${sums[2]}" &&
        "${sums[0]}" != exit-* ]]; then
    result=PASS
  fi
  measured="sha256 ${sums[0]} / ${sums[1]} / ${sums[2]}"
  measured+=" ($(lines_of "$DATA/out-t1.jsonl" 2>/dev/null || echo 0) flags)"
  row "Identical output, 1 / 2 / 8 threads, bench pack" "$(label "$main")" \
    "$measured" "byte-identical" "$result"
}

bench_pattern_growth() {
  local input=$1 count n base="" packs="$DATA/packs"
  count=$(lines_of "$input")
  mkdir -p "$packs"
  for n in 40 400 4000; do
    log "pattern growth: $n patterns"
    python3 bench/gen_rules.py --patterns "$n" --out "$packs/p$n"
    extract_patterns "$packs/p$n" "$packs/p$n.txt"
    measure "floor-p$n" "$RUNS" "$DATA/floor-p$n.out" \
      "$FLOOR" "$packs/p$n.txt" "$input"
    measure_scan "grow-p$n" "$RUNS" "$input" 1 "$packs/p$n"
    measure_startup "p$n" "$packs/p$n"
    local s=${MEDIAN_S[grow-p$n]} floor_s=${MEDIAN_S[floor-p$n]}
    [[ -z "$base" ]] && base=$s
    local sets note="" result=PASS
    sets=$(grep -o 'sets=[0-9]*' "$DATA/floor-p$n.out" | cut -d= -f2)
    if ((${sets:-1} > 1)); then
      note=" (one set exceeds RE2's default budget: split into $sets sets,"
      note+=" so no lower bound here)"
    fi
    [[ "${EXIT_CODE[grow-p$n]}" != 0 ]] && result=FAIL
    row "Pattern growth: $n patterns (generated), 1 thread" \
      "$(label "$input")" \
      "$(calc "%.3f s (%.1fx the 40-pattern time)" "$s, $s / $base")$(
        cpu_note "grow-p$n"); startup $(calc "%.3f s" \
        "${MEDIAN_S[startup-p$n]}"), then $(marginal_us "grow-p$n" \
        "startup-p$n" "$count") µs/listing; floor $(calc "%.3f s" \
        "$floor_s")$note$(exit_note "grow-p$n")$(exit_note "startup-p$n")" \
      "runs, exit 0" "$result"
  done
}

bench_input_growth() {
  local small=$1 main=$2 big=${3:-} file name count
  local files=("$small" "$main")
  [[ -n "$big" ]] && files+=("$big")
  # Judged on CPU time when it is measured: a single-threaded run's CPU
  # time is its wall time on a quiet machine, and suffers less on a busy one.
  local basis=wall
  [[ -n "${MEDIAN_CPU[bench-t1]}" ]] && basis=cpu
  local names=() counts=()
  for file in "${files[@]}"; do
    count=$(lines_of "$file")
    name="input-$count"
    if [[ "$file" == "$main" ]]; then   # measured already
      MEDIAN_S[$name]=${MEDIAN_S[bench-t1]}
      MEDIAN_CPU[$name]=${MEDIAN_CPU[bench-t1]}
      EXIT_CODE[$name]=${EXIT_CODE[bench-t1]}
    else
      log "input growth: $(label "$file")"
      measure_scan "$name" "$RUNS" "$file" 1 "$BENCH_PACK"
    fi
    names+=("$name")
    counts+=("$count")
    row "Input growth: bench pack, 1 thread" "$(label "$file")" \
      "$(calc "%.3f s" "${MEDIAN_S[$name]}"), $(calc "%.3f" \
        "${MEDIAN_S[$name]} * 1e6 / $count") µs/listing$(
        cpu_note "$name")$(exit_note "$name")" "linear" "(below)"
  done

  # Linear means each further listing costs the same: the cost per listing
  # between one size and the next (the slope) stays put. Fixed costs, such
  # as loading the rules and RE2 building its DFA states on the first
  # listings, drop out of the difference.
  local i slopes=() slope
  for ((i = 1; i < ${#names[@]}; i++)); do
    slope=$(slope_us "${names[i - 1]}" "${names[i]}" "${counts[i - 1]}" \
      "${counts[i]}" "$basis")
    slopes+=("$slope")
    row "Input growth: cost of each further listing" \
      "$(short "${counts[i - 1]}") to $(short "${counts[i]}")" \
      "$slope µs/listing of ${basis^^} time" "linear" "(below)"
  done
  local spread scope
  scope="$(short "$SMALL") to $(short "$BIG")"
  [[ -z "$big" ]] && scope="$(short "$SMALL") to $(short "$MAIN") (FULL=0)"
  spread=$(printf '%s\n' "${slopes[@]}" | sort -g | awk '
    NR == 1 { lo = $1 } { hi = $1 }
    END { if (lo > 0) printf "%.2f", hi / lo; else print 999 }')
  row "Input growth: highest / lowest cost of a further listing" \
    "$scope" "${spread}x" "<= 1.25x (linear)" \
    "$(verdict "$spread" "<=" 1.25)"
}

# slope_us NAME_A NAME_B COUNT_A COUNT_B [cpu]: µs of wall (or CPU) time
# per listing between two measurements of different sizes.
slope_us() {
  if [[ "${5:-}" == cpu ]]; then
    calc "%.3f" "(${MEDIAN_CPU[$2]} - ${MEDIAN_CPU[$1]}) * 1e6 / ($4 - $3)"
  else
    calc "%.3f" "(${MEDIAN_S[$2]} - ${MEDIAN_S[$1]}) * 1e6 / ($4 - $3)"
  fi
}

# Linking: the bench pack with two scored rules on links (bench/linking/),
# so every listing is read twice and linked in the scoring pass.
bench_linking() {
  local main=$1 big=${2:-} pack="$DATA/packs/linked" bytes count
  rm -rf "$pack"
  mkdir -p "$pack"
  cp "$BENCH_PACK"/*.yaml bench/linking/links.yaml "$pack/"
  bytes=$(bytes_of "$main")
  log "linking, $(label "$main")"
  measure_scan linked-t1 "$RUNS" "$main" 1 "$pack"
  measure_scan linked-t2 "$RUNS" "$main" 2 "$pack"
  measure linked-builtin-t1 "$RUNS" /dev/null \
    "$ADFLAG" scan "$main" --link --threads 1 -q
  local t1=${MEDIAN_S[linked-t1]} t2=${MEDIAN_S[linked-t2]}
  local builtin=${MEDIAN_S[linked-builtin-t1]} rate
  rate=$(calc "%.0f" "$bytes / $builtin / 1e6")
  link_row "Linking on (built-in pack, --link), 1 thread: throughput" \
    "$(label "$main")" "$rate MB/s ($(calc "%.3f s" "$builtin")$(
      cpu_note linked-builtin-t1))$(exit_note linked-builtin-t1)" \
    ">= 100 MB/s" "$(verdict "$rate" ">=" 100)"
  link_row "Linking on (bench pack + 2 scored rules on links), 1 thread" \
    "$(label "$main")" "$(calc "%.3f s" "$t1") ($(calc "%.0f" \
      "$bytes / $t1 / 1e6") MB/s$(cpu_note linked-t1)), $(calc "%.2fx" \
      "$t1 / ${MEDIAN_S[floor]}") the floor$(exit_note linked-t1)" \
    "<= 2.5x the floor" \
    "$(verdict "$(calc "%.2f" "$t1 / ${MEDIAN_S[floor]}")" "<=" 2.5)"
  link_row "Linking on, 2 threads: speedup over 1 thread" "$(label "$main")" \
    "$(calc "%.3f s" "$t2") = $(calc "%.2fx" "$t1 / $t2")$(
      exit_note linked-t2)" ">= 1.7x" \
    "$(verdict "$(calc "%.2f" "$t1 / $t2")" ">=" 1.7)"
  [[ -z "$big" || -z "$GNU_TIME" ]] && return

  # Memory that linking adds, per listing: peak RSS with and without it,
  # on the large corpus, 2 threads; and the summary file per listing.
  count=$(lines_of "$big")
  log "linking, memory, $(label "$big")"
  measure_scan linked-t2-big 1 "$big" 2 "$pack"
  measure linked-summary-big 1 /dev/null "$ADFLAG" scan "$big" -r "$pack" \
    --threads 2 -q --emit-summary "$DATA/linked-big.summary"
  local linked_kib=${PEAK_KIB[linked-t2-big]}
  local plain_kib=${PEAK_KIB[bench-t2-big]}
  local summary_bytes
  summary_bytes=$(bytes_of "$DATA/linked-big.summary")
  link_row "Linking on, peak memory, 2 threads, 1 run" "$(label "$big")" \
    "$(mib "$linked_kib") ($(mib "$plain_kib") without linking): $(calc \
      "%.0f" "($linked_kib - $plain_kib) * 1024 / $count") bytes per listing; \
$(calc "%.1f s" "${MEDIAN_S[linked-t2-big]}"); summary file $(calc \
      "%.0f" "$summary_bytes / $count") bytes per listing$(
      exit_note linked-t2-big)$(exit_note linked-summary-big)" \
    "report" "—"
}

bench_python_peer() {
  local main=$1 input count
  input=$(corpus "$PEER_LISTINGS")
  count=$(lines_of "$input")
  log "Python peer on $(label "$input") (one run: slow)"
  measure python-peer 1 "$DATA/python-peer.out" \
    python3 bench/peer.py "$DATA/bench-patterns.txt" "$input"
  "$FLOOR" "$DATA/bench-patterns.txt" "$input" >"$DATA/floor-peer.out"
  local s=${MEDIAN_S[python-peer]} scaled
  scaled=$(calc "%.1f" "$s * $(lines_of "$main") / $count")
  row "Python peer (json + re), 1 run" "$(label "$input")" \
    "$(calc "%.1f s" "$s"), $(calc "%.0fx" "$scaled / ${MEDIAN_S[bench-t1]}"
    ) adflag's 1-thread time; $(agreement "$DATA/python-peer.out" \
      "$DATA/floor-peer.out")$(exit_note python-peer)" \
    "reference (~115 s)" "—"
}

bench_jq_peer() {
  local main=$1 input count
  if ! command -v jq >/dev/null; then
    row "jq peer" "—" "skipped (jq not installed)" "reference" "SKIP"
    return
  fi
  input=$(corpus "$JQ_LISTINGS")
  count=$(lines_of "$input")
  log "jq peer on $(label "$input") (one run: slow)"
  measure jq-peer 1 "$DATA/jq-peer.out" jq -n -r \
    --rawfile patterns "$DATA/bench-patterns.txt" -f bench/peer.jq "$input"
  "$FLOOR" "$DATA/bench-patterns.txt" "$input" >"$DATA/floor-jq.out"
  local s=${MEDIAN_S[jq-peer]} scaled
  scaled=$(calc "%.1f" "$s * $(lines_of "$main") / $count")
  row "jq peer (test(re; \"i\")), 1 run, scaled to $(short "$MAIN")" \
    "$(label "$input")" "$(calc "%.1f s measured, ~%.0f s" "$s, $scaled"
    ) for $(short "$MAIN"), $(calc "%.0fx" "$scaled / ${MEDIAN_S[bench-t1]}"
    ) adflag's; $(agreement "$DATA/jq-peer.out" "$DATA/floor-jq.out")$(
      exit_note jq-peer)" \
    "reference" "—"
}

# --- report ----------------------------------------------------------------

print_table() {
  local cpu
  cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null \
        || true)
  echo "## adflag benchmark ($(date -u +%Y-%m-%d), ${cpu:-unknown CPU}," \
       "$(nproc) cores, median of $RUNS run(s), seed $SEED$(
         [[ "$QUICK" == 1 ]] && echo ", QUICK: corpora 10x smaller"))"
  echo
  echo "Listings from $(basename "$GENERATOR") (sha256 $(short_hash \
    "$GENERATOR")), bench pack $(basename "$BENCH_PACK")/ ($(lines_of \
    "$DATA/bench-patterns.txt") patterns, sha256 $(short_hash \
    "$BENCH_PACK"/*.yaml))."
  echo
  echo "Load average (1 min) at start $LOAD_START, at end $(load_average):" \
       "figures are trustworthy only when it stays well below $(nproc)." \
       "Times are wall-clock medians; CPU is user + system time."
  echo
  echo "| Measure | Corpus | Measured | Target | Result |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  [[ ${#LINK_ROWS[@]} -eq 0 ]] && return
  echo
  echo "### Linking: the same targets with linking on"
  echo
  echo "| Measure | Corpus | Measured | Target | Result |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${LINK_ROWS[@]}"
}

load_average() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?"; }

main() {
  check_tools
  LOAD_START=$(load_average)
  if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'
  then
    log "warning: load average $LOAD_START on $(nproc) cores:" \
        "other work will distort the timings"
  fi
  mkdir -p "$DATA/logs"
  printf 'measurement\trun\twall_s\tcpu_s\texit\n' >"$DATA/runs.tsv"
  build

  local small main big=""
  small=$(corpus "$SMALL")
  main=$(corpus "$MAIN")
  [[ "$FULL" == 1 ]] && big=$(corpus "$BIG")

  bench_floor_and_threads "$main"
  bench_memory "$main" "$big"
  bench_identity "$main"
  if [[ "$GROWTH_LISTINGS" == "$MAIN" ]]; then
    bench_pattern_growth "$main"
  else
    bench_pattern_growth "$(corpus "$GROWTH_LISTINGS")"
  fi
  bench_input_growth "$small" "$main" "$big"
  bench_linking "$main" "$big"
  bench_python_peer "$main"
  bench_jq_peer "$main"

  print_table | tee "$DATA/results.md"
  log "table saved to $DATA/results.md; every run in $DATA/runs.tsv"
}

main "$@"

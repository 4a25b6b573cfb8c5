#!/usr/bin/env bash
# Whole-command timings: median wall time and peak RSS over N runs of each
# command (default 5). If a reference `cue` binary is on PATH, the same
# inputs are run with it and the ratio is printed.
#
# Usage: bench/run.sh [runs] [sizes]
#   sizes: app counts of the generated workload (default "1000 5000 20000")
# Environment: BENCH_YAML_MB (default 50) sizes the `vet` stream;
# BENCH_TIMEOUT (default 120) bounds each run, in seconds; BENCH_PROFILE
# (default dist, the whole-program-optimised build users are told to make)
# picks the cargo profile rcue is built with; BENCH_BIN measures a binary built
# beforehand instead (another revision's, for a comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sizes=${2:-"1000 5000 20000"}
yaml_mb=${BENCH_YAML_MB:-50}
limit=${BENCH_TIMEOUT:-120}
target=${CARGO_TARGET_DIR:-target}
cargo build --release -p rcue -p rcue-syntax -p rcue-eval --examples --quiet
profile=${BENCH_PROFILE:-dist}
if [ -n "${BENCH_BIN:-}" ]; then
  rcue=$BENCH_BIN
  echo "rcue: $rcue"
else
  cargo build --profile "$profile" -p rcue --quiet
  rcue=$target/$profile/rcue
  echo "rcue built with the $profile profile"
fi
gen=$target/release/examples/gen_workload
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

last_t=0
measure() { # name, command...
  local name=$1; shift
  local times=() rss=() status=ok
  for _ in $(seq "$runs"); do
    if ! /usr/bin/time -f "%e %M" -o "$work/t" timeout "$limit" "$@" > /dev/null 2> "$work/err"; then
      status="FAILED ($(tail -n 1 "$work/err" | cut -c1-60))"
    fi
    read -r t m < <(tail -n 1 "$work/t")
    times+=("$t"); rss+=("$m")
  done
  local med_t med_m
  med_t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  med_m=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  last_t=$med_t
  printf '%-40s median %7.3f s   peak RSS %8.1f MiB  %s\n' "$name" "$med_t" \
    "$(echo "$med_m / 1024" | bc -l)" "$([ "$status" = ok ] || echo "$status")"
}

# Runs the same command with rcue and, when present, with cue; prints the ratio.
both() { # name, args...
  local name=$1; shift
  measure "rcue $name" "$rcue" "$@"
  if command -v cue > /dev/null; then
    local ours=$last_t
    measure "cue  $name" cue "$@"
    printf '%-40s cue/rcue wall time: %.1fx\n' "" "$(echo "$last_t / $ours" | bc -l)"
  fi
}

echo "$runs runs each; $(nproc) cores; $(date -u +%Y-%m-%d)"

"$target/release/examples/generate" 10 > "$work/big.cue"
measure "rcue fmt (10 MiB)" sh -c "$rcue fmt - < '$work/big.cue'"

for n in $sizes; do
  "$gen" apps "$n" > "$work/apps-$n.cue"
  both "export (workload, $n apps)" export "$work/apps-$n.cue"
done

measure "rcue mod build (multi-tier-module)" "$rcue" mod build examples/multi-tier-module
"$gen" module 500 "$work/module-500"
measure "rcue mod build (500 components)" "$rcue" mod build "$work/module-500"

"$gen" yaml "$yaml_mb" "$work/yaml"
both "vet ($yaml_mb MB YAML stream)" vet -d '#Object' "$work/yaml/schema.cue" "$work/yaml/objects.yaml"

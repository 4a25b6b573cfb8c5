#!/usr/bin/env bash
# Runs ../shared/conformance when it exists and fails if the headline figure
# (values exported as the reference does) drops below the floor recorded in
# .ci/conformance-floor. Raise the floor whenever the figure improves.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/conformance
if [ ! -d "$shared" ]; then
  echo "conformance: $shared not found, skipped"
  exit 0
fi
cargo build --release -p rcue --quiet
out=$(mktemp)
python3 "$shared/run.py" target/release/rcue "$shared/cases" --timeout 10 | tee "$out"
python3 "$shared/run.py" target/release/rcue "$shared/cli" --timeout 10 | tail -n 2
got=$(tail -n 1 "$out" | sed -E 's/.*: ([0-9]+)\/[0-9]+ .*/\1/')
floor=$(tr -d '[:space:]' < .ci/conformance-floor)
rm -f "$out"
echo "conformance: $got values exported (floor $floor)"
if [ "$got" -lt "$floor" ]; then
  echo "conformance dropped below the floor ($got < $floor)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Renders the example module and every transformer golden with the release
# binary and validates the manifests against the Kubernetes 1.30 schemas
# (kubernetes-validate from PyPI, installed into a virtualenv under target/).
set -euo pipefail
cd "$(dirname "$0")/.."

rcue=target/release/rcue
[ -x "$rcue" ] || cargo build --release -p rcue

venv=target/ci-kubernetes-validate
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q kubernetes-validate
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$rcue" mod build examples/multi-tier-module > "$out/multi-tier-module.yaml"
diff -u crates/rcue-opm/testdata/multi-tier-module.yaml "$out/multi-tier-module.yaml"
for dir in crates/rcue-opm/testdata/transformers/*/; do
  name=$(basename "$dir")
  "$rcue" mod build "$dir/module" > "$out/$name.yaml"
done
for f in "$out"/*.yaml; do
  "$venv/bin/kubernetes-validate" --strict -k 1.30.0 "$f" >/dev/null
  echo "valid: $(basename "$f")"
done

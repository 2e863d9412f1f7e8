#!/usr/bin/env bash
# Build the wheel once (or take the one MLOPS_WHEEL names), install it into a fresh virtualenv with no Node on
# PATH, and check that Jupyter reports both halves of the extension as enabled and OK.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if [ -n "${MLOPS_WHEEL:-}" ]; then
  wheel=$MLOPS_WHEEL
else
  .venv/bin/python -m build --wheel --outdir "$out/dist" python-server >/dev/null
  wheel=$(ls "$out"/dist/sagemaker_mlops-*.whl)
fi
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB)"
# The shared-config JSON Schemas the server validates commits with are part of the wheel.
for f in model_config stage_config; do
  python3 -m zipfile -l "$wheel" | grep -q "sagemaker_mlops/sharedconfig/schemas/$f.schema.json" \
    || { echo "the wheel lacks sagemaker_mlops/sharedconfig/schemas/$f.schema.json" >&2; exit 1; }
done
python3 -m venv "$out/venv"
# The target is an environment that has JupyterLab (as Studio does); the wheel itself needs no Node.
"$out/venv/bin/pip" install -q "$wheel" "jupyterlab>=4.5,<5"
# A PATH with the fresh virtualenv and the system's basic tools, but no node/npm.
nodeless="$out/venv/bin:/usr/bin:/bin"
if PATH="$nodeless" command -v node >/dev/null 2>&1; then
  mkdir -p "$out/bin"; for t in python3 sh bash; do ln -s "$(command -v $t)" "$out/bin/$t"; done
  nodeless="$out/venv/bin:$out/bin"
fi
PATH="$nodeless" "$out/venv/bin/jupyter" server extension list 2>&1 | tee "$out/server.txt"
PATH="$nodeless" "$out/venv/bin/jupyter" labextension list 2>&1 | tee "$out/lab.txt"
grep -Eq "sagemaker_mlops .*enabled" "$out/server.txt" && grep -Eq "sagemaker_mlops .*OK" "$out/server.txt" \
  || { echo "server extension not enabled/OK in the fresh environment" >&2; exit 1; }
grep -Eq "sagemaker-mlops v[0-9.]+ .*enabled.*OK" "$out/lab.txt" \
  || { echo "labextension not enabled/OK in the fresh environment" >&2; exit 1; }
echo "wheel check: 3 passed, 0 failed"

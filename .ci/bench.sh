#!/usr/bin/env bash
# Benchmarks: the sidebar against the seeded devstack, then against --scale data.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
trap 'bash .ci/devstack.sh stop' EXIT
for mode in seeded scale; do
  if [ "$mode" = scale ]; then bash .ci/devstack.sh start --scale; else bash .ci/devstack.sh start; fi
  set -a; . .devstack/env; set +a
  (cd ui-tests && BENCH_LABEL=$mode npx playwright test -c playwright.bench.config.js)
  bash .ci/devstack.sh stop
done
cat ui-tests/test-results/bench-*.json

#!/usr/bin/env bash
# Benchmarks (`make bench`): start-up, the sidebar, registry and runs seeded and at --scale, the proxy, package installs; then bench/results.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
trap 'bash .ci/devstack.sh stop' EXIT
results="$PWD/.devstack/bench"   # outside ui-tests/test-results, which Playwright empties at each run
rm -rf "$results"; mkdir -p "$results"
export BENCH_OUT="$results"
for mode in seeded scale; do
  if [ "$mode" = scale ]; then bash .ci/devstack.sh start --scale; else bash .ci/devstack.sh start; fi
  set -a; . .devstack/env; set +a
  if [ "$mode" = seeded ]; then
    (cd ui-tests && npx playwright test -c playwright.bench.config.js startup.bench.ts)
    (cd ui-tests && npx playwright test -c playwright.bench.config.js config.bench.ts)
  fi
  (cd ui-tests && BENCH_LABEL=$mode npx playwright test -c playwright.bench.config.js sidebar.bench.ts)
  (cd ui-tests && BENCH_LABEL=$mode npx playwright test -c playwright.bench.config.js registry.bench.ts)
  (cd ui-tests && BENCH_LABEL=$mode npx playwright test -c playwright.bench.config.js runs.bench.ts)
  bash .ci/devstack.sh stop
done
python bench/proxy_overhead.py --out "$results/bench-proxy.json"
python bench/packages_install.py --out "$results/bench-packages.json"
node bench/report.js "$results" bench

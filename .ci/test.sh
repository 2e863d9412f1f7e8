#!/usr/bin/env bash
# Every test suite, in order; called by `make test` after `make install`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
trap 'bash .ci/devstack.sh stop' EXIT

echo "::: lint"
npm run lint

echo "::: jest (unit)"
npx jest --ci

echo "::: pytest (python-server)"
(cd python-server && pytest -q -p no:cacheprovider)

echo "::: pytest (devstack)"
(cd devstack && pytest -q -p no:cacheprovider)

echo "::: devstack for the end-to-end suites"
bash .ci/devstack.sh start
set -a; . .devstack/env; set +a

echo "::: jest (against the devstack)"
npx jest --ci -c jest.integration.config.js

echo "::: galata (Chromium)"
(cd ui-tests && npx playwright test)

bash .ci/devstack.sh stop

echo "::: wheel: built once, installed into a fresh virtualenv without Node"
bash .ci/check-wheel.sh


#!/usr/bin/env bash
# Every test suite, in order; called by `make test` after `make install`. Ends with the time each part took.
# Ports: the devstack's default and the Galata servers' 8888/8889 unless DEVSTACK_PORT, MLOPS_LAB_PORT and
# MLOPS_APPROVER_PORT say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
wheels=$(mktemp -d)
trap 'bash .ci/devstack.sh stop; rm -rf "$wheels"' EXIT

timings=()
current=""
began=$SECONDS
part() { # part <title>: the previous part ends, this one starts
  if [ -n "$current" ]; then timings+=("$(printf '%5ss  %s' $((SECONDS - began)) "$current")"); fi
  current=$1
  began=$SECONDS
  [ -z "$current" ] || echo "::: $current"
}

part "lint"
npm run lint

part "jest (unit)"
npx jest --ci

part "pytest (python-server)"
(cd python-server && pytest -q -p no:cacheprovider)

part "pytest (devstack)"
(cd devstack && pytest -q -p no:cacheprovider)

part "devstack for the end-to-end suites"
bash .ci/devstack.sh start ${DEVSTACK_PORT:+--port "$DEVSTACK_PORT"} # its default port unless DEVSTACK_PORT says
set -a; . .devstack/env; set +a

part "jest (against the devstack)"
npx jest --ci -c jest.integration.config.js

part "galata (Chromium), main environment: newest JupyterLab, extension in development mode"
(cd ui-tests && npx playwright test)

bash .ci/devstack.sh stop

part "wheel: built once, installed into a fresh virtualenv without Node"
python -m build --wheel --outdir "$wheels" python-server >/dev/null
MLOPS_WHEEL=$(ls "$wheels"/sagemaker_mlops-*.whl)
export MLOPS_WHEEL
bash .ci/check-wheel.sh

part "matrix: the wheel on the oldest and the newest JupyterLab, beside jupyterlab-git, collaborative"
bash .ci/matrix.sh

part ""
echo "::: time per part"
printf '%s\n' "${timings[@]}"

#!/usr/bin/env bash
# The demo: the seeded devstack and JupyterLab with the extension, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
trap 'bash .ci/devstack.sh stop' EXIT INT TERM
bash .ci/devstack.sh start "$@"
set -a; . .devstack/env; set +a
mkdir -p .devstack/notebooks
port=${JUPYTER_PORT:-8888}
token=${JUPYTER_TOKEN:-$(python -c 'import secrets; print(secrets.token_hex(24))')}
echo "JupyterLab: http://localhost:${port}/lab?token=${token}   (Ctrl-C stops JupyterLab and the devstack)"
# Like a Studio JupyterLab space: the execution role's credentials from a container-credentials endpoint (the
# AWS_CONTAINER_* variables of the env file) and the space's resource-metadata.json, whose space is tagged with
# the project.
jupyter lab --no-browser --port "$port" --ServerApp.ip=127.0.0.1 --allow-root \
  --ServerApp.root_dir="$PWD/.devstack/notebooks" --IdentityProvider.token="$token" \
  --SageMakerMLOps.resource_metadata_path="$DEVSTACK_RESOURCE_METADATA"

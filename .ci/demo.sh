#!/usr/bin/env bash
# The demo: the seeded devstack and two JupyterLabs with the extension, until Ctrl-C: the data scientist's
# (JUPYTER_PORT, 8888) and the approver's (APPROVER_PORT, 8889), each signing with its own execution role.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
pids=()
stop_all() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash .ci/devstack.sh stop
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bash .ci/devstack.sh start "$@"
set -a; . .devstack/env; set +a
mkdir -p .devstack/notebooks .devstack/approver/notebooks .devstack/approver/workspaces .devstack/approver/user-settings
port=${JUPYTER_PORT:-8888}
approver_port=${APPROVER_PORT:-8889}
token=${JUPYTER_TOKEN:-$(python -c 'import secrets; print(secrets.token_hex(24))')}
approver_token=$(python -c 'import secrets; print(secrets.token_hex(24))')

# Like two Studio users, each in a JupyterLab space of the project: the server acts as the space's execution
# role, whose credentials come from a container-credentials endpoint (the AWS_CONTAINER_* variables), and
# reads the space's resource-metadata.json, whose space is tagged with the project.
# The data scientist (its log on the console):
jupyter lab --no-browser --port "$port" --ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1 --allow-root \
  --ServerApp.root_dir="$PWD/.devstack/notebooks" --IdentityProvider.token="$token" \
  --SageMakerMLOps.resource_metadata_path="$DEVSTACK_RESOURCE_METADATA" &
pids+=($!)
# The approver: its own role, space, notebooks, workspaces and settings (its log in .devstack/approver.log).
AWS_CONTAINER_CREDENTIALS_FULL_URI="$DEVSTACK_APPROVER_CREDENTIALS_URI" \
AWS_CONTAINER_AUTHORIZATION_TOKEN="$DEVSTACK_APPROVER_AUTHORIZATION_TOKEN" \
  jupyter lab --no-browser --port "$approver_port" --ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1 --allow-root \
  --ServerApp.root_dir="$PWD/.devstack/approver/notebooks" --IdentityProvider.token="$approver_token" \
  --LabApp.workspaces_dir="$PWD/.devstack/approver/workspaces" \
  --LabApp.user_settings_dir="$PWD/.devstack/approver/user-settings" \
  --SageMakerMLOps.resource_metadata_path="$DEVSTACK_APPROVER_RESOURCE_METADATA" \
  >.devstack/approver.log 2>&1 &
pids+=($!)

for p in "$port" "$approver_port"; do
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:${p}/api/status" && break
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "a JupyterLab exited at start (approver's log: .devstack/approver.log)" >&2; exit 1; }
    done
    sleep 0.5
  done
done
echo
echo "Data scientist: http://localhost:${port}/lab?token=${token}"
echo "Approver:       http://localhost:${approver_port}/lab?token=${approver_token}"
echo "(Ctrl-C stops both JupyterLabs and the devstack)"
# Until Ctrl-C, or until either JupyterLab exits (then the other and the devstack stop too).
wait -n "${pids[@]}" || true

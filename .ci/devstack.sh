#!/usr/bin/env bash
# Start / stop the devstack in the background for the test suites.
#   .ci/devstack.sh start [extra args]   starts it, waits until healthy, leaves $STATE/env behind
#   .ci/devstack.sh stop
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
STATE=${STATE:-$here/.devstack}
mkdir -p "$STATE"
case "${1:-}" in
  start)
    shift
    "$0" stop >/dev/null 2>&1 || true
    rm -f "$STATE/env"
    rm -rf "$STATE/data"
    setsid mlops-devstack up --env-file "$STATE/env" --data-dir "$STATE/data" "$@" >"$STATE/devstack.log" 2>&1 &
    echo $! >"$STATE/pid"
    for _ in $(seq 1 180); do
      if [ -s "$STATE/env" ]; then
        # shellcheck disable=SC1091
        set -a; . "$STATE/env"; set +a
        if curl -fsS "$DEVSTACK_CONTROL_URL/health" >/dev/null 2>&1; then
          echo "devstack up: $AWS_ENDPOINT_URL"
          exit 0
        fi
      fi
      if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
        echo "devstack exited; its log:" >&2; tail -50 "$STATE/devstack.log" >&2; exit 1
      fi
      sleep 1
    done
    echo "devstack did not become healthy in 180 s; its log:" >&2; tail -50 "$STATE/devstack.log" >&2; exit 1
    ;;
  stop)
    if [ -f "$STATE/pid" ]; then
      pid=$(cat "$STATE/pid")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      rm -f "$STATE/pid"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

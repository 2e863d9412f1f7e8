#!/usr/bin/env bash
# The extension where its users are. The wheel, built once, is installed into a fresh virtualenv per
# environment; each environment's JupyterLab (both Galata servers, the data scientist's and the approver's, as
# Studio spaces: resource metadata, execution-role credentials from the devstack) runs against a fresh devstack:
#   oldest         the oldest JupyterLab the package declares (Studio's 4.5.x) and Notebook 7.5:
#                  the whole Galata suite, with the Notebook 7 checks (@notebook7)
#   git            the newest JupyterLab of the declared range and jupyterlab-git beside the extension:
#                  the smoke subset (@smoke) and the side-by-side checks (@jupyterlab-git)
#   collaborative  the newest JupyterLab and jupyter-collaboration, both servers started with --collaborative:
#                  the smoke subset (@smoke) and the collaboration checks (@collaborative)
# (The main environment, .venv with the newest JupyterLab and the extension in development mode, runs the whole
# suite in .ci/test.sh.)
#
# usage: .ci/matrix.sh [part ...]            default: oldest git collaborative
# env:   MLOPS_WHEEL            a built wheel to install (default: built here, from python-server/)
#        MLOPS_MATRIX_DIR       where the virtualenvs go (default: .matrix/; each is created afresh)
#        MLOPS_MATRIX_GREP      run only the tests matching this, in every part (e.g. @smoke)
#        MLOPS_LAB_PORT, MLOPS_APPROVER_PORT   the Galata servers' ports (default 8888, 8889)
#        DEVSTACK_PORT          the devstack's port (default: its own); STATE its state directory (.devstack/)
#        PYTHON                 the interpreter of the virtualenvs (default python3.11)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/.venv/bin:$PATH" # the devstack and the wheel build run from the main environment
export STATE=${STATE:-$root/.devstack}
dir=${MLOPS_MATRIX_DIR:-$root/.matrix}
python=${PYTHON:-python3.11}
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(oldest git collaborative)

trap 'bash .ci/devstack.sh stop >/dev/null 2>&1 || true' EXIT

# The JupyterLab range the package declares (python-server/pyproject.toml) and its lower bound.
read -r lab_spec lab_floor < <(python3 - <<'EOF'
import re, tomllib
with open("python-server/pyproject.toml", "rb") as f:
    deps = tomllib.load(f)["project"]["dependencies"]
spec = next(d for d in deps if re.match(r"jupyterlab\s*[<>=~!]", d)).replace(" ", "")
print(spec, re.search(r">=([0-9][0-9.]*)", spec).group(1))
EOF
)
echo "declared: $lab_spec (oldest: $lab_floor)"

mkdir -p "$dir"
if [ -z "${MLOPS_WHEEL:-}" ]; then
  rm -rf "$dir/dist"
  python -m build --wheel --outdir "$dir/dist" python-server >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
  MLOPS_WHEEL=$(ls "$dir"/dist/sagemaker_mlops-*.whl)
fi
echo "wheel: $(basename "$MLOPS_WHEEL")"

# part -> what is installed beside the wheel, the tests, the extras the tests may rely on, `jupyter lab` arguments
spec_of() {
  case $1 in
    oldest) echo "jupyterlab==$lab_floor notebook~=7.5.0 mlflow-skinny>=3" ;; # mlflow: the runs notebook test logs a run from the kernel, as in Studio's image
    git) echo "$lab_spec jupyterlab-git" ;;
    collaborative) echo "$lab_spec jupyter-collaboration" ;;
    *) echo "unknown part: $1 (oldest, git, collaborative)" >&2; return 2 ;;
  esac
}
grep_of() {
  case $1 in
    oldest) echo "" ;; # everything (the tests of absent extras are left out by the Playwright config)
    git) echo "@smoke|@jupyterlab-git" ;;
    collaborative) echo "@smoke|@collaborative" ;;
  esac
}
extras_of() {
  case $1 in
    oldest) echo notebook7 ;;
    git) echo jupyterlab-git ;;
    collaborative) echo collaborative ;;
  esac
}
args_of() { [ "$1" = collaborative ] && echo "--collaborative" || true; }

summary=()
failed=0
for part in "${parts[@]}"; do
  spec=$(spec_of "$part")
  venv="$dir/$part"
  echo "::: matrix $part: fresh virtualenv with the wheel and $spec"
  start=$SECONDS
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q --disable-pip-version-check "$MLOPS_WHEEL" $spec
  lab=$("$venv/bin/jupyter" lab --version)
  echo "JupyterLab $lab; $("$venv/bin/pip" list --disable-pip-version-check 2>/dev/null \
    | grep -iE '^(notebook|jupyterlab[-_]git|jupyter[-_]collaboration|jupyter[-_]server) ' | tr -s ' ' | paste -sd, -)"
  if [ "$part" = oldest ] && [ "$lab" != "$lab_floor" ]; then
    echo "the oldest environment has JupyterLab $lab, not the declared $lab_floor" >&2; exit 1
  fi
  # (The listings are read whole before grep: grep -q stopping early would fail the pipeline under pipefail.)
  server=$("$venv/bin/jupyter" server extension list 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
  labext=$("$venv/bin/jupyter" labextension list 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
  grep -E "^\s+\S+ .*enabled" <<<"$server" || true
  grep -Eq "sagemaker_mlops .*OK" <<<"$server" || { echo "$server" >&2; echo "sagemaker_mlops is not enabled/OK in $venv" >&2; exit 1; }
  grep -Eq "sagemaker-mlops v[0-9.]+ .*enabled.*OK" <<<"$labext" \
    || { echo "$labext" >&2; echo "the sagemaker-mlops labextension is not enabled/OK in $venv" >&2; exit 1; }
  installed=$((SECONDS - start))

  bash .ci/devstack.sh start ${DEVSTACK_PORT:+--port "$DEVSTACK_PORT"}
  grep=${MLOPS_MATRIX_GREP:-$(grep_of "$part")}
  echo "::: matrix $part: galata on JupyterLab $lab${grep:+ (tests matching $grep)}"
  start=$SECONDS
  status=0
  (
    set -a; . "$STATE/env"; set +a
    cd ui-tests
    # The servers, and what the tests run (pip, jupyter), come from this environment.
    export PATH="$venv/bin:$PATH" CI=1
    export MLOPS_LAB_EXTRAS=$(extras_of "$part") MLOPS_LAB_ARGS=$(args_of "$part")
    export PLAYWRIGHT_HTML_OUTPUT_DIR="playwright-report/matrix-$part" PLAYWRIGHT_HTML_REPORT="playwright-report/matrix-$part"
    npx playwright test --output "test-results/matrix-$part" ${grep:+--grep "$grep"}
  ) || status=$?
  tested=$((SECONDS - start))
  bash .ci/devstack.sh stop
  result=passed
  if [ $status != 0 ]; then result=FAILED; failed=1; fi
  line=$(printf '%-14s JupyterLab %-8s install %4ss  galata %4ss  %s' "$part" "$lab" "$installed" "$tested" "$result")
  summary+=("$line")
done

echo "::: matrix summary"
printf '%s\n' "${summary[@]}"
exit $failed

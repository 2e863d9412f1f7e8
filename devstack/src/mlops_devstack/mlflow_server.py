"""A real MLflow tracking server for the devstack, and the project's seeded experiments and runs.

``start_mlflow`` runs ``mlflow server`` as a subprocess on a free loopback port with a sqlite backend store and
proxied artifacts under ``<data_dir>/mlflow`` and waits for ``/health``; ``seed_mlflow`` creates the project's
experiments (tagged ``sagemaker:project-name`` / ``sagemaker:project-id``) and deterministic runs with params,
tags, metric histories and FINISHED / FAILED / KILLED statuses; ``stop_mlflow`` ends the server's process group.
"""

from __future__ import annotations

import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

SEED_START_MS = 1_715_000_000_000  # 2024-05-06T12:53:20Z: seeded runs have fixed times
SCALE_RUNS = 5000
#: the long-histories experiment of --scale: runs, and steps of each metric's history
LONG_RUNS = 10
LONG_STEPS = 10_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_mlflow(state, timeout: float = 120.0) -> str:
    """Start the tracking server (once per state) and return its tracking URI."""
    running = getattr(state, "mlflow_process", None)
    if running is not None and running.poll() is None:
        return state.mlflow_url
    root = Path(state.data_dir) / "mlflow"
    (root / "artifacts").mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",  # no background job workers: one uvicorn worker only
        "PYTHONUNBUFFERED": "1",
    }
    log = open(root / "server.log", "ab")
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{(root / 'mlflow.db').resolve()}",
        "--artifacts-destination", str((root / "artifacts").resolve()),
        "--serve-artifacts",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
    ]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    log.close()
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            tail = (root / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"mlflow server exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            _terminate(proc)
            raise RuntimeError(f"mlflow server did not become healthy within {timeout:.0f}s (log: {root / 'server.log'})")
        time.sleep(0.25)
    state.mlflow_process = proc
    state.mlflow_url = url
    state.mlflow_db_uri = f"sqlite:///{(root / 'mlflow.db').resolve()}"
    return url


def _terminate(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and its uvicorn worker share this session
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def stop_mlflow(state) -> None:
    proc = getattr(state, "mlflow_process", None)
    if proc is not None:
        _terminate(proc)
        state.mlflow_process = None


# ---------------------------------------------------------------------------------------------------------------
# seeding


def _run_plan(project: dict, index: int, rng: random.Random, steps: int) -> dict:
    """The content of one deterministic training run: params, metric histories, tags and status."""
    max_depth = rng.choice([3, 4, 5, 6, 8])
    eta = rng.choice([0.05, 0.1, 0.2, 0.3])
    num_round = rng.choice([100, 200, 300])
    subsample = rng.choice([0.7, 0.8, 0.9, 1.0])
    ceiling = 0.70 + 0.2 * rng.random()
    start = SEED_START_MS + index * 3_600_000
    status = "FINISHED"
    if index % 7 == 3:
        status = "FAILED"
    elif index % 11 == 5:
        status = "KILLED"
    done_steps = steps if status == "FINISHED" else max(2, steps // 2)
    metrics = []
    for step in range(done_steps):
        progress = 1 - math.exp(-eta * 10 * (step + 1) / steps)
        ts = start + (step + 1) * 30_000
        train_auc = min(0.999, 0.5 + (ceiling + 0.05 - 0.5) * progress)
        val_auc = 0.5 + (ceiling - 0.5) * progress - 0.01 * rng.random()
        metrics += [
            ("train:auc", round(train_auc, 5), ts, step),
            ("validation:auc", round(val_auc, 5), ts, step),
            ("validation:logloss", round(0.69 * (1 - progress) + 0.25 + 0.02 * rng.random(), 5), ts, step),
        ]
    if status == "FINISHED":
        final = metrics[-2][1]
        metrics += [("test:auc", round(final - 0.01, 5), start + steps * 30_000 + 1000, 0),
                    ("test:accuracy", round(0.6 + (final - 0.5) * 0.9, 5), start + steps * 30_000 + 1000, 0)]
    tags = {
        "sagemaker:project-name": project["name"],
        "sagemaker:project-id": project["id"],
        "mlflow.user": "data-scientist",
        "mlflow.source.type": "NOTEBOOK",
        "mlflow.source.name": "notebooks/train.ipynb",
        "model_type": "xgboost",
        "dataset": f"s3://{project['bucket']}/datasets/{project['name']}/raw/data.csv",
    }
    if status == "FAILED":
        tags["failure_reason"] = "AlgorithmError: training diverged (validation:logloss is NaN)"
    return {
        "name": f"xgboost-d{max_depth}-eta{eta}-{index:04d}",
        "params": {"max_depth": str(max_depth), "eta": str(eta), "num_round": str(num_round),
                   "subsample": str(subsample), "objective": "binary:logistic", "instance_type": "ml.m5.2xlarge"},
        "metrics": metrics,
        "tags": tags,
        "status": status,
        "start": start,
        "end": start + done_steps * 30_000 + 5000,
    }


def _finished_indices(count: int) -> list[int]:
    """The first ``count`` run indices whose plan finishes (a full history): _run_plan fails or kills the others."""
    return [i for i in range(count * 2) if i % 7 != 3 and i % 11 != 5][:count]


def _log_run(client, experiment_id: str, plan: dict) -> str:
    from mlflow.entities import Metric, Param, RunTag

    run = client.create_run(experiment_id, start_time=plan["start"], run_name=plan["name"],
                            tags={"sagemaker:project-name": plan["tags"]["sagemaker:project-name"]})
    run_id = run.info.run_id
    metrics = [Metric(k, v, ts, step) for k, v, ts, step in plan["metrics"]]
    params = [Param(k, v) for k, v in plan["params"].items()]
    tags = [RunTag(k, v) for k, v in plan["tags"].items()]
    # log_batch takes at most 1000 metrics / 100 params / 100 tags per call
    for i in range(0, max(len(metrics), 1), 1000):
        client.log_batch(run_id, metrics=metrics[i : i + 1000], params=params if i == 0 else [], tags=tags if i == 0 else [])
    client.set_terminated(run_id, status=plan["status"], end_time=plan["end"])
    return run_id


def seed_mlflow(state, url: str, project: dict, runs: Optional[int] = None) -> dict:
    """Create the project's experiments and runs (idempotent: an existing experiment is left as it is).

    Returns ``{experiment name: experiment id}``. ``runs`` defaults to 12, or 5,000 with ``state.scale``.
    """
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=url)
    count = runs if runs is not None else (SCALE_RUNS if getattr(state, "scale", False) else 12)
    experiments = {
        project["name"]: (count, 10),
        f"{project['name']}-hyperparameter-tuning": (6, 25),
    }
    if getattr(state, "scale", False):
        # the compare benchmark's: 10 finished runs with 10,000-step histories of 3 metrics each
        experiments[f"{project['name']}-long-histories"] = (LONG_RUNS, LONG_STEPS)
    created = {}
    for exp_name, (n_runs, steps) in experiments.items():
        existing = client.get_experiment_by_name(exp_name)
        if existing is not None:
            created[exp_name] = existing.experiment_id
            continue
        exp_id = client.create_experiment(
            exp_name,
            tags={
                "sagemaker:project-name": project["name"],
                "sagemaker:project-id": project["id"],
                "mlflow.note.content": f"Training runs of the SageMaker project {project['name']}",
            },
        )
        created[exp_name] = exp_id
        rng = random.Random(f"{project['name']}:{exp_name}")
        if n_runs == LONG_RUNS and steps == LONG_STEPS:
            plans = [_run_plan(project, i, rng, steps) for i in _finished_indices(n_runs)]
        else:
            plans = [_run_plan(project, i, rng, steps if n_runs <= 100 else 5) for i in range(n_runs)]
        db_uri = getattr(state, "mlflow_db_uri", None) if getattr(state, "mlflow_url", None) == url else None
        bulky = len(plans) > 50 or sum(len(p["metrics"]) for p in plans) > 20_000
        if bulky and db_uri:
            _bulk_insert(db_uri, exp_id, client.get_experiment(exp_id).artifact_location, exp_name, plans)
        elif bulky:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda plan: _log_run(client, exp_id, plan), plans))
        else:
            for plan in plans:
                _log_run(client, exp_id, plan)
    return created


def _bulk_insert(db_uri: str, exp_id: str, artifact_location: str, exp_name: str, plans: list[dict]) -> None:
    """Thousands of runs in one transaction, through MLflow's own table models (the schema the server migrated).

    The tracking API costs ~50 ms a run over HTTP (minutes for 5,000); the rows are the ones it would write.
    """
    import uuid

    from sqlalchemy import create_engine, insert

    from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag

    runs, params, tags, metrics, latest = [], [], [], [], []
    for i, plan in enumerate(plans):
        run_id = uuid.uuid5(uuid.NAMESPACE_URL, f"mlflow-seed:{exp_name}:{i}").hex
        runs.append({
            "run_uuid": run_id, "name": plan["name"], "source_type": "NOTEBOOK",
            "source_name": plan["tags"]["mlflow.source.name"], "entry_point_name": "", "user_id": plan["tags"]["mlflow.user"],
            "status": plan["status"], "start_time": plan["start"], "end_time": plan["end"], "deleted_time": None,
            "source_version": "", "lifecycle_stage": "active",
            "artifact_uri": f"{artifact_location.rstrip('/')}/{run_id}/artifacts", "experiment_id": int(exp_id),
        })
        params += [{"key": k, "value": v, "run_uuid": run_id} for k, v in plan["params"].items()]
        tags += [{"key": k, "value": v, "run_uuid": run_id} for k, v in {**plan["tags"], "mlflow.runName": plan["name"]}.items()]
        newest: dict = {}
        for key, value, ts, step in plan["metrics"]:
            row = {"key": key, "value": value, "timestamp": ts, "step": step, "is_nan": False, "run_uuid": run_id}
            metrics.append(row)
            if key not in newest or (step, ts, value) >= (newest[key]["step"], newest[key]["timestamp"], newest[key]["value"]):
                newest[key] = row
        latest += list(newest.values())
    engine = create_engine(db_uri)
    try:
        with engine.begin() as conn:
            for model, rows in ((SqlRun, runs), (SqlParam, params), (SqlTag, tags), (SqlMetric, metrics), (SqlLatestMetric, latest)):
                if rows:
                    conn.execute(insert(model.__table__), rows)
    finally:
        engine.dispose()

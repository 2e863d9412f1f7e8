"""A pipeline definition, evaluated as the service does: step order, expressions, conditions, and the plan of
when each step of an execution starts and ends. Pure functions; no state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

STEP_SECONDS = 4.0
#: the value a Condition step reads for any metric (``Std:JsonGet`` of a property file)
SIMULATED_METRIC = 0.87
JOB_STEPS = {"Processing": "ProcessingJob", "Training": "TrainingJob", "Transform": "TransformJob", "Tuning": "TuningJob"}


@dataclass
class Step:
    name: str
    type: str
    display_name: Optional[str] = None
    duration: float = STEP_SECONDS
    start: Optional[float] = None
    end: Optional[float] = None
    outcome: str = "Succeeded"
    failure: Optional[str] = None
    attempts: int = 1
    cache_hit: bool = False
    job_name: Optional[str] = None
    logged: int = 0  # 0 nothing, 1 start lines, 2 all lines
    arguments: dict = field(default_factory=dict)
    condition_outcome: Optional[bool] = None
    registered_arn: Optional[str] = None


def _refs(value: Any) -> set[str]:
    """Names of the steps a value refers to (``{"Get": "Steps.<name>...."}``)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Get" and isinstance(v, str) and v.startswith("Steps."):
                names.add(v.split(".")[1].split("[")[0])
            else:
                names |= _refs(v)
    elif isinstance(value, list):
        for v in value:
            names |= _refs(v)
    return names


def topological_steps(definition: dict) -> list[tuple[dict, list[str], Optional[tuple[str, bool]]]]:
    """All steps of a definition (conditions' branches included) in dependency order, each with the steps it
    depends on and the condition branch it belongs to: ``(condition step name, True for IfSteps)`` or None."""
    found: dict[str, tuple[dict, set[str], Optional[tuple[str, bool]]]] = {}

    def visit(steps: list[dict], branch: Optional[tuple[str, bool]]) -> None:
        for step in steps:
            if not isinstance(step, dict) or "Name" not in step:
                continue
            deps = set(step.get("DependsOn") or []) | _refs(step.get("Arguments")) | _refs(step.get("PropertyFiles"))
            if branch:
                deps.add(branch[0])
            found[step["Name"]] = (step, deps, branch)
            if step.get("Type") == "Condition":
                args = step.get("Arguments") or {}
                visit(args.get("IfSteps") or [], (step["Name"], True))
                visit(args.get("ElseSteps") or [], (step["Name"], False))

    visit(definition.get("Steps") or [], None)
    ordered: list[tuple[dict, list[str], Optional[tuple[str, bool]]]] = []
    done: set[str] = set()
    pending = dict(found)
    while pending:
        ready = [n for n, (_, deps, _b) in pending.items() if not ((deps & set(found)) - done - {n})]
        if not ready:  # a cycle: the real service refuses such a definition; run the rest in document order
            ready = [next(iter(pending))]
        for name in ready:
            step, deps, branch = pending.pop(name)
            ordered.append((step, sorted(deps & set(found)), branch))
            done.add(name)
    return ordered


def resolve(value: Any, parameters: dict[str, str], execution_id: str = "", pipeline_name: str = "", jobs: Optional[dict[str, str]] = None) -> Any:
    """A definition value with its ``Get`` / ``Std:Join`` / ``Std:JsonGet`` expressions evaluated."""
    if isinstance(value, dict):
        if "Get" in value and isinstance(value["Get"], str):
            path = value["Get"]
            if path.startswith("Parameters."):
                return parameters.get(path[len("Parameters."):])
            if path == "Execution.PipelineExecutionId":
                return execution_id
            if path == "Execution.PipelineName":
                return pipeline_name
            if path.startswith("Steps."):
                step = path.split(".")[1].split("[")[0]
                job = (jobs or {}).get(step) or step.lower()
                return f"s3://sagemaker-devstack/{pipeline_name}/{execution_id}/{job}/output"
            return None
        if "Std:JsonGet" in value:
            return SIMULATED_METRIC
        if "Std:Join" in value:
            spec = value["Std:Join"]
            return str(spec.get("On", "")).join(str(resolve(v, parameters, execution_id, pipeline_name, jobs)) for v in spec.get("Values") or [])
        return {k: resolve(v, parameters, execution_id, pipeline_name, jobs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, parameters, execution_id, pipeline_name, jobs) for v in value]
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value).lower() if isinstance(value, str) and value.lower() in ("true", "false") else value


def evaluate_condition(condition: dict, parameters: dict[str, str]) -> bool:
    """One condition of a Condition step, as the service evaluates it (unknown shapes count as true)."""
    kind = condition.get("Type")
    if kind == "Not":
        return not evaluate_condition(condition.get("Expression") or {}, parameters)
    if kind == "Or":
        return any(evaluate_condition(c, parameters) for c in condition.get("Conditions") or [])
    if kind == "In":
        left = _number(resolve(condition.get("QueryValue"), parameters))
        return left in [_number(resolve(v, parameters)) for v in condition.get("Values") or []]
    left = _number(resolve(condition.get("LeftValue"), parameters))
    right = _number(resolve(condition.get("RightValue"), parameters))
    try:
        return {
            "Equals": lambda: left == right,
            "GreaterThan": lambda: left > right,
            "GreaterThanOrEqualTo": lambda: left >= right,
            "LessThan": lambda: left < right,
            "LessThanOrEqualTo": lambda: left <= right,
        }.get(kind or "", lambda: True)()
    except TypeError:
        return True


def plan_steps(
    execution_id: str,
    definition: dict,
    start: float,
    durations: Optional[dict[str, float]] = None,
    fail: Optional[tuple[str, str]] = None,
    parameters: Optional[dict[str, str]] = None,
    default_seconds: float = STEP_SECONDS,
) -> list[Step]:
    """The steps an execution runs and when: one after another from ``start``; the branch a condition does
    not take, and everything after a failed step, never starts."""
    parameters = parameters or {}
    steps: list[Step] = []
    t = start + 1.0
    failed = False
    skipped: set[str] = set()
    outcomes: dict[str, bool] = {}
    for raw, deps, branch in topological_steps(definition):
        name = raw["Name"]
        kind = raw.get("Type", "Processing")
        if branch and (branch[0] in skipped or outcomes.get(branch[0], True) != branch[1]):
            skipped.add(name)
            continue
        if any(d in skipped for d in deps):
            skipped.add(name)
            continue
        duration = (durations or {}).get(name, default_seconds if kind in JOB_STEPS else min(1.0, default_seconds))
        step = Step(name=name, type=kind, display_name=raw.get("DisplayName"), duration=duration, arguments=raw.get("Arguments") or {})
        if kind in JOB_STEPS:
            step.job_name = f"pipelines-{execution_id}-{name}".lower()[:63].rstrip("-")
        if kind == "Condition":
            conditions = step.arguments.get("Conditions") or []
            step.condition_outcome = all(evaluate_condition(c, parameters) for c in conditions)
            outcomes[name] = step.condition_outcome
        if not failed:
            step.start = t
            step.end = t + duration
            t = step.end + 0.5
            if fail and fail[0] == name:
                step.outcome, step.failure = "Failed", fail[1]
                failed = True
            elif kind == "Fail":
                message = resolve(step.arguments.get("ErrorMessage"), parameters)
                step.outcome, step.failure = "Failed", str(message or "Execution failed by a Fail step")
                failed = True
        steps.append(step)
    return steps


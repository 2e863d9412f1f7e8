"""Search, served here because moto's ignores every filter after a tag filter, supports only ``Equals`` on tags,
and neither sorts nor paginates. This one evaluates Filters, NestedFilters and SubExpressions with all ten
operators, sorts, and pages with NextToken over moto's objects plus projects and executions."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

from ..contract import AwsError, Request
from .common import page_of as _page

if TYPE_CHECKING:
    from .pipelines import Execution


class SearchMixin:
    OPERATIONS = frozenset({"Search"})

    SEARCH_RESULT_NAMES = {"ExperimentTrial": "Trial", "ExperimentTrialComponent": "TrialComponent"}

    def _search_source(self, resource: str) -> Iterable[dict]:
        backend = self._backend()
        moto_sources = {
            "Pipeline": "pipelines",
            "ModelPackageGroup": "model_package_groups",
            "ModelPackage": "model_packages",
            "Experiment": "experiments",
            "ExperimentTrial": "trials",
            "ExperimentTrialComponent": "trial_components",
            "TrainingJob": "training_jobs",
            "Endpoint": "endpoints",
            "FeatureGroup": "feature_groups",
            "Model": "_models",
        }
        if resource == "Project":
            return [dict(p) for p in self.projects.values()]
        if resource == "PipelineExecution":
            now = time.time()
            return [self._search_execution(e, now) for e in self.executions.values()]
        if resource not in moto_sources and resource not in SEARCH_RESOURCES:
            raise AwsError(
                "ValidationException",
                f"1 validation error detected: Value '{resource}' at 'resource' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(SEARCH_RESOURCES)}]",
            )
        name = self.SEARCH_RESULT_NAMES.get(resource, resource)
        objects = getattr(backend, moto_sources.get(resource, ""), {}) or {}
        trials = (getattr(backend, "trials", {}) or {}) if resource == "ExperimentTrialComponent" else None
        return [_moto_record(name, obj, trials) for obj in list(objects.values())]

    def _search_execution(self, execution: "Execution", now: float) -> dict:
        status, reason, _end = self.status(execution, now)
        record = {
            "PipelineArn": execution.pipeline_arn,
            "PipelineExecutionArn": execution.arn,
            "PipelineExecutionDisplayName": execution.display_name,
            "PipelineExecutionStatus": status,
            "PipelineExecutionDescription": execution.description,
            "CreationTime": execution.start,
            "LastModifiedTime": max(execution.last_modified, execution.start),
            "CreatedBy": execution.created_by,
            "PipelineParameters": execution.parameters,
        }
        if reason:
            record["FailureReason"] = reason
        return record

    def _op_Search(self, body: dict, request: Request) -> dict:
        resource = body.get("Resource") or ""
        name = self.SEARCH_RESULT_NAMES.get(resource, resource)
        records = [r for r in self._search_source(resource) if _matches_expression(r, body.get("SearchExpression") or {})]
        sort_by = body.get("SortBy")
        descending = body.get("SortOrder", "Descending") == "Descending"
        if sort_by:
            key = lambda r: _sort_key(_resolve_property(r, sort_by))  # noqa: E731
        else:
            key = lambda r: _sort_key(r.get("CreationTime") or r.get("LastModifiedTime"))  # noqa: E731
        records.sort(key=key, reverse=descending)
        max_results = body.get("MaxResults") or 10
        if not 1 <= int(max_results) <= 100:
            raise AwsError("ValidationException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100")
        page, token = _page(records, body.get("NextToken"), int(max_results), opaque=True)
        shape = _search_record_shape().members.get(name)
        page = [r.full() if isinstance(r, _LazyRecord) else r for r in page]
        results = [{name: _to_shape(r, shape) if shape is not None else r} for r in page]
        return {"Results": results, **({"NextToken": token} if token else {})}


SEARCH_RESOURCES = [
    "TrainingJob", "Experiment", "ExperimentTrial", "ExperimentTrialComponent", "Endpoint", "Model", "ModelPackage",
    "ModelPackageGroup", "Pipeline", "PipelineExecution", "FeatureGroup", "FeatureMetadata", "Image", "ImageVersion",
    "Project", "HyperParameterTuningJob", "ModelCard",
]
_SHAPES: dict[str, Any] = {}


def _search_record_shape():
    if "SearchRecord" not in _SHAPES:
        import botocore.session

        _SHAPES["SearchRecord"] = botocore.session.get_session().get_service_model("sagemaker").shape_for("SearchRecord")
    return _SHAPES["SearchRecord"]


class _LazyRecord(dict):
    """A moto object seen as a Search record, built only as far as a filter or the sort needs it: filtering
    20,000 model packages must not turn each of them into a full record."""

    def __init__(self, name: str, obj: Any, trials: Any = None) -> None:
        super().__init__()
        self._name, self._obj, self._trials, self._full = name, obj, trials, None

    def full(self) -> dict:
        if self._full is None:
            self._full = _full_record(self._name, self._obj, self._trials)
        return self._full

    def _attribute(self, key: str) -> Any:
        if key == "Tags":
            return getattr(self._obj, "tags", None)
        if key == f"{self._name}Arn":
            return getattr(self._obj, "arn", None)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
        raw = vars(self._obj).get(snake)
        if isinstance(raw, (str, int, float, datetime)):  # scalars read straight; structures as the API shapes them
            return raw
        return self.full().get(key)

    def __getitem__(self, key: str) -> Any:
        value = self._attribute(key)
        if value is None and key not in self.full():
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._attribute(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = self._attribute(key)
        return default if value is None else value


def _moto_record(name: str, obj: Any, trials: Any = None) -> dict:
    return _LazyRecord(name, obj, trials)


def _full_record(name: str, obj: Any, trials: Any = None) -> dict:
    """A moto object as the PascalCase record Search returns (``Arn`` becomes ``<Name>Arn``); a trial
    component's ``Parents`` name its trial and that trial's experiment, as AWS's do (``trials``: moto's)."""
    try:
        record = dict(obj.response_object) if name == "TrialComponent" else dict(obj.gen_response_object())
    except Exception:
        record = dict(obj.gen_response_object())
    for arn_key in ("Arn", f"{name}Arn"):
        if arn_key in record:
            record[f"{name}Arn"] = record[arn_key]
    if name == "TrialComponent" and getattr(obj, "trial_name", None):
        parent = {"TrialName": obj.trial_name}
        experiment = getattr((trials or {}).get(obj.trial_name), "experiment_name", None)
        if experiment:
            parent["ExperimentName"] = experiment
        record.setdefault("Parents", [parent])
    if name == "Pipeline" and getattr(obj, "last_execution_time", None):
        record["LastRunTime"] = obj.last_execution_time  # as DescribePipeline and AWS's Search give it
    if name == "Trial" and getattr(obj, "experiment_name", None):
        record.setdefault("ExperimentName", obj.experiment_name)
    return record


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()
    return value


def _to_shape(value: Any, shape: Any) -> Any:
    """Keep only what the API's output shape has (as the service would return it), timestamps as epochs."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return None
        out = {}
        for member, member_shape in shape.members.items():
            if member in value and value[member] is not None:
                converted = _to_shape(value[member], member_shape)
                if converted is not None and converted != {} or (member_shape.type_name == "map" and converted == {}):
                    out[member] = converted
        return out
    if kind == "list":
        return [x for x in (_to_shape(v, shape.member) for v in value) if x is not None] if isinstance(value, (list, tuple)) else None
    if kind == "map":
        return {k: _to_shape(v, shape.value) for k, v in value.items()} if isinstance(value, dict) else None
    if kind == "timestamp":
        converted = _epoch(value)
        return converted if isinstance(converted, (int, float)) else None
    if kind in ("integer", "long"):
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind in ("double", "float"):
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "string":
        return value if isinstance(value, str) else None
    return value


def _resolve_property(record: dict, name: str) -> list[Any]:
    """The values a Search property name (``PipelineName``, ``Tags.sagemaker:project-name``,
    ``Metrics.accuracy.Max``, ``Parameters.eta``, ``Parents.TrialName`` ...) has in a record."""
    if name.startswith("Tags."):
        key = name[len("Tags."):]
        tags = record.get("Tags") or []
        if isinstance(tags, dict):
            return [tags[key]] if key in tags else []
        return [t.get("Value") for t in tags if isinstance(t, dict) and t.get("Key") == key]
    current: list[Any] = [record]
    for part in name.split("."):
        following: list[Any] = []
        for value in current:
            if isinstance(value, dict):
                if part in value:
                    following.append(value[part])
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        if part in item:
                            following.append(item[part])
                        elif any(item.get(k) == part for k in ("MetricName", "Name", "Key", "TrialName")):
                            following.append(item)
        current = following
    out: list[Any] = []
    for value in current:
        if isinstance(value, dict) and ("NumberValue" in value or "StringValue" in value):
            value = value.get("NumberValue", value.get("StringValue"))
        out.extend(value if isinstance(value, list) else [value])
    return out


def _comparable(actual: Any, expected: str) -> tuple[Any, Any]:
    actual = _epoch(actual) if isinstance(actual, datetime) else actual
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            return float(actual), float(expected)
        except ValueError:
            parsed = _epoch(expected)
            return float(actual), parsed if isinstance(parsed, (int, float)) else expected
    return str(actual), expected


def _matches_filter(record: dict, spec: dict) -> bool:
    name, operator, expected = spec.get("Name", ""), spec.get("Operator", "Equals"), spec.get("Value")
    values = [v for v in _resolve_property(record, name) if v is not None]
    if operator == "Exists":
        return bool(values)
    if operator == "NotExists":
        return not values
    if expected is None:
        raise AwsError("ValidationException", f"A Value is required for the {operator} operator of filter {name}.")
    for actual in values:
        a, e = _comparable(actual, str(expected))
        try:
            if operator == "Equals" and a == e:
                return True
            if operator == "NotEquals" and a != e:
                return True
            if operator == "Contains" and str(expected) in str(actual):
                return True
            if operator == "In" and str(actual) in [x.strip() for x in str(expected).split(",")]:
                return True
            if operator == "GreaterThan" and a > e:
                return True
            if operator == "GreaterThanOrEqualTo" and a >= e:
                return True
            if operator == "LessThan" and a < e:
                return True
            if operator == "LessThanOrEqualTo" and a <= e:
                return True
        except TypeError:
            continue
    if operator == "NotEquals" and not values:
        return True
    return False


def _matches_expression(record: dict, expression: dict) -> bool:
    results: list[bool] = [_matches_filter(record, f) for f in expression.get("Filters") or []]
    for nested in expression.get("NestedFilters") or []:
        items = _resolve_property(record, nested.get("NestedPropertyName", ""))
        results.append(any(all(_matches_filter(item, f) for f in nested.get("Filters") or []) for item in items if isinstance(item, dict)))
    for sub in expression.get("SubExpressions") or []:
        results.append(_matches_expression(record, sub))
    if not results:
        return True
    return any(results) if expression.get("Operator") == "Or" else all(results)


def _sort_key(value: Any) -> tuple:
    if isinstance(value, list):
        value = value[0] if value else None
    value = _epoch(value) if isinstance(value, datetime) else value
    if value is None:
        return (0, 0, "")
    if isinstance(value, (int, float)):
        return (1, float(value), "")
    return (2, 0, str(value))

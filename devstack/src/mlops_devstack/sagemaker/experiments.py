"""SageMaker Experiments are moto's; this keeps the Tags moto ignores on CreateExperiment, CreateTrial and
CreateTrialComponent (AWS keeps them, and Search filters on them)."""

from __future__ import annotations

_CREATES = {
    "CreateExperiment": ("experiments", "ExperimentName"),
    "CreateTrial": ("trials", "TrialName"),
    "CreateTrialComponent": ("trial_components", "TrialComponentName"),
}


class ExperimentsMixin:
    OPERATIONS = frozenset()
    AFTER_MOTO = ("_keep_experiment_tags",)

    def _keep_experiment_tags(self, operation: str, body: dict, payload: object = None, request: object = None) -> None:
        if operation not in _CREATES or not body.get("Tags"):
            return
        store, key = _CREATES[operation]
        resource = getattr(self._backend(), store, {}).get(body.get(key, ""))
        if resource is not None and not resource.tags:
            resource.tags = list(body["Tags"])

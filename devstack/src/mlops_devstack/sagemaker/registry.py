"""The model registry beside moto's model package groups and packages: ListTags of a model package ARN (moto's
fails on them), and the platform's EventBridge rule (a model package state change starts the project's deploy
pipeline)."""

from __future__ import annotations

import time
from typing import Optional

from .common import page_of as _page


class RegistryMixin:
    OPERATIONS = frozenset()
    TAG_SOURCES = {":model-package/": "_model_package_tags"}
    AFTER_MOTO = ("_on_model_package_state_change",)

    def _model_package_tags(self, arn: str, body: dict) -> Optional[dict]:
        package = self._backend().model_packages.get(arn)
        if package is None:
            return None
        page, token = _page(list(package.tags or []), body.get("NextToken"), body.get("MaxResults") or 50)
        return {"Tags": page, **({"NextToken": token} if token else {})}

    def _on_model_package_state_change(self, operation: str, body: dict) -> None:
        if operation != "UpdateModelPackage" or getattr(self.state, "seeding", False):
            return
        if "ModelApprovalStatus" not in body:
            return
        arn = body.get("ModelPackageArn", "")
        group = arn.split(":model-package/")[-1].split("/")[0]
        with self.lock:
            for project in self.state.projects:
                if group == f"{project['name']}-{project['id']}":
                    deploy = project.get("deploy_pipeline")
                    if deploy and deploy in self._backend().pipelines:
                        self.start_execution(
                            deploy,
                            [],
                            display_name=f"model-package-state-change-{int(time.time())}",
                            description=f"Started by the model package state change of {arn} to {body['ModelApprovalStatus']}",
                            created_by={"IamIdentity": {"Arn": "arn:aws:iam::%s:role/EventBridgeInvokeDeploy" % self.state.account_id}},
                        )

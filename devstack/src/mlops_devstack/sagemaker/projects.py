"""SageMaker projects (moto has none): CreateProject, ListProjects, DescribeProject, and ListTags of a project ARN."""

from __future__ import annotations

import re
import time
from typing import Any, Optional

from ..contract import AwsError, Request
from .common import page_of as _page
from .common import stable_id as _id


class ProjectsMixin:
    OPERATIONS = frozenset({"CreateProject", "ListProjects", "DescribeProject"})
    #: ARN marker -> the method that returns the tags of such a resource (None: not ours)
    TAG_SOURCES = {":project/": "_project_tags"}

    def _setup(self) -> None:
        self.projects: dict[str, dict[str, Any]] = {}

    def create_project(self, name: str, description: str, tags: list[dict[str, str]], created: Optional[float] = None, provisioning: Optional[dict] = None) -> dict:
        project_id = "p-" + _id(f"project:{name}")
        arn = f"arn:aws:sagemaker:{self.state.region}:{self.state.account_id}:project/{name}"
        record = {
            "ProjectName": name,
            "ProjectId": project_id,
            "ProjectArn": arn,
            "ProjectDescription": description,
            "ProjectStatus": "CreateCompleted",
            "CreationTime": created or time.time(),
            "ServiceCatalogProvisioningDetails": provisioning or {"ProductId": "prod-" + _id(f"product:{name}", 13), "ProvisioningArtifactId": "pa-" + _id(f"pa:{name}", 13)},
            "ServiceCatalogProvisionedProductDetails": {"ProvisionedProductId": "pp-" + _id(f"pp:{name}", 13), "ProvisionedProductStatusMessage": "AVAILABLE"},
            "Tags": tags,
        }
        self.projects[name] = record
        return record

    def _op_CreateProject(self, body: dict, request: Request) -> dict:
        name = body.get("ProjectName") or ""
        if not name:
            raise AwsError("ValidationException", "ProjectName is required.")
        if name in self.projects:
            raise AwsError("ValidationException", f"Project {name} already exists.")
        if not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}", name):
            raise AwsError("ValidationException", f"1 validation error detected: Value '{name}' at 'projectName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,31}}")
        record = self.create_project(name, body.get("ProjectDescription", ""), body.get("Tags") or [], provisioning=body.get("ServiceCatalogProvisioningDetails"))
        return {"ProjectArn": record["ProjectArn"], "ProjectId": record["ProjectId"]}

    def _op_ListProjects(self, body: dict, request: Request) -> dict:
        items = list(self.projects.values())
        if body.get("NameContains"):
            items = [p for p in items if body["NameContains"] in p["ProjectName"]]
        reverse = body.get("SortOrder", "Descending") == "Descending"
        key = "ProjectName" if body.get("SortBy") == "Name" else "CreationTime"
        items.sort(key=lambda p: p[key], reverse=reverse)
        page, token = _page(items, body.get("NextToken"), body.get("MaxResults") or 10)
        fields = ("ProjectName", "ProjectDescription", "ProjectArn", "ProjectId", "CreationTime", "ProjectStatus")
        return {"ProjectSummaryList": [{k: p[k] for k in fields} for p in page], **({"NextToken": token} if token else {})}

    def _op_DescribeProject(self, body: dict, request: Request) -> dict:
        record = self.projects.get(body.get("ProjectName", ""))
        if record is None:
            raise AwsError("ValidationException", f"Project {body.get('ProjectName')} does not exist.")
        return {k: v for k, v in record.items() if k != "Tags"} | {"LastModifiedTime": record["CreationTime"]}

    def _project_tags(self, arn: str, body: dict) -> Optional[dict]:
        for record in self.projects.values():
            if record["ProjectArn"] == arn:
                return {"Tags": record["Tags"]}
        return None

"""The model registry: moto keeps the model package groups and packages (CreateModelPackageGroup,
CreateModelPackage ...); this module serves what clients read and change as AWS does:

* ``UpdateModelPackage``: changes only what the request names (moto wipes the approval status, description and
  metadata a request leaves out), merges ``CustomerMetadataProperties``, sets ``ModelLifeCycle``, stamps
  ``LastModifiedTime`` (strictly later at every update, so a client can detect a concurrent change by re-reading)
  and ``LastModifiedBy`` (the caller). A change of ``ModelApprovalStatus`` is the platform's "SageMaker Model
  Package State Change" event: its EventBridge rule starts the project's deploy CodePipeline.
* ``DescribeModelPackage`` (with ``ModelLifeCycle``), ``ListModelPackages`` (keyset pagination: a version
  registered between two pages neither repeats nor hides a row; quick over 20,000 versions),
  ``ListModelPackageGroups`` (``CrossAccountFilterOption``), ``DescribeModelPackageGroup`` and
  ``GetModelPackageGroupPolicy``, for this account's groups and for groups a hub account shares with it (their
  ARNs name the hub account; the hub's resource policy decides what this account may do with them).
* ListTags of model package (group) ARNs (moto's fails on versions and knows nothing of the hub).
"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone
from typing import Any, Optional

from ..contract import AwsError, Request
from .common import moto_time, user_context

APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")
_SHAPES: dict[str, Any] = {}


def _shape(name: str) -> Any:
    if name not in _SHAPES:
        import botocore.session

        model = botocore.session.get_session().get_service_model("sagemaker")
        _SHAPES[name] = model.operation_model(name).output_shape if name[0].isupper() and name in model.operation_names else model.shape_for(name)
    return _SHAPES[name]


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()
    return float(value or 0)


def _account_of(arn: str) -> Optional[str]:
    parts = arn.split(":")
    return parts[4] if arn.startswith("arn:") and len(parts) > 5 else None


class RegistryMixin:
    OPERATIONS = frozenset({
        "UpdateModelPackage", "DescribeModelPackage", "ListModelPackages",
        "ListModelPackageGroups", "DescribeModelPackageGroup", "GetModelPackageGroupPolicy",
    })
    TAG_SOURCES = {":model-package/": "_model_package_tags", ":model-package-group/": "_model_package_group_tags"}
    AFTER_MOTO = ("_on_model_package_created",)

    def _setup(self) -> None:
        #: model package group ARN -> its resource policy (a dict), for groups a hub account shares
        self.group_policies: dict[str, dict] = {}

    # ---- lookups (this account, or a hub account that shares a group with it)

    def _backend_of(self, account: Optional[str]):
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[account or self.state.account_id][self.state.region]

    def _shared_accounts(self) -> list[str]:
        return sorted({_account_of(arn) or "" for arn in self.group_policies} - {self.state.account_id, ""})

    def _find_group(self, name_or_arn: str):
        account = _account_of(name_or_arn)
        name = name_or_arn.split(":model-package-group/")[-1] if account else name_or_arn
        backend = self._backend_of(account)
        group = backend.model_package_groups.get(name) if name else None
        if group is None:
            arn = name_or_arn if account else f"arn:aws:sagemaker:{self.state.region}:{self.state.account_id}:model-package-group/{name_or_arn}"
            raise AwsError("ValidationException", f"ModelPackageGroup {arn} does not exist.")
        return group

    def _find_package(self, arn: str):
        account = _account_of(arn)
        backend = self._backend_of(account)
        package = backend.model_packages.get(backend.model_package_name_mapping.get(arn, arn)) if arn else None
        if package is None:
            raise AwsError("ValidationException", f"Model package {arn} not found")
        return package

    def _check_shared(self, request: Request, group_arn: str, action: str) -> None:
        """A group of another account: its resource policy must allow this account the action."""
        account = _account_of(group_arn)
        if account in (None, self.state.account_id):
            return
        import fnmatch

        policy = self.group_policies.get(group_arn) or {}
        for statement in policy.get("Statement", []):
            principals = (statement.get("Principal") or {}).get("AWS", [])
            principals = [principals] if isinstance(principals, str) else principals
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if statement.get("Effect") == "Allow" and any(p in (self.state.account_id, f"arn:aws:iam::{self.state.account_id}:root") for p in principals) \
                    and any(fnmatch.fnmatchcase(f"sagemaker:{action}".lower(), a.lower()) for a in actions):
                return
        raise AwsError(
            "AccessDeniedException",
            f"User: {request.principal_arn} is not authorized to perform: sagemaker:{action} on resource: {group_arn} "
            f"because no resource-based policy allows the sagemaker:{action} action",
        )

    def _group_arn_of(self, package) -> str:
        account = _account_of(package.arn) or self.state.account_id
        return f"arn:aws:sagemaker:{self.state.region}:{account}:model-package-group/{package.model_package_group_name}"

    # ---- model packages

    def _package_record(self, package) -> dict:
        record = package.gen_response_object()
        for key in ("ModelLifeCycle", "SourceUri", "ModelCard", "SecurityConfig"):
            value = getattr(package, {"ModelLifeCycle": "model_life_cycle", "SourceUri": "source_uri", "ModelCard": "model_card", "SecurityConfig": "security_config"}[key], None)
            if value:
                record[key] = value
        if package.model_package_type == "Versioned":
            record["ModelPackageGroupName"] = package.model_package_group_name
            record.pop("ModelPackageName", None)
        return record

    def _op_DescribeModelPackage(self, body: dict, request: Request) -> dict:
        from .search import _to_shape

        package = self._find_package(body.get("ModelPackageName", ""))
        self._check_shared(request, self._group_arn_of(package), "DescribeModelPackage")
        return _to_shape(self._package_record(package), _shape("DescribeModelPackage"))

    def _op_UpdateModelPackage(self, body: dict, request: Request) -> dict:
        arn = body.get("ModelPackageArn", "")
        package = self._find_package(arn)
        self._check_shared(request, self._group_arn_of(package), "UpdateModelPackage")
        status = body.get("ModelApprovalStatus")
        if status is not None and status not in APPROVAL_STATUSES:
            raise AwsError("ValidationException", f"1 validation error detected: Value '{status}' at 'modelApprovalStatus' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(APPROVAL_STATUSES)}]")
        description = body.get("ApprovalDescription")
        if description is not None and (not isinstance(description, str) or len(description) > 1024):
            raise AwsError("ValidationException", "1 validation error detected: Value at 'approvalDescription' failed to satisfy constraint: Member must have length less than or equal to 1024")
        metadata = body.get("CustomerMetadataProperties")
        if metadata is not None and (not isinstance(metadata, dict) or any(not isinstance(v, str) or len(k) > 128 or len(v) > 256 for k, v in metadata.items())):
            raise AwsError("ValidationException", "1 validation error detected: Value at 'customerMetadataProperties' failed to satisfy constraint: keys of at most 128 and values of at most 256 characters")
        life_cycle = body.get("ModelLifeCycle")
        if life_cycle is not None and (not isinstance(life_cycle, dict) or not life_cycle.get("Stage") or not life_cycle.get("StageStatus")):
            raise AwsError("ValidationException", "ModelLifeCycle needs a Stage and a StageStatus.")
        if package.model_package_type != "Versioned" and status is not None:
            raise AwsError("ValidationException", "ModelApprovalStatus can only be set on a versioned model package.")
        previous = package.model_approval_status
        if status is not None:
            package.model_approval_status = status
        if description is not None:
            package.approval_description = description
        if metadata:
            package.customer_metadata_properties = {**(package.customer_metadata_properties or {}), **metadata}
        for key in body.get("CustomerMetadataPropertiesToRemove") or []:
            (package.customer_metadata_properties or {}).pop(key, None)
        if body.get("AdditionalInferenceSpecificationsToAdd"):
            package.additional_inference_specifications = list(package.additional_inference_specifications or []) + list(body["AdditionalInferenceSpecificationsToAdd"])
        if body.get("InferenceSpecification"):
            package.inference_specification = body["InferenceSpecification"]
        if body.get("SourceUri"):
            package.source_uri = body["SourceUri"]
        if body.get("ModelCard"):
            package.model_card = body["ModelCard"]
        if life_cycle is not None:
            package.model_life_cycle = dict(life_cycle)
        # Strictly later than the last change, so that re-reading it tells a concurrent change apart.
        now = time.time()
        if package.last_modified_time is not None:
            now = max(now, _epoch(package.last_modified_time) + 0.001)
        package.last_modified_time = moto_time(now)
        package.last_modified_by = user_context(request.principal_arn or "")
        if status is not None and status != previous and not getattr(self.state, "seeding", False):
            codepipeline = getattr(self.state, "codepipeline", None)
            if codepipeline is not None and _account_of(package.arn) == self.state.account_id:
                codepipeline.start_for_approval_change(package.arn, status)
        return {"ModelPackageArn": package.arn}

    def _op_ListModelPackages(self, body: dict, request: Request) -> dict:
        from .search import _to_shape

        size = body.get("MaxResults", 10)
        if not isinstance(size, int) or not 1 <= size <= 100:
            raise AwsError("ValidationException", f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100")
        group_name = body.get("ModelPackageGroupName")
        backend = self._backend_for_group(request, group_name, "ListModelPackages")
        kind = body.get("ModelPackageType") or ("Versioned" if group_name else "Unversioned")
        if kind not in ("Versioned", "Unversioned", "Both"):
            raise AwsError("ValidationException", f"Value '{kind}' at 'modelPackageType' failed to satisfy constraint: Member must satisfy enum value set: [Versioned, Unversioned, Both]")
        group = group_name.split(":model-package-group/")[-1] if group_name else None
        after = body.get("CreationTimeAfter")
        before = body.get("CreationTimeBefore")
        approval, contains = body.get("ModelApprovalStatus"), body.get("NameContains")
        by_name = body.get("SortBy") == "Name"
        descending = body.get("SortOrder") == "Descending"
        keys, packages = self._sorted_packages(backend, group, kind, by_name)
        token = body.get("NextToken")
        last: Optional[tuple] = None
        if token:
            try:
                last = tuple(json.loads(base64.urlsafe_b64decode(token.encode())))
            except (ValueError, TypeError):
                raise AwsError("ValidationException", "Invalid pagination token.") from None
        import bisect

        if descending:
            end = bisect.bisect_left(keys, last) if last else len(keys)
            order = range(end - 1, -1, -1)
        else:
            begin = bisect.bisect_right(keys, last) if last else 0
            order = range(begin, len(keys))
        page: list[int] = []
        more = False
        for i in order:
            package = packages[i]
            if approval and package.model_approval_status != approval:
                continue
            if contains and contains not in package.model_package_name:
                continue
            if after is not None and keys[i][3] <= float(after):
                continue
            if before is not None and keys[i][3] >= float(before):
                continue
            if len(page) == size:
                more = True
                break
            page.append(i)
        out: dict[str, Any] = {"ModelPackageSummaryList": [_to_shape(self._package_record(packages[i]), _shape("ModelPackageSummary")) for i in page]}
        if more:
            out["NextToken"] = base64.urlsafe_b64encode(json.dumps(list(keys[page[-1]])).encode()).decode()
        return out

    def _sorted_packages(self, backend, group: Optional[str], kind: str, by_name: bool) -> tuple[list[tuple], list]:
        """The packages of a group (or all), ascending by (sort field, version, ARN, creation epoch); cached until a
        package is added or removed, so paging through 20,000 versions sorts them once."""
        cache = self.__dict__.setdefault("_package_order", {})
        stamp = (len(backend.model_packages), next(reversed(backend.model_packages), None))
        cache_key = (id(backend), group, kind, by_name)
        cached = cache.get(cache_key)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        rows = []
        for package in backend.model_packages.values():
            if group is not None and package.model_package_group_name != group:
                continue
            versioned = package.model_package_version is not None
            if (kind == "Versioned" and not versioned) or (kind == "Unversioned" and versioned):
                continue
            created = _epoch(package.creation_time)
            first = package.model_package_name if by_name else created
            rows.append(((first, package.model_package_version or 0, package.arn, created), package))
        rows.sort(key=lambda row: row[0])
        keys, packages = [row[0] for row in rows], [row[1] for row in rows]
        cache[cache_key] = (stamp, keys, packages)
        return keys, packages

    def _backend_for_group(self, request: Request, group_name: Optional[str], action: str):
        if group_name and _account_of(group_name) not in (None, self.state.account_id):
            group = self._find_group(group_name)
            self._check_shared(request, group.arn, action)
            return self._backend_of(_account_of(group_name))
        return self._backend_of(None)

    # ---- model package groups

    def _op_ListModelPackageGroups(self, body: dict, request: Request) -> dict:
        size = body.get("MaxResults", 10)
        if not isinstance(size, int) or not 1 <= size <= 100:
            raise AwsError("ValidationException", f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100")
        option = body.get("CrossAccountFilterOption") or "SameAccount"
        if option not in ("SameAccount", "CrossAccount"):
            raise AwsError("ValidationException", f"1 validation error detected: Value '{option}' at 'crossAccountFilterOption' failed to satisfy constraint: Member must satisfy enum value set: [SameAccount, CrossAccount]")
        if option == "SameAccount":
            groups = list(self._backend_of(None).model_package_groups.values())
        else:
            groups = [g for account in self._shared_accounts() for g in self._backend_of(account).model_package_groups.values() if g.arn in self.group_policies]
        if body.get("NameContains"):
            groups = [g for g in groups if body["NameContains"] in g.model_package_group_name]
        if body.get("CreationTimeAfter") is not None:
            groups = [g for g in groups if _epoch(g.creation_time) > float(body["CreationTimeAfter"])]
        if body.get("CreationTimeBefore") is not None:
            groups = [g for g in groups if _epoch(g.creation_time) < float(body["CreationTimeBefore"])]
        by_name = body.get("SortBy") == "Name"
        groups.sort(key=lambda g: (g.model_package_group_name if by_name else _epoch(g.creation_time), g.arn), reverse=body.get("SortOrder") == "Descending")
        from .common import page_of

        page, token = page_of(groups, body.get("NextToken"), size)
        rows = [
            {
                "ModelPackageGroupName": g.model_package_group_name,
                "ModelPackageGroupArn": g.arn,
                **({"ModelPackageGroupDescription": g.model_package_group_description} if g.model_package_group_description else {}),
                "CreationTime": _epoch(g.creation_time),
                "ModelPackageGroupStatus": g.model_package_group_status or "Completed",
            }
            for g in page
        ]
        return {"ModelPackageGroupSummaryList": rows, **({"NextToken": token} if token else {})}

    def _op_DescribeModelPackageGroup(self, body: dict, request: Request) -> dict:
        from .search import _to_shape

        group = self._find_group(body.get("ModelPackageGroupName", ""))
        self._check_shared(request, group.arn, "DescribeModelPackageGroup")
        record = {
            "ModelPackageGroupName": group.model_package_group_name,
            "ModelPackageGroupArn": group.arn,
            "ModelPackageGroupDescription": group.model_package_group_description,
            "CreationTime": group.creation_time,
            "CreatedBy": group.created_by,
            "ModelPackageGroupStatus": group.model_package_group_status or "Completed",
        }
        return _to_shape(record, _shape("DescribeModelPackageGroup"))

    def _op_GetModelPackageGroupPolicy(self, body: dict, request: Request) -> dict:
        group = self._find_group(body.get("ModelPackageGroupName", ""))
        policy = self.group_policies.get(group.arn)
        if policy is None:
            raise AwsError("ValidationException", f"Cannot find resource policy for {group.arn}")
        return {"ResourcePolicy": json.dumps(policy)}

    # ---- tags

    def _model_package_tags(self, arn: str, body: dict) -> Optional[dict]:
        from .common import page_of

        try:
            package = self._find_package(arn)
        except AwsError:
            return None
        page, token = page_of(list(package.tags or []), body.get("NextToken"), body.get("MaxResults") or 50)
        return {"Tags": page, **({"NextToken": token} if token else {})}

    def _model_package_group_tags(self, arn: str, body: dict) -> Optional[dict]:
        from .common import page_of

        try:
            group = self._find_group(arn)
        except AwsError:
            return None
        page, token = page_of(list(group.tags or []), body.get("NextToken"), body.get("MaxResults") or 50)
        return {"Tags": page, **({"NextToken": token} if token else {})}

    # ---- after moto's CreateModelPackage: what moto drops

    def _on_model_package_created(self, operation: str, body: dict, payload: Any, request: Request) -> None:
        if operation == "CreateModelPackageGroup" and isinstance(payload, dict):
            group = self._backend_of(None).model_package_groups.get(body.get("ModelPackageGroupName", ""))
            if group is not None:
                group.created_by = user_context(request.principal_arn or "")
            return
        if operation != "CreateModelPackage" or not isinstance(payload, dict):
            return
        package = self._backend_of(None).model_packages.get(payload.get("ModelPackageArn", ""))
        if package is None:
            return
        package.created_by = user_context(request.principal_arn or "")
        package.last_modified_time = None
        package.last_modified_by = None
        for key, attribute in (("ModelLifeCycle", "model_life_cycle"), ("SourceUri", "source_uri"), ("ModelCard", "model_card"), ("SecurityConfig", "security_config")):
            if body.get(key):
                setattr(package, attribute, body[key])

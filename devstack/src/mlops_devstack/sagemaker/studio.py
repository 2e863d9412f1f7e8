"""Studio user profiles and spaces (moto has domains, but neither of these): Create/Describe/List of each, and
ListTags of their ARNs, which is how a JupyterLab app finds its project (a space tagged
``sagemaker:project-name`` / ``sagemaker:project-id``)."""

from __future__ import annotations

import time
from typing import Any, Optional

from ..contract import AwsError, Request
from .common import page_of as _page
from .common import stable_id as _id


class StudioMixin:
    OPERATIONS = frozenset({
        "CreateUserProfile", "DescribeUserProfile", "ListUserProfiles",
        "CreateSpace", "DescribeSpace", "ListSpaces",
    })
    TAG_SOURCES = {":space/": "_space_tags", ":user-profile/": "_user_profile_tags"}

    def _setup(self) -> None:
        #: (domain id, name) -> record, for user profiles and spaces
        self.user_profiles: dict[tuple[str, str], dict[str, Any]] = {}
        self.spaces: dict[tuple[str, str], dict[str, Any]] = {}

    def _domain(self, domain_id: str):
        domain = self._backend().domains.get(domain_id or "")
        if domain is None:
            raise AwsError("ResourceNotFound", f"Domain {domain_id} not found.")
        return domain

    def _studio_arn(self, kind: str, domain_id: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.state.region}:{self.state.account_id}:{kind}/{domain_id}/{name.lower()}"

    # ---- user profiles

    def _op_CreateUserProfile(self, body: dict, request: Request) -> dict:
        domain_id, name = body.get("DomainId", ""), body.get("UserProfileName", "")
        self._domain(domain_id)
        if not name:
            raise AwsError("ValidationException", "UserProfileName is required.")
        if (domain_id, name) in self.user_profiles:
            raise AwsError("ResourceInUse", f"User profile {name} already exists in domain {domain_id}.")
        now = time.time()
        record = {
            "DomainId": domain_id,
            "UserProfileArn": self._studio_arn("user-profile", domain_id, name),
            "UserProfileName": name,
            "HomeEfsFileSystemUid": str(200000 + int(_id(f"uid:{domain_id}:{name}", 4), 16) % 100000),
            "Status": "InService",
            "CreationTime": now,
            "LastModifiedTime": now,
            "UserSettings": body.get("UserSettings") or {},
            "Tags": list(body.get("Tags") or []),
        }
        self.user_profiles[(domain_id, name)] = record
        return {"UserProfileArn": record["UserProfileArn"]}

    def _op_DescribeUserProfile(self, body: dict, request: Request) -> dict:
        record = self.user_profiles.get((body.get("DomainId", ""), body.get("UserProfileName", "")))
        if record is None:
            raise AwsError("ResourceNotFound", f"User profile {body.get('UserProfileName')} does not exist in domain {body.get('DomainId')}.")
        return {k: v for k, v in record.items() if k != "Tags"}

    def _op_ListUserProfiles(self, body: dict, request: Request) -> dict:
        items = [r for r in self.user_profiles.values() if body.get("DomainIdEquals") in (None, r["DomainId"])]
        if body.get("UserProfileNameContains"):
            items = [r for r in items if body["UserProfileNameContains"] in r["UserProfileName"]]
        key = "UserProfileName" if body.get("SortBy") == "UserProfileName" else "CreationTime"
        items.sort(key=lambda r: r[key], reverse=body.get("SortOrder", "Descending") == "Descending")
        page, token = _page(items, body.get("NextToken"), body.get("MaxResults") or 10)
        fields = ("DomainId", "UserProfileName", "Status", "CreationTime", "LastModifiedTime")
        return {"UserProfiles": [{k: r[k] for k in fields} for r in page], **({"NextToken": token} if token else {})}

    def _user_profile_tags(self, arn: str, body: dict) -> Optional[dict]:
        return self._studio_tags(self.user_profiles, "UserProfileArn", arn, body)

    # ---- spaces

    def _op_CreateSpace(self, body: dict, request: Request) -> dict:
        domain_id, name = body.get("DomainId", ""), body.get("SpaceName", "")
        self._domain(domain_id)
        if not name:
            raise AwsError("ValidationException", "SpaceName is required.")
        if (domain_id, name) in self.spaces:
            raise AwsError("ResourceInUse", f"Space {name} already exists in domain {domain_id}.")
        owner = (body.get("OwnershipSettings") or {}).get("OwnerUserProfileName")
        if owner and (domain_id, owner) not in self.user_profiles:
            raise AwsError("ResourceNotFound", f"User profile {owner} does not exist in domain {domain_id}.")
        now = time.time()
        settings = body.get("SpaceSettings") or {}
        record = {
            "DomainId": domain_id,
            "SpaceArn": self._studio_arn("space", domain_id, name),
            "SpaceName": name,
            "HomeEfsFileSystemUid": str(200000 + int(_id(f"uid:{domain_id}:{name}", 4), 16) % 100000),
            "Status": "InService",
            "CreationTime": now,
            "LastModifiedTime": now,
            "SpaceSettings": settings,
            "OwnershipSettings": body.get("OwnershipSettings") or {},
            "SpaceSharingSettings": body.get("SpaceSharingSettings") or {"SharingType": "Private"},
            "SpaceDisplayName": body.get("SpaceDisplayName") or name,
            "Url": f"https://{domain_id}.studio.{self.state.region}.sagemaker.aws/jupyterlab/default",
            "Tags": list(body.get("Tags") or []),
        }
        self.spaces[(domain_id, name)] = record
        return {"SpaceArn": record["SpaceArn"]}

    def _op_DescribeSpace(self, body: dict, request: Request) -> dict:
        record = self.spaces.get((body.get("DomainId", ""), body.get("SpaceName", "")))
        if record is None:
            raise AwsError("ResourceNotFound", f"Space {body.get('SpaceName')} does not exist in domain {body.get('DomainId')}.")
        return {k: v for k, v in record.items() if k != "Tags"}

    def _op_ListSpaces(self, body: dict, request: Request) -> dict:
        items = [r for r in self.spaces.values() if body.get("DomainIdEquals") in (None, r["DomainId"])]
        if body.get("SpaceNameContains"):
            items = [r for r in items if body["SpaceNameContains"] in r["SpaceName"]]
        key = "LastModifiedTime" if body.get("SortBy") == "LastModifiedTime" else "CreationTime"
        items.sort(key=lambda r: r[key], reverse=body.get("SortOrder", "Descending") == "Descending")
        page, token = _page(items, body.get("NextToken"), body.get("MaxResults") or 10)
        summaries = []
        for r in page:
            summary = {k: r[k] for k in ("DomainId", "SpaceName", "Status", "CreationTime", "LastModifiedTime", "SpaceDisplayName")}
            if r["SpaceSettings"].get("AppType"):
                summary["SpaceSettingsSummary"] = {"AppType": r["SpaceSettings"]["AppType"]}
            summary["SpaceSharingSettingsSummary"] = r["SpaceSharingSettings"]
            if r["OwnershipSettings"]:
                summary["OwnershipSettingsSummary"] = r["OwnershipSettings"]
            summaries.append(summary)
        return {"Spaces": summaries, **({"NextToken": token} if token else {})}

    def _space_tags(self, arn: str, body: dict) -> Optional[dict]:
        return self._studio_tags(self.spaces, "SpaceArn", arn, body)

    @staticmethod
    def _studio_tags(records: dict, arn_key: str, arn: str, body: dict) -> Optional[dict]:
        for record in records.values():
            if record[arn_key] == arn:
                page, token = _page(list(record["Tags"]), body.get("NextToken"), body.get("MaxResults") or 50)
                return {"Tags": page, **({"NextToken": token} if token else {})}
        return None

import { MLOpsError } from '../core/errors';
import type {
  IModelPackageGroup,
  IModelVersion,
  ModelApprovalStatus
} from '../core/registry/types';
import { ITreeRow } from '../shared/ResourceTree';
import type { IVersionDetail, VersionList } from './model';

/** One line of the registry tree. */
export type Row = ITreeRow &
  (
    | { kind: 'group'; group: IModelPackageGroup }
    | { kind: 'filter'; groupArn: string; status?: ModelApprovalStatus }
    | { kind: 'version'; version: IModelVersion; group: IModelPackageGroup }
    | {
        kind: 'version-info';
        detail: IVersionDetail;
        group: IModelPackageGroup;
      }
    | { kind: 'more'; groupArn: string; loading: boolean }
    | {
        kind: 'message';
        text: 'loading' | 'empty-versions' | 'error';
        error?: MLOpsError;
        retry?: () => void;
      }
  );

/** What `buildRows` reads of the model. */
export interface IRegistryTreeSource {
  groups: readonly IModelPackageGroup[];
  versions(groupArn: string): VersionList | undefined;
  detail(versionArn: string): IVersionDetail | undefined;
  toggleDetail(versionArn: string): Promise<void>;
}

/** Flatten the registry into rows, in display order. */
export function buildRows(model: IRegistryTreeSource): Row[] {
  const rows: Row[] = [];
  for (const group of model.groups) {
    const list = model.versions(group.arn);
    rows.push({
      kind: 'group',
      key: `g:${group.arn}`,
      level: 1,
      group,
      expanded: !!list,
      className: 'jp-MLOps-group-row',
      title: group.description
        ? `${group.name}\n${group.description}`
        : group.name,
      data: {
        groupArn: group.arn,
        groupName: group.name,
        shared: String(group.shared)
      }
    });
    if (list) {
      rows.push(...versionRows(model, group, list));
    }
  }
  return rows;
}

function versionRows(
  model: IRegistryTreeSource,
  group: IModelPackageGroup,
  list: VersionList
): Row[] {
  const rows: Row[] = [
    {
      kind: 'filter',
      key: `f:${group.arn}`,
      level: 2,
      role: 'none',
      groupArn: group.arn,
      status: list.filter,
      className: 'jp-MLOps-filter-row'
    }
  ];
  for (const version of list.items) {
    const detail = model.detail(version.arn);
    rows.push({
      kind: 'version',
      key: `v:${version.arn}`,
      level: 2,
      version,
      group,
      expanded: !!detail,
      className: 'jp-MLOps-version-row',
      title: version.arn,
      data: {
        versionArn: version.arn,
        groupArn: group.arn,
        groupName: group.name,
        version: String(version.version ?? ''),
        approvalStatus: version.approvalStatus,
        shared: String(group.shared)
      }
    });
    if (detail) {
      rows.push({
        kind: 'version-info',
        key: `i:${version.arn}`,
        level: 3,
        role: 'none',
        detail,
        group,
        className: 'jp-MLOps-version-info'
      });
    }
  }
  if (list.error) {
    rows.push({
      kind: 'message',
      key: `xe:${group.arn}`,
      level: 2,
      role: 'none',
      text: 'error',
      error: list.error,
      retry: () => void list.reload()
    });
  } else if (list.nextToken) {
    rows.push({
      kind: 'more',
      key: `m:${group.arn}`,
      level: 2,
      role: 'none',
      groupArn: group.arn,
      loading: list.loading
    });
  } else if (list.items.length === 0) {
    rows.push({
      kind: 'message',
      key: `x0:${group.arn}`,
      level: 2,
      role: 'none',
      text: list.loaded ? 'empty-versions' : 'loading'
    });
  }
  return rows;
}

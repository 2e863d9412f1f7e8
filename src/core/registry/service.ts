/**
 * The model registry capability over the SageMaker API: the project's model
 * package groups (found by tags) and those shared from a hub account, their
 * versions (paged on the wire, newest first), a version's details, and the
 * approval decision, refused when the version changed since it was opened.
 */
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  UpdateModelPackageCommand,
  paginateListModelPackageGroups
} from '@aws-sdk/client-sagemaker';

import { IAwsClients, call, collect, mapLimit } from '../aws';
import { MLOpsError } from '../errors';
import { searchProjectResources, tagsOf } from '../project/projects';
import { projectFromTags } from '../project/tags';
import { IPage, IProject } from '../types';
import {
  changedSince,
  changedSinceOpened,
  groupOfSummary,
  mergeGroups,
  snapshotOf,
  validateComment,
  versionOfDescription,
  versionOfSummary
} from './rules';
import type {
  IApprovalDecision,
  IModelPackageGroup,
  IModelVersion,
  IModelVersionDetail,
  ModelApprovalStatus
} from './types';

/** The name ListModelPackages takes for a group: its ARN when it is another account's. */
export function groupParameter(
  group: Pick<IModelPackageGroup, 'name' | 'arn' | 'shared'> | string
): string {
  if (typeof group === 'string') {
    return group;
  }
  return group.shared && group.arn ? group.arn : group.name;
}

export class RegistryService {
  constructor(clients: IAwsClients) {
    this._clients = clients;
  }

  /**
   * The project's model package groups, found by their project tags with `Search`, then the groups other
   * accounts share with this one (`ListModelPackageGroups` `CrossAccount`), marked `shared` with their owner.
   * When Search on groups is not available: groups whose name contains the project's, confirmed by tags.
   */
  async listGroups(project: IProject): Promise<IModelPackageGroup[]> {
    const [own, shared] = await Promise.all([
      this._projectGroups(project),
      this.listSharedGroups()
    ]);
    return mergeGroups(own, shared);
  }

  /** Groups of other accounts shared with this one. */
  async listSharedGroups(): Promise<IModelPackageGroup[]> {
    const summaries = await collect(
      'ListModelPackageGroups',
      paginateListModelPackageGroups(
        { client: this._clients.sagemaker, pageSize: 100 },
        { CrossAccountFilterOption: 'CrossAccount' }
      ),
      page => page.ModelPackageGroupSummaryList
    );
    return summaries.map(s => groupOfSummary(s, true));
  }

  private async _projectGroups(
    project: IProject
  ): Promise<IModelPackageGroup[]> {
    try {
      const results = await searchProjectResources(
        this._clients,
        project,
        'ModelPackageGroup'
      );
      const groups: IModelPackageGroup[] = [];
      for (const { ModelPackageGroup: g } of results) {
        if (g?.ModelPackageGroupArn) {
          groups.push(
            groupOfSummary(
              g,
              false,
              Object.fromEntries(
                (g.Tags ?? []).map(t => [t.Key ?? '', t.Value ?? ''])
              )
            )
          );
        }
      }
      return groups;
    } catch (error) {
      if ((error as MLOpsError).kind !== 'validation') {
        throw error;
      }
    }
    return this._byName(project);
  }

  /** The fallback discovery: groups whose name contains the project's, kept when their tags name the project. */
  private async _byName(project: IProject): Promise<IModelPackageGroup[]> {
    const summaries = await collect(
      'ListModelPackageGroups',
      paginateListModelPackageGroups(
        { client: this._clients.sagemaker, pageSize: 100 },
        { NameContains: project.name }
      ),
      page => page.ModelPackageGroupSummaryList
    );
    const kept: IModelPackageGroup[] = [];
    await mapLimit(summaries, 4, async s => {
      if (!s.ModelPackageGroupArn) {
        return;
      }
      const tags = await tagsOf(this._clients, s.ModelPackageGroupArn);
      const owner = projectFromTags(tags);
      if (
        (project.id && owner.id === project.id) ||
        (!owner.id && owner.name === project.name)
      ) {
        kept.push(groupOfSummary(s, false, tags));
      }
    });
    return kept;
  }

  /**
   * One page of a group's versions, newest first: one `ListModelPackages` request (pass back `nextToken`).
   * A shared group is named by its ARN.
   */
  async listVersions(
    group: Pick<IModelPackageGroup, 'name' | 'arn' | 'shared'> | string,
    options: {
      nextToken?: string;
      pageSize?: number;
      status?: ModelApprovalStatus;
    } = {}
  ): Promise<IPage<IModelVersion>> {
    const pageSize = Math.max(1, Math.min(options.pageSize ?? 20, 100));
    const out = await call('ListModelPackages', () =>
      this._clients.sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: groupParameter(group),
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: pageSize,
          NextToken: options.nextToken,
          ModelApprovalStatus: options.status
        })
      )
    );
    return {
      items: (out.ModelPackageSummaryList ?? []).map(versionOfSummary),
      nextToken: out.NextToken || undefined
    };
  }

  /** A version's details (DescribeModelPackage), normalised. */
  async describeVersion(arn: string): Promise<IModelVersionDetail> {
    const out = await call('DescribeModelPackage', () =>
      this._clients.sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: arn })
      )
    );
    return versionOfDescription(out);
  }

  /**
   * Approve or reject a version with a comment. The comment is checked first (`InvalidComment`); the version
   * is read again and compared with what the user saw (`expected`): changed since (status, comment or last
   * modification), the decision is refused with `ChangedSinceOpened` and nothing is written. Otherwise one
   * `UpdateModelPackage` sets the status and the comment.
   */
  async setApproval(arn: string, decision: IApprovalDecision): Promise<void> {
    validateComment(decision.comment);
    const current = await this.describeVersion(arn);
    const now = snapshotOf(current);
    if (changedSince(decision.expected, now)) {
      throw changedSinceOpened(arn, now, current.lastModifiedBy);
    }
    await call('UpdateModelPackage', () =>
      this._clients.sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: arn,
          ModelApprovalStatus: decision.status,
          ApprovalDescription: decision.comment
        })
      )
    );
  }

  private _clients: IAwsClients;
}

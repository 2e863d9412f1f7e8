import {
  DescribeProjectCommand,
  ListProjectsCommand,
  ListTagsCommand
} from '@aws-sdk/client-sagemaker';

import { IAwsClients } from './clients';
import { toMLOpsError } from './errors';
import { IPage, IProject } from './types';

/** The SageMaker projects of the account, newest first. */
export async function listProjects(
  clients: IAwsClients,
  nextToken?: string
): Promise<IPage<IProject>> {
  try {
    const out = await clients.sagemaker.send(
      new ListProjectsCommand({
        NextToken: nextToken,
        MaxResults: 100,
        SortBy: 'CreationTime',
        SortOrder: 'Descending'
      })
    );
    return {
      items: (out.ProjectSummaryList ?? []).map(p => ({
        name: p.ProjectName ?? '',
        id: p.ProjectId ?? '',
        arn: p.ProjectArn,
        status: p.ProjectStatus,
        description: p.ProjectDescription,
        createdAt: p.CreationTime
      })),
      nextToken: out.NextToken
    };
  } catch (error) {
    throw toMLOpsError(error, 'ListProjects');
  }
}

export async function describeProject(
  clients: IAwsClients,
  name: string
): Promise<IProject> {
  try {
    const p = await clients.sagemaker.send(
      new DescribeProjectCommand({ ProjectName: name })
    );
    return {
      name: p.ProjectName ?? name,
      id: p.ProjectId ?? '',
      arn: p.ProjectArn,
      status: p.ProjectStatus,
      description: p.ProjectDescription,
      createdAt: p.CreationTime
    };
  } catch (error) {
    throw toMLOpsError(error, 'DescribeProject');
  }
}

/** The project a resource belongs to, from the platform's tags (SageMaker's or CloudFormation's). */
export function projectFromTags(tags: Record<string, string>): {
  name?: string;
  id?: string;
} {
  return {
    name: tags['sagemaker:project-name'] ?? tags['SageMakerProjectName'],
    id: tags['sagemaker:project-id'] ?? tags['SageMakerProjectId']
  };
}

/** Tags of an ARN as a record. */
export async function tagsOf(
  clients: IAwsClients,
  resourceArn: string
): Promise<Record<string, string>> {
  try {
    const tags: Record<string, string> = {};
    let token: string | undefined;
    do {
      const out = await clients.sagemaker.send(
        new ListTagsCommand({ ResourceArn: resourceArn, NextToken: token })
      );
      for (const t of out.Tags ?? []) {
        if (t.Key) {
          tags[t.Key] = t.Value ?? '';
        }
      }
      token = out.NextToken;
    } while (token);
    return tags;
  } catch (error) {
    throw toMLOpsError(error, 'ListTags');
  }
}

/** The project of a Studio space or user profile, from its tags. */
export async function projectOfResource(
  clients: IAwsClients,
  resourceArn: string
): Promise<{ name?: string; id?: string }> {
  return projectFromTags(await tagsOf(clients, resourceArn));
}

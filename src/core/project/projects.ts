/** SageMaker projects: listing, describing, and finding the project of a resource from its tags. */
import {
  DescribeProjectCommand,
  ListProjectsCommand,
  ResourceType,
  SearchRecord,
  paginateListTags,
  paginateSearch
} from '@aws-sdk/client-sagemaker';

import { IAwsClients, call, collect } from '../aws';
import { IPage, IProject } from '../types';
import { projectFromTags } from './tags';

export { projectFromTags } from './tags';

/** One page of the account's SageMaker projects, newest first. */
export async function listProjects(
  clients: IAwsClients,
  options: { nextToken?: string; nameContains?: string; pageSize?: number } = {}
): Promise<IPage<IProject>> {
  const out = await call('ListProjects', () =>
    clients.sagemaker.send(
      new ListProjectsCommand({
        NextToken: options.nextToken,
        NameContains: options.nameContains || undefined,
        MaxResults: options.pageSize ?? 100,
        SortBy: 'CreationTime',
        SortOrder: 'Descending'
      })
    )
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
}

export async function describeProject(
  clients: IAwsClients,
  name: string
): Promise<IProject> {
  const p = await call('DescribeProject', () =>
    clients.sagemaker.send(new DescribeProjectCommand({ ProjectName: name }))
  );
  return {
    name: p.ProjectName ?? name,
    id: p.ProjectId ?? '',
    arn: p.ProjectArn,
    status: p.ProjectStatus,
    description: p.ProjectDescription,
    createdAt: p.CreationTime
  };
}

/** The tags of a SageMaker resource, as a record (every page). */
export async function tagsOf(
  clients: IAwsClients,
  resourceArn: string
): Promise<Record<string, string>> {
  const tags = await collect(
    'ListTags',
    paginateListTags(
      { client: clients.sagemaker, pageSize: 100 },
      { ResourceArn: resourceArn }
    ),
    page => page.Tags
  );
  return Object.fromEntries(
    tags.filter(t => t.Key).map(t => [t.Key as string, t.Value ?? ''])
  );
}

/** The project of a Studio space or user profile, from its tags. */
export async function projectOfResource(
  clients: IAwsClients,
  resourceArn: string
): Promise<{ name?: string; id?: string }> {
  return projectFromTags(await tagsOf(clients, resourceArn));
}

/**
 * Every resource of one type tagged with the project, with one `Search`
 * (`sagemaker:project-name` or `sagemaker:project-id`), all pages.
 */
export async function searchProjectResources(
  clients: IAwsClients,
  project: IProject,
  resource: ResourceType
): Promise<SearchRecord[]> {
  const tags: [string, string][] = [['sagemaker:project-name', project.name]];
  if (project.id) {
    tags.push(['sagemaker:project-id', project.id]);
  }
  return collect(
    'Search',
    paginateSearch(
      { client: clients.sagemaker, pageSize: 100 },
      {
        Resource: resource,
        SearchExpression: {
          SubExpressions: tags.map(([key, value]) => ({
            Filters: [{ Name: `Tags.${key}`, Operator: 'Equals', Value: value }]
          })),
          Operator: 'Or'
        }
      }
    ),
    page => page.Results
  );
}

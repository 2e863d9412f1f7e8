/**
 * The pipelines capability's rules that need no AWS request: which pipelines
 * belong to a project, how they are ordered, how the user pipeline is named,
 * which job is behind a step. No AWS SDK import at run time.
 */
import type { PipelineExecutionStep } from '@aws-sdk/client-sagemaker';

import { projectFromTags } from '../project/tags';
import type { IProject } from '../types';
import type { IPipeline, IStepJob } from './types';

/** The name in a job ARN: `...:training-job/<name>`, `...:function:<name>` (Lambda), `<group>/<version>` (model package). */
export function jobNameOfArn(
  kind: IStepJob['kind'],
  arn: string
): string | undefined {
  if (kind === 'Lambda') {
    const name = arn.split(':function:')[1]?.split(':')[0];
    return name || undefined;
  }
  const resource = arn.split(':').slice(5).join(':');
  const parts = resource.split('/').filter(Boolean);
  if (parts.length < 2) {
    return undefined;
  }
  return kind === 'RegisterModel'
    ? parts.slice(1).join('/')
    : parts[parts.length - 1];
}

/** Job behind a step, from its Metadata. */
export function stepJob(
  metadata: PipelineExecutionStep['Metadata']
): IStepJob | undefined {
  if (!metadata) {
    return undefined;
  }
  const pairs: [IStepJob['kind'], string | undefined][] = [
    ['TrainingJob', metadata.TrainingJob?.Arn],
    ['ProcessingJob', metadata.ProcessingJob?.Arn],
    ['TransformJob', metadata.TransformJob?.Arn],
    ['TuningJob', metadata.TuningJob?.Arn],
    ['Model', metadata.Model?.Arn],
    ['RegisterModel', metadata.RegisterModel?.Arn],
    ['Lambda', metadata.Lambda?.Arn],
    ['Other', metadata.AutoMLJob?.Arn],
    ['Other', metadata.Endpoint?.Arn],
    ['Other', metadata.EndpointConfig?.Arn]
  ];
  for (const [kind, arn] of pairs) {
    if (arn) {
      return { kind, arn, name: jobNameOfArn(kind, arn) };
    }
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a pipeline found by name belongs to the project: its project tags decide when it has some
 * (SageMaker's or CloudFormation's); an untagged one must follow the platform's naming: the build pipeline
 * `<project>-<id>` (and `<project>-<id>-<suffix>`), or a user pipeline `<project>-<user>-user-pipeline`
 * (SageMaker pipeline names allow no underscores, so the platform's `_user_pipeline` uses hyphens).
 */
export function belongsToProject(
  pipelineName: string,
  tags: Record<string, string>,
  project: IProject
): boolean {
  const owner = projectFromTags(tags);
  if (owner.id || owner.name) {
    return (
      (!!owner.id && owner.id === project.id) ||
      (!owner.id && owner.name === project.name)
    );
  }
  const name = escapeRegExp(project.name);
  const patterns = [new RegExp(`^${name}[-_].+[-_]user[-_]pipeline$`, 'i')];
  if (project.id) {
    patterns.push(new RegExp(`^${name}-${escapeRegExp(project.id)}(-.+)?$`));
  }
  return patterns.some(p => p.test(pipelineName));
}

/** The user pipeline's name: `<project>-<user>-user-pipeline`, with the user reduced to what names allow. */
export function userPipelineName(project: string, user: string): string {
  const slug =
    user
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'user';
  return `${project}-${slug}-user-pipeline`.slice(0, 256).replace(/-+$/, '');
}

/** Most recent activity first: last run, else last modification, else creation; then by name. */
export function sortByActivity(pipelines: IPipeline[]): IPipeline[] {
  return pipelines.sort(
    (a, b) => activity(b) - activity(a) || a.name.localeCompare(b.name)
  );
}

/** When a pipeline last did something: its last execution's start, last run, last change, or creation. */
export function activity(p: IPipeline): number {
  return Math.max(
    p.lastExecution?.startedAt?.getTime() ?? 0,
    (p.lastRunAt ?? p.lastModifiedAt ?? p.createdAt)?.getTime() ?? 0
  );
}

/** What a pipeline is to the project, from the platform's naming patterns and its tags. */
export interface IPipelineRole {
  role: 'build' | 'deploy' | 'user' | 'other';
  /** The user of a user pipeline (`<project>-<user>-user-pipeline`). */
  user?: string;
  /**
   * How many characters at the end of the name tell it apart from the
   * project's other pipelines: what follows the project's own prefix. Views
   * keep that tail visible and elide the middle.
   */
  distinctTail: number;
}

/**
 * The role of a project pipeline: the build pipeline is `<project>-<id>`, the
 * deploy pipeline `<project>-<id>-deploy` (or `...-modeldeploy`), a user
 * pipeline `<project>-<user>-user-pipeline`; the tag `PipelineRole`
 * (`build`/`deploy`) wins when present.
 */
export function pipelineRole(
  pipeline: Pick<IPipeline, 'name' | 'tags'>,
  project: Pick<IProject, 'name' | 'id'>
): IPipelineRole {
  const name = pipeline.name;
  const base = project.id ? `${project.name}-${project.id}` : project.name;
  const tagged = (pipeline.tags?.PipelineRole ?? '').toLowerCase();
  const after = name.startsWith(base)
    ? name.slice(base.length)
    : name.startsWith(project.name)
      ? name.slice(project.name.length)
      : name;
  const tail = Math.max(after.length, 4);
  if (tagged === 'build' || tagged === 'deploy') {
    return { role: tagged, distinctTail: tail };
  }
  if (name === base || /^-?model-?build$/i.test(after)) {
    return { role: 'build', distinctTail: tail };
  }
  if (/^-(model)?deploy$/i.test(after)) {
    return { role: 'deploy', distinctTail: tail };
  }
  const user = new RegExp(
    `^${escapeRegExp(project.name)}-(.+)-user-pipeline$`
  ).exec(name);
  if (user) {
    return {
      role: 'user',
      user: user[1],
      distinctTail: user[1].length + '-user-pipeline'.length + 1
    };
  }
  return { role: 'other', distinctTail: tail };
}

/**
 * The project's shared configuration in its CodeCommit repository: find the
 * repository, list branches, read a file at a branch head (with the commit it
 * was read at), commit a new version on top of exactly that commit, and open
 * (or find) the pull request to `main`.
 *
 * A commit names its parent: if the branch moved since the file was read,
 * CodeCommit refuses it (`ParentCommitIdOutdatedException`) and nothing is
 * overwritten; `ConfigConflict` then carries the new head so the host can show
 * base, theirs and yours.
 *
 * Host-agnostic: no JupyterLab imports.
 */
import {
  CreateCommitCommand,
  CreatePullRequestCommand,
  GetBranchCommand,
  GetFileCommand,
  GetPullRequestCommand,
  GetRepositoryCommand,
  ListPullRequestsCommand,
  paginateListBranches
} from '@aws-sdk/client-codecommit';

import { IAwsClients, call, collect } from '../aws';
import { MLOpsError } from '../errors';
import { IProject } from '../types';

export interface IConfigLocation {
  repository: string;
  branch: string;
  path: string;
}

export interface IConfigFile extends IConfigLocation {
  /** The file's text ('' when it does not exist on the branch). */
  text: string;
  exists: boolean;
  /** The branch head the file was read at: the parent of the next commit. */
  commitId: string;
}

export interface ICommitResult {
  commitId: string;
  /** The parent it was committed on (the head the user reviewed against). */
  parentCommitId: string;
}

export interface IPullRequest {
  id: string;
  title: string;
  /** Whether it was open already (nothing new created). */
  existing: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Repository names a SageMaker project's model-build repository goes by on the platform and in SageMaker's templates. */
export function repositoryCandidates(project: IProject): string[] {
  return [
    `${project.name}-project-repo`,
    `sagemaker-${project.name}-${project.id}-modelbuild`,
    `${project.name}-modelbuild`
  ];
}

export class ConfigService {
  constructor(private readonly clients: IAwsClients) {}

  /**
   * The project's repository: `preferred` (a setting) if given, else the
   * first of the conventional names that exists.
   */
  async findRepository(project: IProject, preferred?: string): Promise<string> {
    const candidates = preferred ? [preferred] : repositoryCandidates(project);
    for (const name of candidates) {
      try {
        await call('GetRepository', () =>
          this.clients.codecommit.send(
            new GetRepositoryCommand({ repositoryName: name })
          )
        );
        return name;
      } catch (error) {
        if (!(error instanceof MLOpsError) || error.kind !== 'notFound') {
          throw error;
        }
      }
    }
    throw new MLOpsError({
      code: 'ConfigRepositoryNotFound',
      message: `No CodeCommit repository of the project ${project.name} was found (tried ${candidates.join(', ')}). Set its name in the settings (SageMaker MLOps: shared configuration).`,
      kind: 'notFound',
      params: { project: project.name, tried: candidates.join(', ') }
    });
  }

  async branches(repository: string): Promise<string[]> {
    const names = await collect(
      'ListBranches',
      paginateListBranches(
        { client: this.clients.codecommit },
        { repositoryName: repository }
      ),
      page => page.branches
    );
    return names.sort((a, b) => a.localeCompare(b));
  }

  /** The head commit of a branch. */
  async head(repository: string, branch: string): Promise<string> {
    const out = await call('GetBranch', () =>
      this.clients.codecommit.send(
        new GetBranchCommand({ repositoryName: repository, branchName: branch })
      )
    );
    const commitId = out.branch?.commitId;
    if (!commitId) {
      throw new MLOpsError({
        code: 'BranchDoesNotExistException',
        message: `The branch ${branch} has no commit.`
      });
    }
    return commitId;
  }

  /** A file's text at a commit, or null when the commit does not have it. */
  async textAt(
    repository: string,
    commitId: string,
    path: string
  ): Promise<string | null> {
    try {
      const out = await call('GetFile', () =>
        this.clients.codecommit.send(
          new GetFileCommand({
            repositoryName: repository,
            commitSpecifier: commitId,
            filePath: path
          })
        )
      );
      try {
        return decoder.decode(out.fileContent ?? new Uint8Array());
      } catch {
        throw new MLOpsError({
          code: 'NotUtf8',
          message: `${path} is not UTF-8 text.`,
          kind: 'validation',
          params: { path }
        });
      }
    } catch (error) {
      if (
        error instanceof MLOpsError &&
        error.code === 'FileDoesNotExistException'
      ) {
        return null;
      }
      throw error;
    }
  }

  /** The file at the branch head, with that head's commit id. */
  async read(location: IConfigLocation): Promise<IConfigFile> {
    const commitId = await this.head(location.repository, location.branch);
    const text = await this.textAt(
      location.repository,
      commitId,
      location.path
    );
    return { ...location, text: text ?? '', exists: text !== null, commitId };
  }

  /**
   * Commit `text` as the file, on top of `parentCommitId` (the head it was
   * read or re-based at). A moved branch is a `ConfigConflict` carrying the
   * new head; nothing is written then.
   */
  async commit(options: {
    location: IConfigLocation;
    text: string;
    parentCommitId: string;
    message: string;
  }): Promise<ICommitResult> {
    const { location, text, parentCommitId, message } = options;
    try {
      const out = await call('CreateCommit', () =>
        this.clients.codecommit.send(
          new CreateCommitCommand({
            repositoryName: location.repository,
            branchName: location.branch,
            parentCommitId,
            commitMessage: message,
            putFiles: [
              {
                filePath: location.path,
                fileContent: new TextEncoder().encode(text)
              }
            ]
          })
        )
      );
      return { commitId: out.commitId ?? '', parentCommitId };
    } catch (error) {
      if (
        error instanceof MLOpsError &&
        (error.code === 'ParentCommitIdOutdatedException' ||
          error.code === 'ParentCommitDoesNotExistException')
      ) {
        const head = await this.head(location.repository, location.branch);
        throw new ConfigConflict(location, parentCommitId, head);
      }
      throw error;
    }
  }

  /**
   * The open pull request from `source` to `destination`, or a new one.
   * Reads at most the first page of open pull requests (newest first).
   */
  async pullRequest(options: {
    repository: string;
    source: string;
    destination: string;
    title: string;
    description: string;
  }): Promise<IPullRequest> {
    const { repository, source, destination } = options;
    const open = await call('ListPullRequests', () =>
      this.clients.codecommit.send(
        new ListPullRequestsCommand({
          repositoryName: repository,
          pullRequestStatus: 'OPEN',
          maxResults: 25
        })
      )
    );
    for (const id of open.pullRequestIds ?? []) {
      const pr = await call('GetPullRequest', () =>
        this.clients.codecommit.send(
          new GetPullRequestCommand({ pullRequestId: id })
        )
      );
      const target = pr.pullRequest?.pullRequestTargets?.find(
        t =>
          t.repositoryName === repository &&
          refName(t.sourceReference) === source &&
          refName(t.destinationReference) === destination
      );
      if (target) {
        return { id, title: pr.pullRequest?.title ?? '', existing: true };
      }
    }
    const created = await call('CreatePullRequest', () =>
      this.clients.codecommit.send(
        new CreatePullRequestCommand({
          title: options.title,
          description: options.description,
          targets: [
            {
              repositoryName: repository,
              sourceReference: source,
              destinationReference: destination
            }
          ]
        })
      )
    );
    return {
      id: created.pullRequest?.pullRequestId ?? '',
      title: created.pullRequest?.title ?? options.title,
      existing: false
    };
  }
}

/** The branch name of a reference (`refs/heads/dev` -> `dev`). */
function refName(ref: string | undefined): string {
  return (ref ?? '').replace(/^refs\/heads\//, '');
}

/** The branch moved since the file was read: nothing was written. */
export class ConfigConflict extends MLOpsError {
  constructor(
    readonly location: IConfigLocation,
    readonly baseCommitId: string,
    readonly headCommitId: string
  ) {
    super({
      code: 'ConfigConflict',
      message: `${location.branch} moved since ${location.path} was opened (now at ${headCommitId.slice(0, 8)}); nothing was committed.`,
      kind: 'conflict',
      params: {
        branch: location.branch,
        path: location.path,
        head: headCommitId.slice(0, 8)
      }
    });
  }
}

/** The console page of a pull request. */
export function pullRequestUrl(
  region: string,
  repository: string,
  id: string
): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codecommit/repositories/${encodeURIComponent(repository)}/pull-requests/${encodeURIComponent(id)}/details?region=${encodeURIComponent(region)}`;
}

/** The console page of a commit. */
export function commitUrl(
  region: string,
  repository: string,
  commitId: string
): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codecommit/repositories/${encodeURIComponent(repository)}/commit/${encodeURIComponent(commitId)}?region=${encodeURIComponent(region)}`;
}

/** The project bucket named by `.project_params.yaml` (`bucket: ...`), if any. */
export function bucketOfProjectParams(text: string | null): string | null {
  if (!text) {
    return null;
  }
  const match =
    /^bucket:\s*["']?([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])["']?\s*(#.*)?$/m.exec(
      text
    );
  return match ? match[1] : null;
}

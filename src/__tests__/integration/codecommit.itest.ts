/**
 * The devstack's CodeCommit (real git underneath) through the AWS SDK v3 client
 * the extension uses: reads, commits, CodeCommit's concurrency errors, pull requests.
 */
import {
  CreateBranchCommand,
  CreateCommitCommand,
  CreatePullRequestCommand,
  GetBranchCommand,
  GetDifferencesCommand,
  GetFileCommand,
  GetFolderCommand,
  GetPullRequestCommand,
  ListBranchesCommand,
  MergePullRequestByFastForwardCommand,
  PutFileCommand
} from '@aws-sdk/client-codecommit';

import { clients } from './env';

const repositoryName = 'customer-churn-project-repo';
const codecommit = () => clients().codecommit;
const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);

test('branches, folders and files of the seeded project repository', async () => {
  const branches = await codecommit().send(
    new ListBranchesCommand({ repositoryName })
  );
  expect(branches.branches).toEqual(expect.arrayContaining(['main', 'dev']));
  const folder = await codecommit().send(
    new GetFolderCommand({
      repositoryName,
      folderPath: '/',
      commitSpecifier: 'main'
    })
  );
  const names = (folder.files ?? []).map(f => f.relativePath);
  expect(names).toEqual(
    expect.arrayContaining([
      'model_config.yaml',
      '.project_params.yaml',
      'staging-config.json',
      'prod-config.json'
    ])
  );
  const config = await codecommit().send(
    new GetFileCommand({
      repositoryName,
      filePath: 'model_config.yaml',
      commitSpecifier: 'main'
    })
  );
  const yaml = text(config.fileContent);
  for (const key of [
    'framework:',
    'data_config:',
    'train_config:',
    'bias_config:'
  ]) {
    expect(yaml).toContain(key);
  }
  expect(yaml).toMatch(/^#/m); // comments are part of the shared file
});

test('a commit on a fresh branch, a stale parent refused, a pull request merged', async () => {
  const branchName = `jest-${Date.now()}`;
  const main = await codecommit().send(
    new GetBranchCommand({ repositoryName, branchName: 'main' })
  );
  const base = main.branch!.commitId!;
  await codecommit().send(
    new CreateBranchCommand({ repositoryName, branchName, commitId: base })
  );
  const put = await codecommit().send(
    new PutFileCommand({
      repositoryName,
      branchName,
      filePath: 'notes/jest.txt',
      fileContent: new TextEncoder().encode('written by jest\n'),
      parentCommitId: base,
      commitMessage: 'jest: add a note',
      name: 'Jest',
      email: 'jest@example.com'
    })
  );
  expect(put.commitId).toMatch(/^[0-9a-f]{40}$/);
  // Someone else's change is never overwritten: the old parent is refused.
  await expect(
    codecommit().send(
      new CreateCommitCommand({
        repositoryName,
        branchName,
        parentCommitId: base,
        putFiles: [
          {
            filePath: 'notes/jest.txt',
            fileContent: new TextEncoder().encode('stale\n')
          }
        ]
      })
    )
  ).rejects.toMatchObject({ name: 'ParentCommitIdOutdatedException' });
  const diff = await codecommit().send(
    new GetDifferencesCommand({
      repositoryName,
      beforeCommitSpecifier: base,
      afterCommitSpecifier: put.commitId
    })
  );
  expect(diff.differences?.map(d => d.afterBlob?.path)).toEqual([
    'notes/jest.txt'
  ]);

  const pr = await codecommit()
    .send(
      new CreatePullRequestCommand({
        title: 'jest change',
        targets: [
          {
            repositoryName,
            sourceReference: branchName,
            destinationReference: `${branchName}-target`
          }
        ]
      })
    )
    .catch(async error => {
      // The destination must exist: create it at the base, then open the pull request.
      expect(error.name).toMatch(/ReferenceDoesNotExist|BranchDoesNotExist/);
      await codecommit().send(
        new CreateBranchCommand({
          repositoryName,
          branchName: `${branchName}-target`,
          commitId: base
        })
      );
      return codecommit().send(
        new CreatePullRequestCommand({
          title: 'jest change',
          targets: [
            {
              repositoryName,
              sourceReference: branchName,
              destinationReference: `${branchName}-target`
            }
          ]
        })
      );
    });
  const id = pr.pullRequest!.pullRequestId!;
  await codecommit().send(
    new MergePullRequestByFastForwardCommand({
      pullRequestId: id,
      repositoryName
    })
  );
  const merged = await codecommit().send(
    new GetPullRequestCommand({ pullRequestId: id })
  );
  expect(merged.pullRequest?.pullRequestStatus).toBe('CLOSED');
  expect(
    merged.pullRequest?.pullRequestTargets?.[0].mergeMetadata?.isMerged
  ).toBe(true);
  const target = await codecommit().send(
    new GetBranchCommand({ repositoryName, branchName: `${branchName}-target` })
  );
  expect(target.branch?.commitId).toBe(put.commitId);
});

/**
 * The shared-configuration service against the devstack's CodeCommit (real git underneath), with the unmodified
 * AWS SDK as the data scientist: read at a branch head, commit on exactly that head, a concurrent commit detected
 * and nothing overwritten, the pull request found or opened once.
 */
import {
  CreateBranchCommand,
  PutFileCommand
} from '@aws-sdk/client-codecommit';

import {
  ConfigConflict,
  ConfigService,
  bucketOfProjectParams
} from '../../core/config/service';
import validator from '@rjsf/validator-ajv8';
import { readFileSync } from 'fs';
import { join } from 'path';

// The editor's model lives in the lab layer but imports only core and Lumino's signals.
import { ConfigEditorModel } from '../../config/model';
import { MLOpsError } from '../../core/errors';
import { clients } from './env';

const repository = 'customer-churn-project-repo';
const project = { name: 'customer-churn', id: '' };

async function ownBranch(service: ConfigService): Promise<string> {
  const branch = `itest-config-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const dev = await service.head(repository, 'dev');
  await clients().codecommit.send(
    new CreateBranchCommand({
      repositoryName: repository,
      branchName: branch,
      commitId: dev
    })
  );
  return branch;
}

test('finds the project repository by its platform name, and the bucket in .project_params.yaml', async () => {
  const service = new ConfigService(clients());
  expect(await service.findRepository(project)).toBe(repository);
  await expect(
    service.findRepository({ name: 'no-such-project', id: 'p-0' })
  ).rejects.toMatchObject({ code: 'ConfigRepositoryNotFound' });
  const head = await service.head(repository, 'dev');
  const params = await service.textAt(repository, head, '.project_params.yaml');
  expect(bucketOfProjectParams(params)).toMatch(/^customer-churn-\d{12}$/);
  expect(await service.branches(repository)).toEqual(
    expect.arrayContaining(['dev', 'main'])
  );
});

test('commits on the head it read; a moved branch is a conflict and nothing is overwritten', async () => {
  const service = new ConfigService(clients());
  const branch = await ownBranch(service);
  const location = { repository, branch, path: 'model_config.yaml' };
  const read = await service.read(location);
  expect(read.exists).toBe(true);
  const mine = read.text.replace(
    '  instance_count: 1\n  volume_size',
    '  instance_count: 2\n  volume_size'
  );
  expect(mine).not.toBe(read.text);
  const done = await service.commit({
    location,
    text: mine,
    parentCommitId: read.commitId,
    message: 'Two instances'
  });
  expect(done.parentCommitId).toBe(read.commitId);
  expect((await service.read(location)).text).toBe(mine);

  // A colleague commits meanwhile; committing on the old head is refused.
  const theirs = mine.replace('max_depth: 6', 'max_depth: 7');
  const colleague = await clients().codecommit.send(
    new PutFileCommand({
      repositoryName: repository,
      branchName: branch,
      filePath: 'model_config.yaml',
      fileContent: new TextEncoder().encode(theirs),
      parentCommitId: done.commitId,
      commitMessage: 'Deeper trees'
    })
  );
  const stale = mine.replace('eta: 0.2', 'eta: 0.3');
  const error = await service
    .commit({
      location,
      text: stale,
      parentCommitId: done.commitId,
      message: 'Faster'
    })
    .catch(e => e);
  expect(error).toBeInstanceOf(ConfigConflict);
  expect(error.headCommitId).toBe(colleague.commitId);
  expect((await service.read(location)).text).toBe(theirs);
});

test('opens the pull request once, then finds it', async () => {
  const service = new ConfigService(clients());
  const branch = await ownBranch(service);
  const location = { repository, branch, path: 'model_config.yaml' };
  const read = await service.read(location);
  await service.commit({
    location,
    text: read.text + '# reviewed\n',
    parentCommitId: read.commitId,
    message: 'Note'
  });
  const options = {
    repository,
    source: branch,
    destination: 'main',
    title: 'Config',
    description: 'From the editor'
  };
  const first = await service.pullRequest(options);
  expect(first.existing).toBe(false);
  const again = await service.pullRequest(options);
  expect(again).toEqual({ id: first.id, title: 'Config', existing: true });
});

test('a missing file reads as empty, an unknown branch is an error', async () => {
  const service = new ConfigService(clients());
  const read = await service.read({
    repository,
    branch: 'dev',
    path: 'no/such/file.yaml'
  });
  expect(read).toMatchObject({ exists: false, text: '' });
  const error = await service
    .read({ repository, branch: 'no-such-branch', path: 'model_config.yaml' })
    .catch(e => e);
  expect(error).toBeInstanceOf(MLOpsError);
  expect(error.kind).toBe('notFound');
});

describe('the editor model over the devstack', () => {
  const schema = JSON.parse(
    readFileSync(
      join(
        __dirname,
        '..',
        '..',
        '..',
        'schema',
        'config',
        'model_config.schema.json'
      ),
      'utf8'
    )
  );
  const schemas = { files: [{ pattern: 'model_config.yaml', schema }] };
  const validate = (s: object, d: unknown) =>
    validator.rawValidation(s, d).errors ?? [];

  /** Browser storage as a Map (the model keeps drafts through this interface). */
  function storage() {
    const items = new Map<string, string>();
    return {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
      items
    };
  }

  async function model(branch: string, store = storage()): Promise<any> {
    const m = new ConfigEditorModel({
      service: new ConfigService(clients()),
      schemas,
      validate,
      location: { repository, branch, path: 'model_config.yaml' },
      storage: store
    });
    await m.load();
    return m;
  }

  test('form edits change one line; invalid text cannot be committed; a draft survives a reload', async () => {
    const branch = await ownBranch(new ConfigService(clients()));
    const store = storage();
    const m = await model(branch, store);
    expect(m.placeholders).toHaveLength(1);
    expect(m.blocker).toBe('invalid');
    m.replacePlaceholders('customer-churn-123456789012');
    expect(m.errors).toEqual([]);
    const before = m.text;
    m.setData({
      ...m.data,
      train_config: { ...m.data.train_config, instance_count: 2 }
    });
    const changed = m.text
      .split('\n')
      .filter((l: string, i: number) => l !== before.split('\n')[i]);
    expect(changed).toEqual(['  instance_count: 2']);
    expect(m.blocker).toBeNull();

    m.setText(m.text.replace('instance_count: 2', 'instance_count: zero'));
    expect(m.blocker).toBe('invalid');
    expect(m.errors.map((e: any) => e.pointer)).toEqual([
      '/train_config/instance_count'
    ]);
    await m.commit({ message: 'must not land', pullRequestTo: null });
    expect(m.committed).toBeNull();

    m.setText(m.text.replace('instance_count: zero', 'instance_count: 3'));
    m.dispose(); // flushes the draft
    const again = await model(branch, store);
    expect(again.restoredDraft).not.toBeNull();
    expect(again.text).toContain('instance_count: 3');
    expect(again.mode).toBe('edit');
  });

  test('a concurrent commit leads to the conflict view; re-applied, the edit commits with a pull request', async () => {
    const branch = await ownBranch(new ConfigService(clients()));
    const m = await model(branch);
    m.replacePlaceholders('customer-churn-123456789012');
    m.setData({
      ...m.data,
      train_config: { ...m.data.train_config, instance_count: 4 }
    });
    const read = await new ConfigService(clients()).read({
      repository,
      branch,
      path: 'model_config.yaml'
    });
    await clients().codecommit.send(
      new PutFileCommand({
        repositoryName: repository,
        branchName: branch,
        filePath: 'model_config.yaml',
        fileContent: new TextEncoder().encode(
          read.text.replace('max_depth: 6', 'max_depth: 8')
        ),
        parentCommitId: read.commitId,
        commitMessage: 'A colleague deepens the trees'
      })
    );
    await m.review();
    expect(m.mode).toBe('conflict');
    expect(m.conflict.theirsText).toContain('max_depth: 8');
    expect(m.reapplyOnTheirs()).toEqual({ conflicts: 0 });
    expect(m.text).toContain('max_depth: 8');
    expect(m.text).toContain('instance_count: 4');
    await m.review();
    expect(m.mode).toBe('review');
    await m.commit({ message: 'Four instances', pullRequestTo: 'main' });
    expect(m.error).toBeNull();
    expect(m.committed.pullRequest.existing).toBe(false);
    const landed = await new ConfigService(clients()).read({
      repository,
      branch,
      path: 'model_config.yaml'
    });
    expect(landed.text).toBe(m.text);
  });
});

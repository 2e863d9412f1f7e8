import { pipelineRole } from '../../../core/pipelines/rules';

const PROJECT = { name: 'customer-churn', id: 'p-1b737475dbcf' };
const role = (name: string, tags: Record<string, string> = {}) =>
  pipelineRole({ name, tags }, PROJECT);

describe('pipelineRole', () => {
  it('tells the build, deploy and user pipelines apart by the platform names', () => {
    expect(role('customer-churn-p-1b737475dbcf')).toMatchObject({
      role: 'build'
    });
    expect(role('customer-churn-p-1b737475dbcf-deploy')).toMatchObject({
      role: 'deploy',
      distinctTail: '-deploy'.length
    });
    expect(role('customer-churn-p-1b737475dbcf-modeldeploy').role).toBe(
      'deploy'
    );
    expect(role('customer-churn-alice-smith-user-pipeline')).toMatchObject({
      role: 'user',
      user: 'alice-smith',
      distinctTail: '-alice-smith-user-pipeline'.length
    });
    expect(role('fraud-detection-p-2').role).toBe('other');
    expect(role('customer-churn-p-1b737475dbcf-nightly')).toMatchObject({
      role: 'other',
      distinctTail: '-nightly'.length
    });
  });

  it('a PipelineRole tag wins over the name', () => {
    expect(role('churn-release', { PipelineRole: 'Deploy' }).role).toBe(
      'deploy'
    );
  });

  it('keeps enough of the end to tell the build pipeline from the deploy one', () => {
    const build = 'customer-churn-p-1b737475dbcf';
    const deploy = 'customer-churn-p-1b737475dbcf-deploy';
    const tail = (name: string) =>
      name.slice(name.length - Math.max(6, role(name).distinctTail));
    expect(tail(build)).not.toBe(tail(deploy));
  });
});

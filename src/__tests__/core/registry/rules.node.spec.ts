import { MLOpsError } from '../../../core/errors';
import {
  changedSince,
  groupOfSummary,
  mergeGroups,
  metricsReportsOf,
  validateComment,
  versionOfDescription,
  versionOfSummary
} from '../../../core/registry/rules';

const GROUP_ARN =
  'arn:aws:sagemaker:us-east-1:123456789012:model-package-group/churn-p-1';
const VERSION_ARN =
  'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-p-1/3';

function thrown(fn: () => void): MLOpsError {
  try {
    fn();
  } catch (error) {
    return error as MLOpsError;
  }
  throw new Error('expected a throw');
}

describe('validateComment', () => {
  it.each([
    ['a', 1],
    ['x'.repeat(1024), 1024],
    ['😀'.repeat(1024), 1024],
    ['نموذج جيد ✅ 良いモデル', 19]
  ])('accepts a comment of %#: %i characters', comment => {
    expect(() => validateComment(comment)).not.toThrow();
  });

  it.each([
    ['', 0],
    ['   \n', 4],
    ['x'.repeat(1025), 1025],
    ['😀'.repeat(1025), 1025]
  ])(
    'refuses comment %# (%i characters) as a validation error with params',
    (comment, length) => {
      const error = thrown(() => validateComment(comment));
      expect(error).toBeInstanceOf(MLOpsError);
      expect(error).toMatchObject({
        code: 'InvalidComment',
        kind: 'validation'
      });
      expect(error.params).toEqual({
        length: String(length),
        min: '1',
        max: '1024'
      });
    }
  );
});

describe('changedSince', () => {
  const t = new Date('2026-01-02T03:04:05.678Z');
  const opened = {
    status: 'PendingManualApproval' as const,
    description: undefined,
    lastModifiedAt: undefined
  };

  it('is unchanged when nothing moved (an absent comment equals an empty one)', () => {
    expect(changedSince(opened, { ...opened })).toBe(false);
    expect(changedSince(opened, { ...opened, description: '' })).toBe(false);
    expect(
      changedSince(
        { ...opened, lastModifiedAt: t },
        { ...opened, lastModifiedAt: new Date(t.getTime()) }
      )
    ).toBe(false);
  });

  it('a new status, comment or modification time is a change', () => {
    expect(changedSince(opened, { ...opened, status: 'Rejected' })).toBe(true);
    expect(changedSince(opened, { ...opened, description: 'no' })).toBe(true);
    expect(
      changedSince(
        { ...opened, lastModifiedAt: t },
        { ...opened, lastModifiedAt: new Date(t.getTime() + 1) }
      )
    ).toBe(true);
  });

  it('a missing LastModifiedTime against a present one is a change, both ways', () => {
    expect(changedSince(opened, { ...opened, lastModifiedAt: t })).toBe(true);
    expect(changedSince({ ...opened, lastModifiedAt: t }, opened)).toBe(true);
  });
});

describe('mapping the SDK shapes', () => {
  it('a described version keeps what the registry shows', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    const modified = new Date('2026-01-03T00:00:00Z');
    const version = versionOfDescription({
      ModelPackageName: 'churn-p-1',
      ModelPackageGroupName: 'churn-p-1',
      ModelPackageVersion: 3,
      ModelPackageArn: VERSION_ARN,
      ModelPackageDescription: '<b>v3</b>',
      CreationTime: created,
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: undefined,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'ok',
      CreatedBy: { UserProfileName: 'alice' },
      LastModifiedTime: modified,
      LastModifiedBy: {
        IamIdentity: {
          Arn: 'arn:aws:sts::123456789012:assumed-role/approver/x'
        }
      },
      MetadataProperties: {
        GeneratedBy:
          'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn/execution/abc'
      },
      CustomerMetadataProperties: { git_commit: 'abc' },
      ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Approved' },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: 's3://b/e.json'
          }
        },
        Bias: {
          Report: { ContentType: 'application/json', S3Uri: 's3://b/bias.json' }
        }
      }
    });
    expect(version).toEqual({
      arn: VERSION_ARN,
      groupName: 'churn-p-1',
      version: 3,
      description: '<b>v3</b>',
      approvalStatus: 'Approved',
      packageStatus: 'Completed',
      createdAt: created,
      lifeCycle: {
        stage: 'Staging',
        stageStatus: 'Approved',
        stageDescription: undefined
      },
      approvalDescription: 'ok',
      createdBy: 'alice',
      lastModifiedAt: modified,
      lastModifiedBy: 'arn:aws:sts::123456789012:assumed-role/approver/x',
      customerMetadata: { git_commit: 'abc' },
      generatedBy:
        'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn/execution/abc',
      metricsReports: [
        {
          kind: 'ModelQuality.Statistics',
          s3Uri: 's3://b/e.json',
          contentType: 'application/json'
        },
        {
          kind: 'Bias.Report',
          s3Uri: 's3://b/bias.json',
          contentType: 'application/json'
        }
      ]
    });
  });

  it('a summary without group name or status takes them from the ARN and the default', () => {
    expect(
      versionOfSummary({
        ModelPackageArn: VERSION_ARN,
        CreationTime: undefined,
        ModelPackageStatus: undefined
      })
    ).toMatchObject({
      groupName: 'churn-p-1',
      approvalStatus: 'PendingManualApproval',
      lifeCycle: undefined
    });
    expect(metricsReportsOf(undefined)).toEqual([]);
    expect(metricsReportsOf({ ModelQuality: {} })).toEqual([]);
  });

  it('a shared group names its owner account; own groups come first, each once', () => {
    const hubArn =
      'arn:aws:sagemaker:us-east-1:111122223333:model-package-group/shared';
    const shared = groupOfSummary(
      { ModelPackageGroupName: 'shared', ModelPackageGroupArn: hubArn },
      true
    );
    expect(shared).toMatchObject({
      shared: true,
      ownerAccount: '111122223333',
      tags: {}
    });
    const own = groupOfSummary(
      { ModelPackageGroupName: 'churn-p-1', ModelPackageGroupArn: GROUP_ARN },
      false,
      { 'sagemaker:project-name': 'churn' }
    );
    expect(mergeGroups([own], [shared, shared, own]).map(g => g.name)).toEqual([
      'churn-p-1',
      'shared'
    ]);
  });
});

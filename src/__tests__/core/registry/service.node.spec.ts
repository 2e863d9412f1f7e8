import { MLOpsError } from '../../../core/errors';
import { RegistryService } from '../../../core/registry/service';
import { serviceError, stubClients } from './stub';

const HUB = 'arn:aws:sagemaker:us-east-1:111122223333';
const OWN = 'arn:aws:sagemaker:us-east-1:123456789012';
const VERSION = `${OWN}:model-package/churn-p-1/4`;
const MODIFIED = new Date('2026-02-01T10:00:00.123Z');

async function failure(promise: Promise<unknown>): Promise<MLOpsError> {
  try {
    await promise;
  } catch (error) {
    return error as MLOpsError;
  }
  throw new Error('expected a failure');
}

describe('RegistryService', () => {
  it('finds the project groups by tags and the shared ones with the CrossAccount filter', async () => {
    const { clients, sent } = stubClients(operation => {
      if (operation === 'Search') {
        return {
          Results: [
            {
              ModelPackageGroup: {
                ModelPackageGroupName: 'churn-p-1',
                ModelPackageGroupArn: `${OWN}:model-package-group/churn-p-1`,
                Tags: [{ Key: 'sagemaker:project-id', Value: 'p-1' }]
              }
            }
          ]
        };
      }
      return {
        ModelPackageGroupSummaryList: [
          {
            ModelPackageGroupName: 'churn-shared-models',
            ModelPackageGroupArn: `${HUB}:model-package-group/churn-shared-models`
          }
        ]
      };
    });
    const groups = await new RegistryService(clients).listGroups({
      name: 'churn',
      id: 'p-1'
    });
    expect(groups).toEqual([
      expect.objectContaining({
        name: 'churn-p-1',
        shared: false,
        ownerAccount: '123456789012',
        tags: { 'sagemaker:project-id': 'p-1' }
      }),
      expect.objectContaining({
        name: 'churn-shared-models',
        shared: true,
        ownerAccount: '111122223333'
      })
    ]);
    const search = sent.find(s => s.operation === 'Search')!.input;
    expect(search).toMatchObject({
      Resource: 'ModelPackageGroup',
      SearchExpression: {
        Operator: 'Or',
        SubExpressions: [
          {
            Filters: [
              {
                Name: 'Tags.sagemaker:project-name',
                Operator: 'Equals',
                Value: 'churn'
              }
            ]
          },
          {
            Filters: [
              {
                Name: 'Tags.sagemaker:project-id',
                Operator: 'Equals',
                Value: 'p-1'
              }
            ]
          }
        ]
      }
    });
    expect(
      sent.find(s => s.operation === 'ListModelPackageGroups')!.input
    ).toMatchObject({ CrossAccountFilterOption: 'CrossAccount' });
  });

  it('asks one page of versions, newest first, a shared group by its ARN', async () => {
    const { clients, sent } = stubClients(() => ({
      ModelPackageSummaryList: [
        {
          ModelPackageArn: `${HUB}:model-package/churn-shared-models/3`,
          ModelPackageVersion: 3,
          ModelApprovalStatus: 'Rejected'
        }
      ],
      NextToken: 'next-2'
    }));
    const service = new RegistryService(clients);
    const page = await service.listVersions(
      {
        name: 'churn-shared-models',
        arn: `${HUB}:model-package-group/churn-shared-models`,
        shared: true
      },
      { pageSize: 2, nextToken: 'next-1', status: 'Rejected' }
    );
    expect(page.nextToken).toBe('next-2');
    expect(page.items[0]).toMatchObject({
      version: 3,
      approvalStatus: 'Rejected',
      groupName: 'churn-shared-models'
    });
    expect(sent).toEqual([
      {
        operation: 'ListModelPackages',
        input: {
          ModelPackageGroupName: `${HUB}:model-package-group/churn-shared-models`,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 2,
          NextToken: 'next-1',
          ModelApprovalStatus: 'Rejected'
        }
      }
    ]);
    await service.listVersions('churn-p-1', { pageSize: 1000 });
    expect(sent[1].input).toMatchObject({
      ModelPackageGroupName: 'churn-p-1',
      MaxResults: 100
    });
  });

  describe('setApproval', () => {
    const described = (over: Record<string, unknown> = {}) => ({
      ModelPackageArn: VERSION,
      ModelPackageGroupName: 'churn-p-1',
      ModelApprovalStatus: 'PendingManualApproval',
      LastModifiedTime: MODIFIED,
      ...over
    });
    const expected = {
      status: 'PendingManualApproval' as const,
      description: undefined,
      lastModifiedAt: new Date(MODIFIED.getTime())
    };

    it('re-reads the version and sends exactly one UpdateModelPackage when nothing changed', async () => {
      const { clients, sent } = stubClients(op =>
        op === 'DescribeModelPackage' ? described() : {}
      );
      await new RegistryService(clients).setApproval(VERSION, {
        status: 'Approved',
        comment: 'good',
        expected
      });
      expect(sent.map(s => s.operation)).toEqual([
        'DescribeModelPackage',
        'UpdateModelPackage'
      ]);
      expect(sent[1].input).toEqual({
        ModelPackageArn: VERSION,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'good'
      });
    });

    it.each([
      [
        'another status',
        { ModelApprovalStatus: 'Rejected', ApprovalDescription: 'leak' },
        'Rejected',
        'leak'
      ],
      [
        'another comment',
        { ApprovalDescription: 'hold on' },
        'PendingManualApproval',
        'hold on'
      ],
      [
        'a later modification',
        { LastModifiedTime: new Date(MODIFIED.getTime() + 1000) },
        'PendingManualApproval',
        ''
      ],
      [
        'a first modification',
        { LastModifiedTime: undefined },
        'PendingManualApproval',
        ''
      ]
    ])(
      'refuses %s as ChangedSinceOpened and writes nothing',
      async (_, over, status, comment) => {
        const { clients, sent } = stubClients(() => described(over));
        const error = await failure(
          new RegistryService(clients).setApproval(VERSION, {
            status: 'Approved',
            comment: 'good',
            expected
          })
        );
        expect(error).toMatchObject({
          code: 'ChangedSinceOpened',
          kind: 'conflict'
        });
        expect(error.params).toMatchObject({ status, comment, arn: VERSION });
        expect(sent.map(s => s.operation)).toEqual(['DescribeModelPackage']);
      }
    );

    it('refuses an invalid comment before any request', async () => {
      const { clients, sent } = stubClients(() => described());
      const error = await failure(
        new RegistryService(clients).setApproval(VERSION, {
          status: 'Rejected',
          comment: '',
          expected
        })
      );
      expect(error).toMatchObject({
        code: 'InvalidComment',
        kind: 'validation'
      });
      expect(sent).toEqual([]);
    });

    it('access denied keeps the operation UpdateModelPackage', async () => {
      const { clients } = stubClients(op => {
        if (op === 'UpdateModelPackage') {
          throw serviceError('AccessDeniedException');
        }
        return described();
      });
      const error = await failure(
        new RegistryService(clients).setApproval(VERSION, {
          status: 'Approved',
          comment: 'good',
          expected
        })
      );
      expect(error).toMatchObject({
        kind: 'accessDenied',
        operation: 'UpdateModelPackage'
      });
    });
  });
});

import { DeployGateService } from '../../../core/deploy/service';
import {
  approvalActions,
  deployPipelineNames,
  deployedVersion,
  executionConsoleUrl,
  gatesFromActionExecutions,
  gatesFromState,
  tagsNameProject
} from '../../../core/deploy/rules';
import { IDeployGate } from '../../../core/deploy/types';
import { MLOpsError } from '../../../core/errors';
import { serviceError, stubClients } from '../registry/stub';

const PROJECT = { name: 'churn', id: 'p-abc' };
const APPROVALS = [
  { stageName: 'ApproveDeployment', actionName: 'ApproveDeployment' }
];
const PIPELINE = 'sagemaker-churn-p-abc-modeldeploy';
const SINCE = new Date('2026-03-01T12:00:00Z');

const declaration = (mode: string) => ({
  name: PIPELINE,
  roleArn: 'arn:aws:iam::123456789012:role/r',
  executionMode: mode,
  stages: [
    {
      name: 'Build',
      actions: [
        {
          name: 'Build',
          actionTypeId: {
            category: 'Build',
            owner: 'AWS',
            provider: 'CodeBuild',
            version: '1'
          }
        }
      ]
    },
    {
      name: 'ApproveDeployment',
      actions: [
        {
          name: 'ApproveDeployment',
          actionTypeId: {
            category: 'Approval',
            owner: 'AWS',
            provider: 'Manual',
            version: '1'
          }
        }
      ]
    }
  ]
});

async function failure(promise: Promise<unknown>): Promise<MLOpsError> {
  try {
    await promise;
  } catch (error) {
    return error as MLOpsError;
  }
  throw new Error('expected a failure');
}

describe('deploy gate rules', () => {
  it('names the deploy pipeline as the platform does', () => {
    expect(deployPipelineNames(PROJECT)).toEqual([
      'sagemaker-churn-p-abc-modeldeploy',
      'churn_deploy_pipeline'
    ]);
    expect(deployPipelineNames({ name: 'churn', id: '' })).toEqual([
      'churn_deploy_pipeline'
    ]);
  });

  it('tags decide the project; untagged says nothing', () => {
    expect(tagsNameProject({ 'sagemaker:project-id': 'p-abc' }, PROJECT)).toBe(
      true
    );
    expect(tagsNameProject({ SageMakerProjectId: 'p-other' }, PROJECT)).toBe(
      false
    );
    expect(
      tagsNameProject({ 'sagemaker:project-name': 'churn' }, PROJECT)
    ).toBe(true);
    expect(tagsNameProject({ CostCenter: 'x' }, PROJECT)).toBeUndefined();
  });

  it('finds the manual approval actions of a declaration', () => {
    expect(approvalActions(declaration('SUPERSEDED') as any)).toEqual(
      APPROVALS
    );
    expect(approvalActions(undefined)).toEqual([]);
  });

  it('SUPERSEDED: the waiting approval and its token come from the pipeline state', () => {
    const gates = gatesFromState(
      PIPELINE,
      [
        {
          stageName: 'Build',
          latestExecution: { pipelineExecutionId: 'e0', status: 'InProgress' },
          actionStates: [
            {
              actionName: 'Build',
              latestExecution: {
                status: 'InProgress',
                token: 'not-an-approval'
              }
            }
          ]
        },
        {
          stageName: 'ApproveDeployment',
          inboundExecution: { pipelineExecutionId: 'e2', status: 'InProgress' },
          latestExecution: { pipelineExecutionId: 'e1', status: 'InProgress' },
          actionStates: [
            {
              actionName: 'ApproveDeployment',
              latestExecution: {
                status: 'InProgress',
                token: 't-1',
                lastStatusChange: SINCE
              }
            }
          ]
        }
      ],
      APPROVALS
    );
    expect(gates).toEqual([
      {
        pipelineName: PIPELINE,
        stageName: 'ApproveDeployment',
        actionName: 'ApproveDeployment',
        executionId: 'e1',
        token: 't-1',
        since: SINCE
      }
    ]);
    // Decided approvals (no token, not in progress) are not waiting.
    expect(
      gatesFromState(
        PIPELINE,
        [
          {
            stageName: 'ApproveDeployment',
            latestExecution: { pipelineExecutionId: 'e1', status: 'Succeeded' },
            actionStates: [
              {
                actionName: 'ApproveDeployment',
                latestExecution: { status: 'Succeeded' }
              }
            ]
          }
        ],
        APPROVALS
      )
    ).toEqual([]);
  });

  it('PARALLEL: each waiting execution with the token of its approval action execution', () => {
    const row = (
      execution: string,
      status: string,
      token?: string,
      action = 'ApproveDeployment'
    ) => ({
      pipelineExecutionId: execution,
      stageName: action === 'ApproveDeployment' ? 'ApproveDeployment' : 'Build',
      actionName: action,
      status,
      startTime: SINCE,
      output: { executionResult: token ? { externalExecutionId: token } : {} }
    });
    const gates = gatesFromActionExecutions(
      PIPELINE,
      [
        row('e3', 'InProgress', 't-3'),
        row('e3', 'InProgress', 't-3'),
        row('e2', 'Succeeded', 't-2'),
        row('e1', 'InProgress', 't-1'),
        row('e4', 'InProgress', 'b-4', 'Build'),
        row('e5', 'InProgress')
      ] as any,
      APPROVALS
    );
    expect(gates.map(g => [g.executionId, g.token])).toEqual([
      ['e3', 't-3'],
      ['e1', 't-1']
    ]);
  });

  it('the version deployed comes from the execution variables; latest is none', () => {
    expect(
      deployedVersion([
        { name: 'ModelPackageArn', resolvedValue: 'arn:x:model-package/g/3' },
        { name: 'ModelPackageVersion', resolvedValue: '3' },
        { name: 'ModelPackageGroupName', resolvedValue: 'g' }
      ])
    ).toEqual({
      modelPackageArn: 'arn:x:model-package/g/3',
      modelPackageVersion: '3',
      modelPackageGroupName: 'g'
    });
    expect(
      deployedVersion([{ name: 'ModelPackageArn', resolvedValue: 'latest' }])
        .modelPackageArn
    ).toBeUndefined();
    expect(deployedVersion(undefined)).toEqual({});
  });
});

describe('DeployGateService', () => {
  const gate: IDeployGate = {
    pipelineName: PIPELINE,
    stageName: 'ApproveDeployment',
    actionName: 'ApproveDeployment',
    executionId: 'e1',
    token: 't-1'
  };

  it('finds the pipeline by its platform name, confirmed by its tags', async () => {
    const { clients, sent } = stubClients(op => {
      if (op === 'GetPipeline') {
        return {
          pipeline: declaration('PARALLEL'),
          metadata: {
            pipelineArn: `arn:aws:codepipeline:us-east-1:123456789012:${PIPELINE}`
          }
        };
      }
      return { tags: [{ key: 'sagemaker:project-id', value: 'p-abc' }] };
    });
    const pipeline = await new DeployGateService(clients).findDeployPipeline(
      PROJECT
    );
    expect(pipeline).toMatchObject({
      name: PIPELINE,
      executionMode: 'PARALLEL',
      approvals: APPROVALS
    });
    expect(sent.map(s => s.operation)).toEqual([
      'GetPipeline',
      'ListTagsForResource'
    ]);
  });

  it('falls back to the tagged pipeline with an approval, never one of another project', async () => {
    const { clients, sent } = stubClients((op, input) => {
      if (op === 'GetPipeline') {
        if (!['other-deploy', 'churn-release'].includes(String(input.name))) {
          throw serviceError('PipelineNotFoundException');
        }
        return {
          pipeline: { ...declaration('SUPERSEDED'), name: input.name },
          metadata: {
            pipelineArn: `arn:aws:codepipeline:us-east-1:123456789012:${input.name}`
          }
        };
      }
      if (op === 'ListPipelines') {
        return {
          pipelines: [{ name: 'other-deploy' }, { name: 'churn-release' }]
        };
      }
      return {
        tags: [
          {
            key: 'sagemaker:project-id',
            value: String(input.resourceArn).endsWith('churn-release')
              ? 'p-abc'
              : 'p-zzz'
          }
        ]
      };
    });
    const pipeline = await new DeployGateService(clients).findDeployPipeline(
      PROJECT
    );
    expect(pipeline?.name).toBe('churn-release');
    expect(sent.filter(s => s.operation === 'ListPipelines')).toHaveLength(1);
  });

  it('lists waiting gates with the version each deploys (SUPERSEDED: from the state)', async () => {
    const { clients, sent } = stubClients(op => {
      if (op === 'GetPipelineState') {
        return {
          stageStates: [
            {
              stageName: 'ApproveDeployment',
              latestExecution: {
                pipelineExecutionId: 'e1',
                status: 'InProgress'
              },
              actionStates: [
                {
                  actionName: 'ApproveDeployment',
                  latestExecution: {
                    status: 'InProgress',
                    token: 't-1',
                    lastStatusChange: SINCE
                  }
                }
              ]
            }
          ]
        };
      }
      return {
        pipelineExecution: {
          variables: [{ name: 'ModelPackageArn', resolvedValue: 'arn:mp/g/7' }]
        }
      };
    });
    const gates = await new DeployGateService(clients).listWaitingGates({
      name: PIPELINE,
      arn: '',
      executionMode: 'SUPERSEDED',
      approvals: APPROVALS,
      tags: {}
    });
    expect(gates).toEqual([
      expect.objectContaining({
        executionId: 'e1',
        token: 't-1',
        modelPackageArn: 'arn:mp/g/7'
      })
    ]);
    expect(sent.map(s => s.operation)).toEqual([
      'GetPipelineState',
      'GetPipelineExecution'
    ]);
  });

  it('deploy status: latest executions with the stage each reached, and the gates, from one state', async () => {
    const { clients, sent } = stubClients(op => {
      if (op === 'GetPipelineState') {
        return {
          stageStates: [
            {
              stageName: 'Build',
              latestExecution: {
                pipelineExecutionId: 'e2',
                status: 'Succeeded'
              }
            },
            {
              stageName: 'DeployStaging',
              latestExecution: {
                pipelineExecutionId: 'e2',
                status: 'InProgress'
              }
            },
            {
              stageName: 'ApproveDeployment',
              latestExecution: {
                pipelineExecutionId: 'e1',
                status: 'InProgress'
              },
              inboundExecution: {
                pipelineExecutionId: 'e3',
                status: 'InProgress'
              },
              actionStates: [
                {
                  actionName: 'ApproveDeployment',
                  latestExecution: {
                    status: 'InProgress',
                    token: 't-1',
                    lastStatusChange: SINCE
                  }
                }
              ]
            }
          ]
        };
      }
      if (op === 'ListPipelineExecutions') {
        return {
          pipelineExecutionSummaries: [
            {
              pipelineExecutionId: 'e2',
              status: 'InProgress',
              startTime: SINCE,
              trigger: { triggerType: 'CloudWatchEvent' }
            },
            { pipelineExecutionId: 'e3', status: 'InProgress' },
            { pipelineExecutionId: 'e1', status: 'InProgress' },
            { pipelineExecutionId: 'e0', status: 'Succeeded' }
          ]
        };
      }
      return { pipelineExecution: { variables: [] } };
    });
    const status = await new DeployGateService(clients).deployStatus(
      {
        name: PIPELINE,
        arn: '',
        executionMode: 'SUPERSEDED',
        approvals: APPROVALS,
        tags: {}
      },
      { executions: 3 }
    );
    expect(
      status.executions.map(e => [e.executionId, e.stage, e.stageStatus])
    ).toEqual([
      ['e2', 'DeployStaging', 'InProgress'],
      ['e3', 'ApproveDeployment', 'Waiting'],
      ['e1', 'ApproveDeployment', 'InProgress'],
      ['e0', undefined, undefined]
    ]);
    expect(status.executions[0].trigger).toBe('CloudWatchEvent');
    expect(status.gates.map(g => g.executionId)).toEqual(['e1']);
    expect(sent.map(s => s.operation).sort()).toEqual([
      'GetPipelineExecution',
      'GetPipelineState',
      'ListPipelineExecutions'
    ]);
    expect(
      sent.find(s => s.operation === 'ListPipelineExecutions')?.input
    ).toMatchObject({ pipelineName: PIPELINE, maxResults: 3 });
  });

  it('links an execution to its page in the AWS console', () => {
    expect(executionConsoleUrl('eu-west-1', 'p q', 'e-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/p%20q/executions/e-1/timeline?region=eu-west-1'
    );
  });

  it('sends the decision with PutApprovalResult', async () => {
    const { clients, sent } = stubClients(() => ({ approvedAt: SINCE }));
    await new DeployGateService(clients).decide(gate, {
      approve: false,
      summary: 'p99 too high'
    });
    expect(sent).toEqual([
      {
        operation: 'PutApprovalResult',
        input: {
          pipelineName: PIPELINE,
          stageName: 'ApproveDeployment',
          actionName: 'ApproveDeployment',
          token: 't-1',
          result: { status: 'Rejected', summary: 'p99 too high' }
        }
      }
    ]);
  });

  it.each([
    'InvalidApprovalTokenException',
    'ApprovalAlreadyCompletedException'
  ])('%s becomes a GateChanged conflict', async code => {
    const { clients } = stubClients(() => {
      throw serviceError(code);
    });
    const error = await failure(
      new DeployGateService(clients).decide(gate, {
        approve: true,
        summary: 'ok'
      })
    );
    expect(error).toMatchObject({
      code: 'GateChanged',
      kind: 'conflict',
      operation: 'PutApprovalResult'
    });
    expect(error.params).toMatchObject({
      pipeline: PIPELINE,
      executionId: 'e1',
      reason: code
    });
  });

  it('other errors keep their kind; a too long summary sends nothing', async () => {
    const { clients, sent } = stubClients(() => {
      throw serviceError('AccessDeniedException');
    });
    const service = new DeployGateService(clients);
    expect(
      await failure(service.decide(gate, { approve: true, summary: 'ok' }))
    ).toMatchObject({
      kind: 'accessDenied',
      operation: 'PutApprovalResult'
    });
    const long = await failure(
      service.decide(gate, { approve: true, summary: 'x'.repeat(513) })
    );
    expect(long).toMatchObject({ code: 'InvalidSummary', kind: 'validation' });
    expect(sent).toHaveLength(1);
  });
});

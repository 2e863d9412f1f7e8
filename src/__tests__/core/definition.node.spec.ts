import {
  coerceParameter,
  parseDefinition,
  stepReferences
} from '../../core/definition';
import { MLOpsError } from '../../core/errors';
import {
  canRetry,
  canStop,
  pipelineOfExecution,
  stepJob
} from '../../core/pipelines';
import { projectFromTags } from '../../core/projects';

/** A build pipeline as the SageMaker Python SDK writes it. */
const DEFINITION = JSON.stringify({
  Version: '2020-12-01',
  Parameters: [
    {
      Name: 'ProcessingInstanceType',
      Type: 'String',
      DefaultValue: 'ml.m5.xlarge'
    },
    { Name: 'ProcessingInstanceCount', Type: 'Integer', DefaultValue: 1 },
    { Name: 'AccuracyThreshold', Type: 'Float', DefaultValue: 0.8 },
    { Name: 'EnableBiasCheck', Type: 'Boolean', DefaultValue: false },
    {
      Name: 'ModelApprovalStatus',
      Type: 'String',
      DefaultValue: 'PendingManualApproval',
      EnumValues: ['Approved', 'PendingManualApproval']
    },
    { Name: 'InputDataUrl', Type: 'String' }
  ],
  Steps: [
    {
      Name: 'Preprocess',
      Type: 'Processing',
      Arguments: {
        ProcessingInputs: [
          { S3Input: { S3Uri: { Get: 'Parameters.InputDataUrl' } } }
        ]
      }
    },
    {
      Name: 'Train',
      Type: 'Training',
      Arguments: {
        InputDataConfig: [
          {
            DataSource: {
              S3DataSource: {
                S3Uri: {
                  Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
                }
              }
            }
          }
        ]
      }
    },
    {
      Name: 'Evaluate',
      Type: 'Processing',
      DependsOn: ['Train'],
      Arguments: {}
    },
    {
      Name: 'CheckMetrics',
      Type: 'Condition',
      Arguments: {
        Conditions: [
          {
            LeftValue: {
              'Std:JsonGet': {
                PropertyFile: {
                  Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport'
                }
              }
            }
          }
        ],
        IfSteps: [
          {
            Name: 'RegisterModel',
            Type: 'RegisterModel',
            Arguments: {
              ModelDataUrl: {
                Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts'
              }
            }
          }
        ],
        ElseSteps: [{ Name: 'Fail', Type: 'Fail', Arguments: {} }]
      }
    }
  ]
});

describe('parseDefinition', () => {
  const definition = parseDefinition(DEFINITION);

  it('types the parameters and keeps their defaults as strings', () => {
    expect(definition.parameters).toEqual([
      {
        name: 'ProcessingInstanceType',
        type: 'String',
        defaultValue: 'ml.m5.xlarge'
      },
      { name: 'ProcessingInstanceCount', type: 'Integer', defaultValue: '1' },
      { name: 'AccuracyThreshold', type: 'Float', defaultValue: '0.8' },
      { name: 'EnableBiasCheck', type: 'Boolean', defaultValue: 'false' },
      {
        name: 'ModelApprovalStatus',
        type: 'String',
        defaultValue: 'PendingManualApproval',
        enumValues: ['Approved', 'PendingManualApproval']
      },
      { name: 'InputDataUrl', type: 'String' }
    ]);
  });

  it('builds the graph from DependsOn, property references and condition branches', () => {
    expect(definition.graph.nodes.map(n => n.name)).toEqual([
      'Preprocess',
      'Train',
      'Evaluate',
      'CheckMetrics',
      'RegisterModel',
      'Fail'
    ]);
    const edges = definition.graph.edges.map(e => `${e.from}->${e.to}`).sort();
    expect(edges).toEqual(
      [
        'CheckMetrics->Fail',
        'CheckMetrics->RegisterModel',
        'Evaluate->CheckMetrics',
        'Preprocess->Train',
        'Train->Evaluate',
        'Train->RegisterModel'
      ].sort()
    );
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"Parameters": []}', /no "Steps" list/],
    ['{"Steps": [{"Name": "A"}, {"Name": "A"}]}', /used twice/],
    ['{"Steps": [{"Type": "Processing"}]}', /needs a "Name"/]
  ])('refuses %s with a clear message', (json, message) => {
    expect(() => parseDefinition(json)).toThrow(message);
    try {
      parseDefinition(json);
    } catch (error) {
      expect((error as MLOpsError).kind).toBe('validation');
    }
  });

  it('finds nested step references', () => {
    expect([
      ...stepReferences({
        a: [{ b: { Get: 'Steps.X.Outputs' } }, { Get: 'Parameters.Y' }]
      })
    ]).toEqual(['X']);
  });
});

describe('coerceParameter', () => {
  const spec = (type: any, enumValues?: string[]) => ({
    name: 'p',
    type,
    enumValues
  });
  it.each([
    ['Integer', '42', '42'],
    ['Integer', ' -7 ', '-7'],
    ['Float', '0.85', '0.85'],
    ['Float', '1e-3', '1e-3'],
    ['Boolean', 'TRUE', 'true'],
    ['Boolean', 'false', 'false'],
    ['String', 'ml.m5.xlarge', 'ml.m5.xlarge']
  ])('%s accepts %j as %j', (type, raw, value) => {
    expect(coerceParameter(spec(type), raw)).toEqual({ ok: true, value });
  });
  it.each([
    ['Integer', 'ten', 'not a whole number'],
    ['Integer', '1.5', 'not a whole number'],
    ['Float', 'abc', 'not a number'],
    ['Float', '', 'not a number'],
    ['Boolean', 'yes', 'not true or false']
  ])('%s refuses %j', (type, raw, message) => {
    const result = coerceParameter(spec(type), raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });
  it('checks enumerations', () => {
    expect(coerceParameter(spec('String', ['a', 'b']), 'c')).toEqual({
      ok: false,
      error: '"c" is not one of a, b.'
    });
  });
});

describe('helpers', () => {
  it('reads project tags of SageMaker and of CloudFormation', () => {
    expect(
      projectFromTags({
        'sagemaker:project-name': 'a',
        'sagemaker:project-id': 'p-1'
      })
    ).toEqual({ name: 'a', id: 'p-1' });
    expect(
      projectFromTags({ SageMakerProjectName: 'b', SageMakerProjectId: 'p-2' })
    ).toEqual({ name: 'b', id: 'p-2' });
    expect(projectFromTags({})).toEqual({ name: undefined, id: undefined });
  });
  it('maps step metadata to the job behind it', () => {
    expect(
      stepJob({
        TrainingJob: {
          Arn: 'arn:aws:sagemaker:us-east-1:1:training-job/pipelines-abc-train'
        }
      })
    ).toEqual({
      kind: 'TrainingJob',
      arn: 'arn:aws:sagemaker:us-east-1:1:training-job/pipelines-abc-train',
      name: 'pipelines-abc-train'
    });
    expect(stepJob({ Condition: { Outcome: 'True' } })).toBeUndefined();
  });
  it('knows which statuses allow stop and retry', () => {
    expect(
      ['Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded'].filter(
        canStop
      )
    ).toEqual(['Executing']);
    expect(
      ['Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded'].filter(
        canRetry
      )
    ).toEqual(['Failed']);
    expect(
      pipelineOfExecution(
        'arn:aws:sagemaker:us-east-1:1:pipeline/my-pipe/execution/abc'
      )
    ).toBe('my-pipe');
  });
});

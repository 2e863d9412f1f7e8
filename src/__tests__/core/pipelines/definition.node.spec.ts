import {
  coerceParameter,
  parseDefinition,
  stepReferences
} from '../../../core/pipelines/definition';
import { MLOpsError } from '../../../core/errors';
import { IParameterSpec, ParameterType } from '../../../core/pipelines/types';
import { BUILD_PIPELINE, LEGACY_PIPELINE } from './fixtures';

const edgesOf = (json: unknown) =>
  parseDefinition(JSON.stringify(json))
    .graph.edges.map(e => `${e.from} -> ${e.to}`)
    .sort();

describe('parseDefinition', () => {
  const definition = parseDefinition(JSON.stringify(BUILD_PIPELINE));

  it('types the parameters and keeps their defaults as strings', () => {
    expect(definition.version).toBe('2020-12-01');
    expect(definition.parameters).toEqual([
      {
        name: 'ProcessingInstanceType',
        type: 'String',
        defaultValue: 'ml.m5.xlarge'
      },
      { name: 'ProcessingInstanceCount', type: 'Integer', defaultValue: '1' },
      {
        name: 'TrainingInstanceType',
        type: 'String',
        defaultValue: 'ml.m5.xlarge'
      },
      { name: 'AccuracyThreshold', type: 'Float', defaultValue: '0.8' },
      { name: 'EnableBiasCheck', type: 'Boolean', defaultValue: 'false' },
      {
        name: 'ModelApprovalStatus',
        type: 'String',
        defaultValue: 'PendingManualApproval',
        enumValues: ['Approved', 'Rejected', 'PendingManualApproval']
      },
      { name: 'InputDataUrl', type: 'String' }
    ]);
  });

  it('makes every step a node, condition branches included, with type and display name', () => {
    expect(definition.graph.nodes).toEqual([
      { name: 'Preprocess', type: 'Processing', displayName: undefined },
      {
        name: 'Train',
        type: 'Training',
        displayName: 'Train the churn model'
      },
      { name: 'Evaluate', type: 'Processing', displayName: undefined },
      { name: 'CheckAccuracy', type: 'Condition', displayName: undefined },
      {
        name: 'RegisterModel-RegisterModel',
        type: 'RegisterModel',
        displayName: undefined
      },
      { name: 'AccuracyTooLow', type: 'Fail', displayName: undefined }
    ]);
  });

  it('draws edges from property references (Get, Std:JsonGet) and from a condition to its branches', () => {
    expect(edgesOf(BUILD_PIPELINE)).toEqual(
      [
        'Preprocess -> Train',
        'Preprocess -> Evaluate',
        'Train -> Evaluate',
        'Evaluate -> CheckAccuracy',
        'CheckAccuracy -> RegisterModel-RegisterModel',
        'Train -> RegisterModel-RegisterModel',
        'CheckAccuracy -> AccuracyTooLow'
      ].sort()
    );
  });

  it('reads DependsOn, property files given by name, and conditions nested in conditions', () => {
    expect(edgesOf(LEGACY_PIPELINE)).toEqual(
      [
        'Evaluate -> Gate',
        'Evaluate -> Notify',
        'Gate -> Notify',
        'Gate -> Inner',
        'Inner -> Deep'
      ].sort()
    );
  });

  it('keeps the raw steps, and ignores references to steps it does not have', () => {
    const parsed = parseDefinition(
      JSON.stringify({
        Steps: [
          {
            Name: 'B',
            Type: 'Processing',
            DependsOn: ['Ghost', 'B'],
            Arguments: { X: { Get: 'Steps.Elsewhere.Outputs' } }
          }
        ]
      })
    );
    expect(parsed.graph.edges).toEqual([]);
    expect(parsed.steps).toEqual([
      {
        Name: 'B',
        Type: 'Processing',
        DependsOn: ['Ghost', 'B'],
        Arguments: { X: { Get: 'Steps.Elsewhere.Outputs' } }
      }
    ]);
    expect(parsed.parameters).toEqual([]);
    expect(parsed.version).toBeUndefined();
  });

  it.each([
    ['{not json', /not valid JSON/, 'notJson'],
    ['', /not valid JSON/, 'notJson'],
    ['[]', /must be a JSON object/, 'notObject'],
    ['null', /must be a JSON object/, 'notObject'],
    ['{"Parameters": []}', /no "Steps" list/, 'noSteps'],
    [
      '{"Steps": [{"Name": "A"}, {"Name": "A"}]}',
      /"A" is used twice/,
      'duplicateStep'
    ],
    [
      '{"Steps": [{"Name": "C", "Type": "Condition", "Arguments": {"IfSteps": [{"Name": "C"}]}}]}',
      /"C" is used twice/,
      'duplicateStep'
    ],
    ['{"Steps": [{"Type": "Processing"}]}', /needs a "Name"/, 'stepName'],
    [
      '{"Steps": [{"Name": "A", "DependsOn": "B"}]}',
      /must be a list/,
      'dependsOnNotList'
    ],
    [
      '{"Parameters": [{"Type": "String"}], "Steps": []}',
      /needs a "Name"/,
      'parameterName'
    ]
  ])(
    'refuses %j with a validation error naming the problem',
    (json, message, problem) => {
      let caught: unknown;
      try {
        parseDefinition(json);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MLOpsError);
      expect((caught as MLOpsError).kind).toBe('validation');
      expect((caught as MLOpsError).message).toMatch(message);
      expect((caught as MLOpsError).params.problem).toBe(problem);
    }
  );
});

describe('stepReferences', () => {
  it('finds step names in Get expressions at any depth, and nothing else', () => {
    expect(
      [
        ...stepReferences({
          a: [
            { b: { Get: "Steps.X.ProcessingOutputConfig.Outputs['o']" } },
            { Get: 'Parameters.Y' },
            { Get: 'Execution.PipelineExecutionId' },
            { Get: 'Steps.Z[0].Outputs' },
            { c: 'Steps.NotAnExpression' }
          ]
        })
      ].sort()
    ).toEqual(['X', 'Z']);
  });
});

describe('coerceParameter', () => {
  const spec = (
    type: ParameterType,
    enumValues?: string[]
  ): IParameterSpec => ({ name: 'p', type, enumValues });

  it.each<[ParameterType, string, string]>([
    ['Integer', '42', '42'],
    ['Integer', ' -7 ', '-7'],
    ['Integer', '+5', '5'],
    ['Integer', '007', '7'],
    ['Integer', '-0', '0'],
    ['Integer', '12345678901234567890', '12345678901234567890'],
    ['Float', '0.85', '0.85'],
    ['Float', '1e-3', '1e-3'],
    ['Float', '+2', '2'],
    ['Float', '.5', '.5'],
    ['Float', '3.', '3.'],
    ['Float', '-1.5E2', '-1.5E2'],
    ['Boolean', 'TRUE', 'true'],
    ['Boolean', ' False ', 'false'],
    ['String', 'ml.m5.xlarge', 'ml.m5.xlarge'],
    ['String', '  spaces kept  ', '  spaces kept  '],
    ['String', '', '']
  ])('%s accepts %j as %j', (type, raw, value) => {
    expect(coerceParameter(spec(type), raw)).toEqual({ ok: true, value });
  });

  it.each<[ParameterType, string, 'notInteger' | 'notNumber' | 'notBoolean']>([
    ['Integer', 'ten', 'notInteger'],
    ['Integer', '1.5', 'notInteger'],
    ['Integer', '1e3', 'notInteger'],
    ['Integer', '', 'notInteger'],
    ['Integer', '--1', 'notInteger'],
    ['Float', 'abc', 'notNumber'],
    ['Float', '', 'notNumber'],
    ['Float', '0x10', 'notNumber'],
    ['Float', 'Infinity', 'notNumber'],
    ['Float', 'NaN', 'notNumber'],
    ['Float', '1e400', 'notNumber'],
    ['Float', '1,5', 'notNumber'],
    ['Boolean', 'yes', 'notBoolean'],
    ['Boolean', '1', 'notBoolean']
  ])('%s refuses %j as %s', (type, raw, problem) => {
    expect(coerceParameter(spec(type), raw)).toEqual({
      ok: false,
      error: { problem, value: raw }
    });
  });

  it('checks enumerations exactly', () => {
    const approval = spec('String', ['Approved', 'PendingManualApproval']);
    expect(coerceParameter(approval, 'Approved')).toEqual({
      ok: true,
      value: 'Approved'
    });
    expect(coerceParameter(approval, 'approved')).toEqual({
      ok: false,
      error: {
        problem: 'notAllowed',
        value: 'approved',
        allowed: ['Approved', 'PendingManualApproval']
      }
    });
  });

  it("refuses values over SageMaker's 1024 characters", () => {
    expect(coerceParameter(spec('String'), 'x'.repeat(1024)).ok).toBe(true);
    expect(coerceParameter(spec('String'), 'x'.repeat(1025))).toEqual({
      ok: false,
      error: { problem: 'tooLong', limit: 1024 }
    });
  });
});

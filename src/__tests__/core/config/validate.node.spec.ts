import validator from '@rjsf/validator-ajv8';
import { readFileSync } from 'fs';
import { join } from 'path';

import { RawValidator, validateConfig } from '../../../core/config/validate';
import { applyValue, parseConfig } from '../../../core/config/yaml';

const SCHEMAS = join(__dirname, '..', '..', '..', '..', 'schema', 'config');
const MODEL = JSON.parse(
  readFileSync(join(SCHEMAS, 'model_config.schema.json'), 'utf8')
);
const STAGE = JSON.parse(
  readFileSync(join(SCHEMAS, 'stage_config.schema.json'), 'utf8')
);
const SEEDED = readFileSync(
  join(__dirname, 'model_config.fixture.yaml'),
  'utf8'
);
const FIXED = SEEDED.replace(
  's3://<project-bucket>/',
  's3://customer-churn-123456789012/'
);

const raw: RawValidator = (schema, data) =>
  (validator.rawValidation(schema as any, data as any).errors ?? []) as any;

function problems(
  text: string,
  schema = MODEL,
  format: 'yaml' | 'json' = 'yaml'
) {
  return validateConfig(parseConfig(text, format), schema, raw);
}

function errors(
  text: string,
  schema = MODEL,
  format: 'yaml' | 'json' = 'yaml'
) {
  return problems(text, schema, format)
    .filter(p => p.severity === 'error')
    .map(p => `${p.pointer} ${p.rule}: ${p.message}`);
}

describe('the model_config.yaml schema', () => {
  it('accepts the seeded file once the placeholder is replaced, warning on unknown keys', () => {
    const all = problems(FIXED);
    expect(all.filter(p => p.severity === 'error')).toEqual([]);
    expect(all.map(p => [p.pointer, p.severity, p.line])).toEqual([
      [
        '/notebook_defaults',
        'warning',
        FIXED.split('\n').findIndex(l => l.startsWith('notebook_defaults')) + 1
      ]
    ]);
  });

  it('refuses the placeholder input path, once, at its line', () => {
    const found = problems(SEEDED).filter(p => p.severity === 'error');
    expect(found).toHaveLength(1);
    expect(found[0].pointer).toBe('/data_config/inputs/data');
    expect(found[0].message).toMatch(/placeholder <project-bucket>/);
    expect(SEEDED.split('\n')[found[0].line - 1]).toContain(
      'data: "s3://<project-bucket>'
    );
  });

  const invalid: [string, (string | number)[], unknown, RegExp][] = [
    [
      'framework',
      ['framework'],
      'caffe',
      /\/framework enum: must be one of: xgboost/
    ],
    [
      'framework_version',
      ['framework_version'],
      '1.8-1',
      /not an XGBoost container version/
    ],
    [
      'data_config inputs',
      ['data_config', 'inputs', 'data'],
      'https://x/y',
      /must be an S3 URI/
    ],
    [
      'data_config split',
      ['data_config', 'split', 'train'],
      1.5,
      /must be at most 1/
    ],
    [
      'preprocess_config image',
      ['preprocess_config', 'image_uri'],
      'nginx:latest',
      /ECR image URI/
    ],
    [
      'preprocess_config count',
      ['preprocess_config', 'instance_count'],
      0,
      /must be at least 1/
    ],
    [
      'preprocess_config env',
      ['preprocess_config', 'env', 'LOG_LEVEL'],
      3,
      /must be a string/
    ],
    [
      'train_config type',
      ['train_config', 'instance_type'],
      'm5.xlarge',
      /SageMaker instance type/
    ],
    [
      'train_config count',
      ['train_config', 'instance_count'],
      'two',
      /must be a whole number/
    ],
    [
      'train_config volume',
      ['train_config', 'volume_size'],
      20000,
      /at most 16384/
    ],
    [
      'train_config spot',
      ['train_config', 'use_spot_instances'],
      true,
      /max_wait" is required/
    ],
    [
      'train_config output',
      ['train_config', 'output_path'],
      '/tmp/models',
      /S3 URI .* or null/
    ],
    [
      'train_config hyperparameters',
      ['train_config', 'hyperparameters', 'eta'],
      [0.1, 0.2],
      /passed to the container as strings/
    ],
    [
      'train_config metrics',
      ['train_config', 'metric_definitions', 0],
      { Name: 'auc' },
      /"Regex" is required/
    ],
    [
      'inference_config instances',
      ['inference_config', 'inference_instances'],
      [],
      /at least 1 item/
    ],
    [
      'inference_config content types',
      ['inference_config', 'content_types'],
      ['csv'],
      /MIME type/
    ],
    [
      'inference_config group',
      ['inference_config', 'model_package_group_name'],
      'a_b',
      /letters, digits and hyphens/
    ],
    [
      'inference_config status',
      ['inference_config', 'approval_status'],
      'Rejected',
      /PendingManualApproval, Approved/
    ],
    [
      'bias_config labels',
      ['bias_config', 'label_values_or_threshold'],
      [],
      /non-empty list of label values or a number/
    ],
    [
      'bias_config facet',
      ['bias_config', 'facet_name'],
      true,
      /column name or index/
    ]
  ];

  it.each(invalid)(
    'refuses an invalid %s at its pointer',
    (_name, keys, value, expected) => {
      const text = applyValue(FIXED, keys, value);
      const found = errors(text);
      expect(found.join('\n')).toMatch(expected);
      // Only errors of the change: the rest of the file is valid.
      const section = '/' + String(keys[0]);
      for (const line of found) {
        expect(line.startsWith(section)).toBe(true);
      }
    }
  );

  it('reports every error at once, each at its own line', () => {
    let text = applyValue(FIXED, ['train_config', 'instance_count'], 0);
    text = applyValue(text, ['framework'], 'caffe');
    text = applyValue(text, ['inference_config', 'approval_status'], 'Maybe');
    const found = problems(text).filter(p => p.severity === 'error');
    expect(found.map(p => p.pointer)).toEqual([
      '/framework',
      '/train_config/instance_count',
      '/inference_config/approval_status'
    ]);
    const lines = text.split('\n');
    expect(lines[found[1].line - 1]).toContain('instance_count: 0');
  });

  it('requires the documented top-level sections', () => {
    expect(errors('framework: xgboost\nframework_version: "1.7-1"\n')).toEqual([
      '/data_config required: "data_config" is required here',
      '/train_config required: "train_config" is required here',
      '/inference_config required: "inference_config" is required here'
    ]);
  });
});

describe('the stage config schema', () => {
  const stage = (entries: [string, unknown][]) =>
    JSON.stringify(
      entries.map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue
      })),
      null,
      2
    ) + '\n';

  it('accepts the seeded staging config', () => {
    expect(
      errors(
        stage([
          ['EnvType', 'staging'],
          ['EndpointInstanceCount', '1'],
          ['EndpointInstanceType', 'ml.m5.large']
        ]),
        STAGE,
        'json'
      )
    ).toEqual([]);
  });

  it('refuses wrong values and missing parameters', () => {
    const found = errors(
      stage([
        ['EnvType', 'qa'],
        ['EndpointInstanceCount', 2],
        ['ExtraParameter', 'kept']
      ]),
      STAGE,
      'json'
    );
    expect(found.join('\n')).toMatch(
      /\/0\/ParameterValue enum: EnvType must be dev, staging or prod/
    );
    expect(found.join('\n')).toMatch(
      /\/1\/ParameterValue type: must be a string/
    );
    expect(found.join('\n')).toMatch(
      / contains: needs an EndpointInstanceType parameter/
    );
  });
});

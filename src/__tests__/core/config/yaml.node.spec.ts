import { readFileSync } from 'fs';
import { join } from 'path';

import {
  applyValue,
  DEFAULT_LIMITS,
  parseConfig
} from '../../../core/config/yaml';

const SEEDED = readFileSync(
  join(__dirname, 'model_config.fixture.yaml'),
  'utf8'
);

/** The lines of `after` that differ from `before` (same line count expected). */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return b.filter((line, i) => line !== a[i]);
}

describe('parseConfig', () => {
  it('reads the seeded model_config.yaml with its data and positions', () => {
    const parsed = parseConfig(SEEDED);
    expect(parsed.problems).toEqual([]);
    const data = parsed.data as any;
    expect(data.train_config.instance_count).toBe(1);
    expect(data.framework_version).toBe('1.7-1');
    expect(data.train_config.hyperparameters.objective).toBe('binary:logistic');
    const at = parsed.locate('/train_config/instance_count');
    expect(SEEDED.split('\n')[at.line - 1]).toContain('instance_count: 1');
    // A missing key points at its parent's key.
    const missing = parsed.locate('/train_config/max_wait');
    expect(SEEDED.split('\n')[missing.line - 1]).toMatch(/^train_config:/);
  });

  it('resolves scalars by the YAML 1.2 core schema', () => {
    const parsed = parseConfig(
      'a: yes\nb: 1_000\nc: 0x1F\nd: .inf\ne: ~\nf: "1.0"\ng: 1.0\nh: on\n'
    );
    expect(parsed.data).toEqual({
      a: 'yes',
      b: '1_000',
      c: 31,
      d: Infinity,
      e: null,
      f: '1.0',
      g: 1,
      h: 'on'
    });
  });

  it('opens text that does not parse with the error at its line', () => {
    const parsed = parseConfig(
      'framework: xgboost\ntrain_config:\n  a: [1, 2\n'
    );
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems[0].rule).toBe('syntax');
    expect(parsed.problems[0].line).toBeGreaterThanOrEqual(3);
  });

  it('refuses duplicate keys at their line', () => {
    const parsed = parseConfig('a: 1\nb: 2\na: 3\n');
    expect(parsed.problems.map(p => [p.rule, p.line])).toEqual([
      ['duplicate-key', 3]
    ]);
  });

  it.each([
    ['a python object', 'a: !!python/object/apply:os.system ["id"]\n'],
    ['a local tag', 'a: !secret value\n'],
    ['a tagged map', 'a: !!omap\n  - b: 1\n']
  ])('refuses %s (only core tags)', (_name, text) => {
    const parsed = parseConfig(text);
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems[0].rule).toBe('tag');
  });

  it('refuses a billion-laughs document quickly, without expanding it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 40; i++) {
      lines.push(
        `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]`
      );
    }
    const started = Date.now();
    const parsed = parseConfig(lines.join('\n') + '\n');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems[0].rule).toBe('alias');
  });

  it('refuses deep nesting, several documents and huge files', () => {
    const deep =
      '['.repeat(DEFAULT_LIMITS.maxDepth + 5) +
      ']'.repeat(DEFAULT_LIMITS.maxDepth + 5);
    expect(parseConfig(`a: ${deep}\n`).problems[0].rule).toBe('depth');
    expect(parseConfig('a: 1\n---\nb: 2\n').problems[0].message).toMatch(
      /several YAML documents/
    );
    const huge = 'a: "' + 'x'.repeat(DEFAULT_LIMITS.maxBytes) + '"\n';
    expect(parseConfig(huge).problems[0].rule).toBe('size');
  });

  it('reads JSON stage configs, refusing YAML in a .json file', () => {
    const parsed = parseConfig(
      '[\n  {"ParameterKey": "EnvType", "ParameterValue": "staging"}\n]\n',
      'json'
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toEqual([
      { ParameterKey: 'EnvType', ParameterValue: 'staging' }
    ]);
    expect(parseConfig('- a: 1\n', 'json').problems[0].rule).toBe('syntax');
  });
});

describe('applyValue keeps comments, order and formatting', () => {
  it('changes only the scalar, keeping the aligned comment', () => {
    const after = applyValue(SEEDED, ['train_config', 'instance_count'], 3);
    expect(changedLines(SEEDED, after)).toEqual(['  instance_count: 3']);
    const framework = applyValue(SEEDED, ['framework_version'], '1.5-1');
    expect(changedLines(SEEDED, framework)).toEqual([
      'framework_version: "1.5-1"    # container version of the framework image'
    ]);
    expect((parseConfig(framework).data as any).framework_version).toBe(
      '1.5-1'
    );
  });

  it('quotes a string that would read as another type', () => {
    const after = applyValue(SEEDED, ['train_config', 'base_job_name'], '123');
    expect((parseConfig(after).data as any).train_config.base_job_name).toBe(
      '123'
    );
  });

  it('adds a key after its siblings and removes one by its lines', () => {
    const added = applyValue(SEEDED, ['train_config', 'max_wait'], 90000);
    const data = parseConfig(added).data as any;
    expect(data.train_config.max_wait).toBe(90000);
    expect(added.split('\n').length).toBe(SEEDED.split('\n').length + 1);
    expect(added).toContain('      Regex: "validation-auc');
    const removed = applyValue(added, ['train_config', 'max_wait'], undefined);
    expect(removed).toBe(SEEDED);
  });

  it('edits hyperparameters entry by entry and flow lists in place', () => {
    const after = applyValue(SEEDED, ['train_config', 'hyperparameters'], {
      ...(parseConfig(SEEDED).data as any).train_config.hyperparameters,
      eta: 0.3
    });
    expect(changedLines(SEEDED, after)).toEqual(['    eta: 0.3']);
    const list = applyValue(
      SEEDED,
      ['inference_config', 'inference_instances'],
      ['ml.m5.large']
    );
    expect(changedLines(SEEDED, list)).toEqual([
      '  inference_instances: [ ml.m5.large ]'
    ]);
  });

  it('sets a null value and a new nested section', () => {
    const after = applyValue(
      SEEDED,
      ['train_config', 'output_path'],
      's3://b/models'
    );
    expect(changedLines(SEEDED, after)).toEqual([
      '  output_path: s3://b/models           # null: s3://<project bucket>/models'
    ]);
    const nested = applyValue(
      SEEDED,
      ['train_config', 'checkpoint', 'path'],
      's3://b/c'
    );
    expect((parseConfig(nested).data as any).train_config.checkpoint).toEqual({
      path: 's3://b/c'
    });
  });
});

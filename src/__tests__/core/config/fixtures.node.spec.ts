/**
 * The shared fixtures (schema/config/fixtures, also checked by the server's
 * pytest) through the browser's reader and validator: the same verdict on
 * both sides.
 */
import validator from '@rjsf/validator-ajv8';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import { unknownKeys } from '../../../core/config/validate';
import { parseConfig } from '../../../core/config/yaml';

const ROOT = join(__dirname, '..', '..', '..', '..', 'schema', 'config');
const FIXTURES = join(ROOT, 'fixtures');
const SCHEMAS: Record<string, object> = {
  model_config: JSON.parse(
    readFileSync(join(ROOT, 'model_config.schema.json'), 'utf8')
  ),
  stage_config: JSON.parse(
    readFileSync(join(ROOT, 'stage_config.schema.json'), 'utf8')
  )
};

interface IExpectation {
  valid: boolean;
  errors: [string, string][];
  warnings: string[];
}

function expectationOf(file: string): IExpectation {
  const text = existsSync(file + '.expect')
    ? readFileSync(file + '.expect', 'utf8')
    : readFileSync(file, 'latin1');
  const out: IExpectation = { valid: false, errors: [], warnings: [] };
  for (const line of text.split('\n')) {
    const expect = /^# expect: (\S+)(?: (\S+))?/.exec(line);
    if (expect) {
      if (expect[1] === 'valid') {
        out.valid = true;
      } else {
        out.errors.push([expect[1] === '""' ? '' : expect[1], expect[2]]);
      }
    }
    const warn = /^# warn: (\S+)/.exec(line);
    if (warn) {
      out.warnings.push(warn[1]);
    }
  }
  return out;
}

function cases(kind: string, verdict: string): [string, string][] {
  const dir = join(FIXTURES, kind, verdict);
  return readdirSync(dir)
    .filter(f => !f.endsWith('.expect'))
    .map(f => [f, join(dir, f)]);
}

function decode(file: string): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch {
    return null;
  }
}

describe.each(['model_config', 'stage_config'])('%s fixtures', kind => {
  const schema = SCHEMAS[kind];
  it.each([...cases(kind, 'valid'), ...cases(kind, 'invalid')])(
    '%s',
    (_name, file) => {
      const expected = expectationOf(file);
      const parsed = parseConfig(
        decode(file)!,
        file.endsWith('.json') ? 'json' : 'yaml'
      );
      expect(parsed.problems).toEqual([]);
      const raw = (validator.rawValidation(schema as any, parsed.data as any)
        .errors ?? []) as any[];
      const found = raw
        .filter(e => e.keyword !== 'if')
        .map(e => [e.instancePath, e.keyword]);
      if (expected.valid) {
        expect(found).toEqual([]);
      } else {
        expect(found.length).toBeGreaterThan(0);
        for (const [pointer, rule] of expected.errors) {
          expect(found).toContainEqual([
            pointer === '*' ? expect.any(String) : pointer,
            rule
          ]);
        }
      }
      expect(unknownKeys(schema, parsed.data).map(w => w.pointer)).toEqual(
        expected.warnings
      );
    }
  );
});

describe('hostile fixtures', () => {
  const dir = join(FIXTURES, 'hostile');
  const files = readdirSync(dir).filter(f => !f.endsWith('.expect'));
  it.each(files)('%s is refused quickly, before any schema', name => {
    const file = join(dir, name);
    const text = decode(file);
    if (text === null) {
      // Not UTF-8: the editor never gets it as text (CodeCommit reads refuse it too).
      return;
    }
    const started = Date.now();
    const parsed = parseConfig(text, name.endsWith('.json') ? 'json' : 'yaml');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems.length).toBeGreaterThan(0);
  });
});

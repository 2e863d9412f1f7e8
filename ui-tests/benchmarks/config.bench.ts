/**
 * Benchmark: the shared-configuration editor on a 500-line model_config.yaml
 * (the seeded file with 230 hyperparameters, 100 environment variables and 50
 * metric definitions added) on a branch of its own. Time from running the
 * command to an editable form, and the parse + validation time of each
 * keystroke typed in the text view. Run with `make bench`.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as fs from 'fs';

import { commitAsColleague, configBranch, configFile } from '../tests/aws';
import { openProject, unique } from '../tests/helpers';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const KEYS = 40;

test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'sagemaker-mlops:connection': { refreshInterval: 600 }
  }
});

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    min: sorted[0],
    median: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1]
  };
};

/** The seeded file grown to about 500 lines. */
function grow(text: string): string {
  const hyper = Array.from(
    { length: 232 },
    (_, i) => `    hp_${i}: ${i / 10}`
  ).join('\n');
  const env = Array.from(
    { length: 100 },
    (_, i) => `    VAR_${i}: "value ${i}"`
  ).join('\n');
  const metrics = Array.from(
    { length: 50 },
    (_, i) =>
      `    - Name: metric:${i}\n      Regex: "metric-${i}=([0-9\\\\.]+)"`
  ).join('\n');
  return text
    .replace('    subsample: 0.8\n', `    subsample: 0.8\n${hyper}\n`)
    .replace('    LOG_LEVEL: INFO\n', `    LOG_LEVEL: INFO\n${env}\n`)
    .replace('  metric_definitions:\n', `  metric_definitions:\n${metrics}\n`)
    .replace('s3://<project-bucket>/', 's3://customer-churn-123456789012/');
}

test('config editor: tab to editable form, validation per keystroke (500 lines)', async ({
  page
}) => {
  test.setTimeout(900000);
  const { branch } = await configBranch(unique('bench-config'));
  await commitAsColleague(branch, grow);
  const lines = (await configFile(branch)).split('\n').length - 1;
  await openProject(page);

  const toForm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = Date.now();
    await page.evaluate(
      async args => {
        await (window as any).jupyterapp.commands.execute(
          'sagemaker-mlops:edit-shared-config',
          args
        );
      },
      { branch }
    );
    const editor = page.locator('.jp-MLOps-config');
    const count = editor.locator(
      '#jp-MLOps-config_train_config_instance_count'
    );
    await expect(count).toBeEditable({ timeout: 120000 });
    toForm.push(Date.now() - t0);
    if (i < RUNS - 1) {
      await page.evaluate(async () => {
        await (window as any).jupyterapp.commands.execute(
          'application:close-all'
        );
      });
      await expect(editor).toHaveCount(0);
    }
  }

  // Keystrokes in the text view: each one re-parses and re-validates the whole file.
  const editor = page.locator('.jp-MLOps-config');
  await editor.locator('.cm-line', { hasText: 'target_column: churn' }).click();
  await page.keyboard.press('End');
  const perKey: number[] = [];
  const round: number[] = [];
  for (let k = 0; k < KEYS; k++) {
    const t0 = Date.now();
    await page.keyboard.type(k % 2 ? 'x' : 'y');
    await expect(editor.locator('.jp-MLOps-config-status')).toContainText(
      'edited'
    );
    round.push(Date.now() - t0);
    perKey.push(Number(await editor.getAttribute('data-validation-ms')));
  }
  const result = {
    runs: RUNS,
    lines,
    keystrokes: KEYS,
    tabToEditableFormMs: stats(toForm),
    validationPerKeystrokeMs: stats(perKey),
    keystrokeRoundTripMs: stats(round)
  };
  const out = process.env.BENCH_OUT || 'test-results';
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(`${out}/bench-config.json`, JSON.stringify(result, null, 2));
  console.log(`BENCH ${JSON.stringify(result)}`);
});

/**
 * Benchmark: experiment runs. For each source, the time from opening an experiment's runs table to its first
 * rows, and to every run read (page by page); the rows in the DOM once all are read (virtualized). At --scale
 * (5,000 trial components in `<project>-scale`, 5,000 MLflow runs in `<project>`), and the compare of the 10
 * runs of `<project>-long-histories` (10,000-step histories): from Compare to the history chart drawn with 10
 * series; and the size of the chart's lazy chunk (uPlot and the charts), gzip. Run with `make bench`.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

import { PROJECT, openProject } from '../tests/helpers';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const LABEL = process.env.BENCH_LABEL || 'seeded';
const STATIC = path.resolve(
  __dirname,
  '../../python-server/sagemaker_mlops/labextension/static'
);
const PREFIX = '/lab/extensions/sagemaker-mlops/static/';

test.use({
  autoGoto: false,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    // Long enough that no timed refresh falls inside a measurement.
    'sagemaker-mlops:connection': { refreshInterval: 600 }
  }
});

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: sorted[Math.floor(sorted.length / 2)],
    max: sorted[sorted.length - 1]
  };
};

async function mlflowExperimentId(name: string): Promise<string> {
  const response = await fetch(
    `${process.env.MLFLOW_TRACKING_URI}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`
  );
  if (!response.ok) {
    throw new Error(`no MLflow experiment ${name}: ${response.status}`);
  }
  return (await response.json()).experiment.experiment_id;
}

test(`runs: time to first rows per source, compare with long histories (${LABEL})`, async ({
  page
}) => {
  test.setTimeout(1800000);
  const scale = LABEL === 'scale';
  const experiments = [
    {
      source: 'sagemaker-experiments',
      experimentId: scale ? `${PROJECT}-scale` : `${PROJECT}-experiments`,
      experimentName: scale ? `${PROJECT}-scale` : `${PROJECT}-experiments`
    },
    {
      source: 'mlflow',
      experimentId: await mlflowExperimentId(PROJECT),
      experimentName: PROJECT
    }
  ];
  const js: string[] = [];
  page.on('request', request => {
    const url = new URL(request.url());
    const i = url.pathname.indexOf(PREFIX);
    if (i >= 0 && url.pathname.endsWith('.js')) {
      js.push(url.pathname.slice(i + PREFIX.length));
    }
  });

  await page.goto();
  await openProject(page);
  const table = page.locator('.jp-MLOps-runs-table-tab');
  const rows = table.locator('.jp-MLOps-table-body [role="row"]');
  const count = table.locator('.jp-MLOps-table-count');
  const open = (args: Record<string, string>) =>
    page.evaluate(
      a =>
        (window as any).jupyterapp.commands.execute(
          'sagemaker-mlops:open-runs-table',
          a
        ),
      args
    );
  const closeAll = () =>
    page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('application:close-all')
    );

  // BENCH_PARTS: which parts to run (default both): tables, compare.
  const parts = (process.env.BENCH_PARTS || 'tables,compare').split(',');
  const sources: Record<string, unknown> = {};
  for (const experiment of parts.includes('tables') ? experiments : []) {
    const first: number[] = [];
    const all: number[] = [];
    let total = 0;
    let domRows = 0;
    for (let i = 0; i < RUNS; i++) {
      await closeAll();
      await expect(table).toHaveCount(0);
      const t0 = Date.now();
      await open(experiment);
      await expect(rows.first()).toBeVisible({ timeout: 300000 });
      first.push(Date.now() - t0);
      await expect(count).not.toContainText('reading more', {
        timeout: 600000
      });
      await expect(count).toContainText(' runs');
      all.push(Date.now() - t0);
      total = Number(
        ((await count.textContent()) ?? '').split(' of ')[1]?.replace(/\D/g, '')
      );
      domRows = await rows.count();
    }
    sources[experiment.source] = {
      experiment: experiment.experimentName,
      runs: total,
      firstRowsMs: stats(first),
      allRunsMs: stats(all),
      domRows
    };
  }

  let compare: Record<string, unknown> | null = null;
  if (scale && parts.includes('compare')) {
    const id = await mlflowExperimentId(`${PROJECT}-long-histories`);
    const times: number[] = [];
    const firstSeries: number[] = [];
    let chartFiles: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      await closeAll();
      await open({
        source: 'mlflow',
        experimentId: id,
        experimentName: `${PROJECT}-long-histories`
      });
      await expect(rows).toHaveCount(10, { timeout: 300000 });
      await table
        .getByRole('checkbox', { name: 'Select all shown runs' })
        .check();
      const before = js.length;
      const t0 = Date.now();
      await table.getByRole('button', { name: 'Compare (10)' }).click();
      await expect(
        page.locator(
          '.jp-MLOps-compare-tab .jp-MLOps-chart[data-chart-kind="line"] canvas'
        )
      ).toBeVisible({ timeout: 600000 });
      firstSeries.push(Date.now() - t0);
      const chart = page.locator(
        '.jp-MLOps-compare-tab .jp-MLOps-chart[data-chart-kind="line"][data-series-count="10"] canvas'
      );
      await expect(chart).toBeVisible({ timeout: 600000 });
      times.push(Date.now() - t0);
      if (i === 0) {
        chartFiles = js.slice(before).filter(f => {
          // uPlot's class names and the charts' own survive minification.
          const text = fs.readFileSync(path.join(STATIC, f), 'utf8');
          return text.includes('u-over') || text.includes('jp-MLOps-chart');
        });
      }
    }
    // The floor: the same 10 histories read straight from the tracking server, 6 at a time as the compare does.
    const search = await fetch(
      `${process.env.MLFLOW_TRACKING_URI}/api/2.0/mlflow/runs/search`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ experiment_ids: [id], max_results: 10 })
      }
    );
    const runIds: string[] = (await search.json()).runs.map(
      (r: any) => r.info.run_id
    );
    const direct: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = Date.now();
      const queue = [...runIds];
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let r = queue.shift(); r; r = queue.shift()) {
            const response = await fetch(
              `${process.env.MLFLOW_TRACKING_URI}/api/2.0/mlflow/metrics/get-history?run_id=${r}&metric_key=validation:auc&max_results=25000`
            );
            await response.json();
          }
        })
      );
      direct.push(Date.now() - t0);
    }
    let raw = 0;
    let gzip = 0;
    for (const f of new Set(chartFiles)) {
      const data = fs.readFileSync(path.join(STATIC, f));
      raw += data.length;
      gzip += zlib.gzipSync(data, { level: 9 }).length;
    }
    compare = {
      runs: 10,
      stepsPerHistory: 10000,
      toFirstSeriesMs: stats(firstSeries),
      toChartMs: stats(times),
      directHistoriesMs: stats(direct),
      firstToChartMs: times[0],
      chartChunk: {
        files: [...new Set(chartFiles)],
        rawKB: +(raw / 1024).toFixed(1),
        gzipKB: +(gzip / 1024).toFixed(1)
      }
    };
  }

  const result = { label: LABEL, runs: RUNS, sources, compare };
  const out = process.env.BENCH_OUT || 'test-results';
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    `${out}/bench-runs-${LABEL}.json`,
    JSON.stringify(result, null, 2)
  );
  console.log(`BENCH ${JSON.stringify(result)}`);
});

/**
 * Benchmark: time from opening the sidebar to the first pipeline rows, the AWS
 * requests one refresh issues with the sidebar open at its first screen, and
 * the requests made while the sidebar is open but idle and while it is hidden,
 * against whatever devstack is running (seeded or --scale).
 * Run with `make bench`.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as fs from 'fs';

import {
  PROJECT,
  control,
  openProject,
  pipelineRow,
  runFromMenu,
  unique
} from '../tests/helpers';
import { awsCallName, scrollThroughSection } from './support';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const LABEL = process.env.BENCH_LABEL || 'seeded';
/** A short refresh interval, so the idle and hidden windows span several of them. */
const INTERVAL_S = 5;
const WINDOW_MS = 30000;
/** Pages of runs read in the runs section (20 runs each) while scrolling through the biggest experiment. */
const RUN_PAGES = Number(process.env.BENCH_RUN_PAGES || 25);

test.use({
  autoGoto: false,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'sagemaker-mlops:connection': { refreshInterval: INTERVAL_S }
  }
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: sorted[Math.floor(sorted.length / 2)],
    max: sorted[sorted.length - 1]
  };
};

test(`sidebar: first rows, requests per refresh, idle and hidden (${LABEL})`, async ({
  page
}) => {
  test.setTimeout(900000);
  const calls: string[] = [];
  page.on('request', request => {
    const name = awsCallName(request);
    if (name) {
      calls.push(name);
    }
  });
  const count = (from: number) =>
    calls
      .slice(from)
      .reduce<Record<string, number>>(
        (acc, c) => ((acc[c] = (acc[c] ?? 0) + 1), acc),
        {}
      );

  /** Until no AWS request has been made for a second (the refresh and what it triggered are over). */
  const settle = async () => {
    let seen = -1;
    while (seen !== calls.length) {
      seen = calls.length;
      await page.waitForTimeout(1000);
    }
    await expect(panel.getByText('refreshing…')).toBeHidden({
      timeout: 300000
    });
  };

  const timings: number[] = [];
  const runsFirst: number[] = [];
  const complete: number[] = [];
  const firstOpen: number[] = [];
  await page.goto();
  await openProject(page);
  const panel = page.locator('#sagemaker-mlops-sidebar');
  const pipelines = panel.getByRole('region', {
    name: 'Pipelines',
    exact: true
  });
  const runs = panel.getByRole('region', { name: 'Runs', exact: true });
  for (let i = 0; i < RUNS; i++) {
    // A cold open: the panel closed before the reload, so the restored layout does not open (and load) it.
    if (await panel.isVisible()) {
      await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
      await expect(panel).toBeHidden();
      await page.waitForTimeout(1500); // the layout is saved
    }
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(panel).toBeHidden();
    const before = calls.length;
    const t0 = Date.now();
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
    await openProject(page);
    timings.push(Date.now() - t0);
    await expect(runs.locator('.jp-MLOps-experiment-row').first()).toBeVisible({
      timeout: 300000
    });
    runsFirst.push(Date.now() - t0);
    await expect(panel.getByText('refreshing…')).toBeHidden({
      timeout: 300000
    });
    complete.push(Date.now() - t0);
    firstOpen.push(calls.length - before);
  }

  // One refresh with the sidebar open at its first screen.
  const beforeRefresh = calls.length;
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await settle();
  const perRefresh = count(beforeRefresh);

  // Each section's rows in the DOM (virtualized: bounded whatever the data size), and the JS heap growth
  // after scrolling through everything: every pipeline; the runs of the biggest experiment, page by page.
  const pipelinesScroll = await scrollThroughSection(page, pipelines, {
    maxPages: 0,
    moreButton: /^Load more executions$/
  });
  const experiment = runs.locator(
    `.jp-MLOps-experiment-row[data-source="sagemaker-experiments"][data-experiment-name="${LABEL === 'scale' ? `${PROJECT}-scale` : `${PROJECT}-experiments`}"]`
  );
  await experiment.click();
  await expect(runs.locator('.jp-MLOps-run-row').first()).toBeVisible({
    timeout: 300000
  });
  const runsScroll = await scrollThroughSection(page, runs, {
    maxPages: RUN_PAGES,
    moreButton: /^Load more runs$/
  });
  await experiment.click(); // folded again: the idle windows below are the first screen's
  await settle();

  // Idle: open, nothing running that the view watches, for WINDOW_MS.
  const beforeIdle = calls.length;
  await page.waitForTimeout(WINDOW_MS);
  const idle = calls.length - beforeIdle;

  // One running execution, started from here (watched until it ends).
  await control('/executions/step-seconds', { seconds: 600 });
  const { row } = await pipelineRow(panel, 'build');
  await runFromMenu(page, row, unique('bench-running'));
  await page.waitForTimeout(2000);
  const beforeRunning = calls.length;
  await page.waitForTimeout(WINDOW_MS);
  const running = calls.length - beforeRunning;
  await control('/executions/step-seconds', { seconds: 2 });

  // Hidden: the sidebar collapsed, nothing else of the extension open (the running execution goes on).
  await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
  await expect(panel).toBeHidden();
  await page.waitForTimeout(1000);
  const beforeHidden = calls.length;
  await page.waitForTimeout(WINDOW_MS);
  const hidden = calls.length - beforeHidden;

  const rows = await panel.locator('.jp-MLOps-pipeline-row').count();
  const result = {
    label: LABEL,
    runs: RUNS,
    firstRowsMs: median(timings),
    firstScreenCompleteMs: median(complete),
    requestsOnOpen: median(firstOpen),
    requestsPerRefresh: Object.values(perRefresh).reduce((a, b) => a + b, 0),
    requestsByOperation: perRefresh,
    refreshIntervalSeconds: INTERVAL_S,
    idleRequestsPerMinute: Math.round((idle * 60000) / WINDOW_MS),
    runningRequestsPerMinute: Math.round((running * 60000) / WINDOW_MS),
    domRows: pipelinesScroll.domRows,
    domRowsAfterScrollingAll: pipelinesScroll.domRowsAfterScrollingAll,
    heapGrowthMBAfterScrollingAll:
      pipelinesScroll.heapGrowthMBAfterScrollingAll,
    runsSection: {
      firstExperimentRowsMs: median(runsFirst),
      ...runsScroll
    },
    hiddenRequestsPerMinute: Math.round((hidden * 60000) / WINDOW_MS),
    renderedPipelineRows: rows
  };
  // Outside test-results, which Playwright empties at each run.
  const out = process.env.BENCH_OUT || 'test-results';
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    `${out}/bench-${LABEL}.json`,
    JSON.stringify(result, null, 2)
  );
  console.log(`BENCH ${JSON.stringify(result)}`);
  expect(result.hiddenRequestsPerMinute).toBe(0);
});

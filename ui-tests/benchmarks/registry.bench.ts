/**
 * Benchmark: the Model registry section. Time from showing it to the first
 * group rows, then from expanding the project's group to its first version
 * rows; the AWS requests one refresh issues with that group expanded, and the
 * rows in the DOM. Against whatever devstack runs (seeded, or --scale with
 * 20,000 versions in the project's group). Run with `make bench`.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as fs from 'fs';

import { openProject, setSectionExpanded } from '../tests/helpers';
import { awsCallName, scrollThroughSection } from './support';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const LABEL = process.env.BENCH_LABEL || 'seeded';
/** More pages of versions read while scrolling through the project's group. */
const VERSION_PAGES = Number(process.env.BENCH_VERSION_PAGES || 25);

test.use({
  autoGoto: false,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    // Long enough that no timed refresh falls inside a measurement.
    'sagemaker-mlops:connection': { refreshInterval: 600 }
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

test(`registry: first rows and requests per refresh (${LABEL})`, async ({
  page
}) => {
  test.setTimeout(900000);
  const calls: string[] = [];
  page.on('request', request => {
    const name = awsCallName(request);
    if (name) {
      calls.push(name);
    } else if (request.url().includes('/sagemaker-mlops/registry/report')) {
      calls.push('server: registry/report');
    }
  });
  const byOperation = (from: number) =>
    calls
      .slice(from)
      .reduce<Record<string, number>>(
        (acc, c) => ((acc[c] = (acc[c] ?? 0) + 1), acc),
        {}
      );

  const panel = page.locator('#sagemaker-mlops-sidebar');
  const registry = panel.getByRole('region', {
    name: 'Model registry',
    exact: true
  });
  const groups = registry.locator('.jp-MLOps-group-row');
  const versions = registry.locator('.jp-MLOps-version-row');
  const settle = async () => {
    let seen = -1;
    while (seen !== calls.length) {
      seen = calls.length;
      await page.waitForTimeout(1000);
    }
    await expect(registry.getByText('refreshing…')).toBeHidden({
      timeout: 300000
    });
  };

  await page.goto();
  await openProject(page);
  // Only the registry section open: the pipelines section folded.
  await setSectionExpanded(panel, 'Model registry', true);
  await setSectionExpanded(panel, 'Pipelines', false);
  await setSectionExpanded(panel, 'Runs', false);
  await expect(groups.first()).toBeVisible({ timeout: 300000 });

  const firstGroups: number[] = [];
  const firstVersions: number[] = [];
  const onShow: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
    await expect(panel).toBeHidden();
    await page.waitForTimeout(1500); // the layout is saved, folded sections included
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    const before = calls.length;
    const t0 = Date.now();
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
    await expect(groups.first()).toBeVisible({ timeout: 300000 });
    firstGroups.push(Date.now() - t0);
    await settle();
    onShow.push(calls.length - before);
    const group = registry.locator('.jp-MLOps-group-row[data-shared="false"]');
    const t1 = Date.now();
    await group.first().click();
    await expect(versions.first()).toBeVisible({ timeout: 300000 });
    firstVersions.push(Date.now() - t1);
    await settle();
    await group.first().click(); // folded again for the next cold open
  }

  // One refresh with the project's group expanded.
  await registry
    .locator('.jp-MLOps-group-row[data-shared="false"]')
    .first()
    .click();
  await expect(versions.first()).toBeVisible({ timeout: 300000 });
  await settle();
  const beforeRefresh = calls.length;
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await settle();
  const perRefresh = byOperation(beforeRefresh);
  const domRows = await registry.locator('.jp-MLOps-row').count();

  // The JS heap growth after scrolling through the group's versions, reading VERSION_PAGES more pages.
  const scrolled = await scrollThroughSection(page, registry, {
    maxPages: VERSION_PAGES,
    moreButton: /^Load more versions$/
  });

  const result = {
    label: LABEL,
    runs: RUNS,
    firstGroupRowsMs: median(firstGroups),
    firstVersionRowsMs: median(firstVersions),
    requestsOnShow: median(onShow),
    requestsPerRefresh: Object.values(perRefresh).reduce((a, b) => a + b, 0),
    requestsByOperation: perRefresh,
    domRows,
    groupRows: await groups.count(),
    domRowsAfterScrollingAll: scrolled.domRowsAfterScrollingAll,
    versionPagesRead: scrolled.pagesRead,
    heapGrowthMBAfterScrollingAll: scrolled.heapGrowthMBAfterScrollingAll
  };
  const out = process.env.BENCH_OUT || 'test-results';
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    `${out}/bench-registry-${LABEL}.json`,
    JSON.stringify(result, null, 2)
  );
  console.log(`BENCH ${JSON.stringify(result)}`);
});

import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import {
  narrowSidebar,
  openProject,
  setSectionExpanded,
  unique
} from './helpers';
import {
  IRunSpec,
  createMlflowExperiment,
  createSageMakerExperiment
} from './runsData';

/**
 * Experiment runs against the devstack's real MLflow tracking server and its SageMaker Experiments: each test
 * creates its own experiment of the project with three runs (and one with a hostile name), opens it from the
 * Runs section, sorts by a metric, filters by a param, and compares the three runs.
 */

const HOSTILE = '<img src=x onerror="window.__mlopsRunsXss=1"> & <b>bold</b>';

/**
 * Three runs that differ in `lr` and `optimizer`, share `depth`; `val_auc` ends at 0.81, 0.93, 0.87. A fourth
 * run (named `fourth`) has neither `optimizer` nor `depth`, a lower `val_auc` and a hostile `note`.
 */
function threeRuns(prefix: string, fourth: string): IRunSpec[] {
  const curve = (last: number) =>
    Array.from({ length: 20 }, (_, step) =>
      Number((0.5 + (last - 0.5) * (1 - Math.exp(-(step + 1) / 4))).toFixed(5))
    );
  const loss = (scale: number) =>
    Array.from({ length: 20 }, (_, step) =>
      Number((scale / (step + 1)).toFixed(5))
    );
  return [
    {
      name: `${prefix}-alpha`,
      params: { lr: '0.1', depth: '4', optimizer: 'adam' },
      metrics: { val_auc: curve(0.81), train_loss: loss(0.9) }
    },
    {
      name: `${prefix}-beta`,
      params: { lr: '0.01', depth: '4', optimizer: 'sgd' },
      metrics: { val_auc: curve(0.93), train_loss: loss(0.7) }
    },
    {
      name: `${prefix}-gamma`,
      params: { lr: '0.001', depth: '4', optimizer: 'adam' },
      metrics: { val_auc: curve(0.87), train_loss: loss(0.8) }
    },
    {
      name: fourth,
      params: { lr: '0.5', note: HOSTILE },
      metrics: { val_auc: [0.6] }
    }
  ];
}

/** The Runs section, shown (the Pipelines and registry sections folded so that it has room). */
async function openRuns(page: IJupyterLabPageFixture): Promise<Locator> {
  const panel = await openProject(page);
  await setSectionExpanded(panel, 'Runs', true);
  await setSectionExpanded(panel, 'Pipelines', false);
  await setSectionExpanded(panel, 'Model registry', false);
  const runs = panel.getByRole('region', { name: 'Runs', exact: true });
  await expect(runs).toBeVisible();
  return runs;
}

/** Open the runs table of an experiment from its row's context menu. */
async function openTable(
  page: IJupyterLabPageFixture,
  runs: Locator,
  experimentName: string
): Promise<Locator> {
  const row = runs.locator(
    `.jp-MLOps-experiment-row[data-experiment-name="${experimentName}"]`
  );
  await expect(row).toBeVisible({ timeout: 30000 });
  await row.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open Runs Table' }).click();
  const table = page.locator('.jp-MLOps-runs-table-tab');
  await expect(table).toBeVisible();
  await expect(table.locator('.jp-MLOps-table-body [role="row"]')).toHaveCount(
    4
  );
  return table;
}

/** The names of the table's rows, top to bottom. */
async function rowNames(table: Locator): Promise<string[]> {
  return table.locator('.jp-MLOps-table-body [role="row"]').evaluateAll(rows =>
    rows
      .map(r => ({
        index: Number(r.getAttribute('aria-rowindex')),
        name: r.querySelector('[data-column="name"]')?.textContent?.trim() ?? ''
      }))
      .sort((a, b) => a.index - b.index)
      .map(r => r.name)
  );
}

/** Sort by val_auc (descending on the first click), filter by optimizer = adam, then clear the filter. */
async function sortAndFilter(
  table: Locator,
  prefix: string,
  fourth: string
): Promise<void> {
  const header = table.locator(
    '[role="columnheader"][data-column="metric:val_auc"]'
  );
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  expect(await rowNames(table)).toEqual([
    `${prefix}-beta`,
    `${prefix}-gamma`,
    `${prefix}-alpha`,
    fourth
  ]);
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  expect((await rowNames(table))[0]).toBe(fourth);

  await table
    .getByRole('combobox', { name: 'Parameter to filter by' })
    .selectOption('optimizer');
  await table
    .getByRole('combobox', { name: 'Value of optimizer' })
    .selectOption('adam');
  await expect(table.locator('.jp-MLOps-table-body [role="row"]')).toHaveCount(
    2
  );
  expect(await rowNames(table)).toEqual([`${prefix}-alpha`, `${prefix}-gamma`]);
  await table
    .getByRole('button', { name: 'Remove the filter on optimizer' })
    .click();
  await expect(table.locator('.jp-MLOps-table-body [role="row"]')).toHaveCount(
    4
  );
}

/** Select the three runs and compare them: the differing params are highlighted. */
async function compareThree(
  page: IJupyterLabPageFixture,
  table: Locator,
  prefix: string
): Promise<Locator> {
  for (const suffix of ['alpha', 'beta', 'gamma']) {
    await table
      .getByRole('checkbox', { name: `Select run ${prefix}-${suffix}` })
      .check();
  }
  await table.getByRole('button', { name: 'Compare (3)' }).click();
  const compare = page.locator('.jp-MLOps-compare-tab');
  await expect(compare).toBeVisible();
  await expect(
    compare.getByRole('heading', { name: 'Comparing 3 runs' })
  ).toBeVisible();
  const params = compare.locator('.jp-MLOps-params-table');
  for (const name of ['lr', 'optimizer']) {
    await expect(params.locator(`tr[data-param="${name}"]`)).toHaveClass(
      /jp-MLOps-differs/
    );
  }
  await expect(params.locator('tr[data-param="depth"]')).not.toHaveClass(
    /jp-MLOps-differs/
  );
  await compare
    .getByRole('checkbox', { name: 'Show only differences' })
    .check();
  await expect(params.locator('tr[data-param="depth"]')).toHaveCount(0);
  await expect(params.locator('tr[data-param="lr"]')).toBeVisible();
  await compare
    .getByRole('checkbox', { name: 'Show only differences' })
    .uncheck();
  return compare;
}

/** Screenshots of the compare tab in the light theme and in the dark one. */
async function screenshots(
  page: IJupyterLabPageFixture,
  compare: Locator,
  name: string
): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await compare.locator('.jp-MLOps-chart').first().scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `test-results/${name}-light.png` });
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Dark'
    })
  );
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    'false'
  );
  await page.waitForTimeout(500);
  await page.screenshot({ path: `test-results/${name}-dark.png` });
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Light'
    })
  );
}

test.describe('Runs', () => {
  test('MLflow: runs table sorted by a metric, filtered by a param, three runs compared with their history chart @smoke', async ({
    page
  }) => {
    const prefix = unique('mlflow');
    const experiment = `customer-churn-galata-${prefix}`;
    // MLflow allows any run name: the fourth run's name is hostile too.
    await createMlflowExperiment(experiment, threeRuns(prefix, HOSTILE));

    const runs = await openRuns(page);
    const row = runs.locator(
      `.jp-MLOps-experiment-row[data-experiment-name="${experiment}"]`
    );
    await expect(row).toBeVisible({ timeout: 30000 });
    await expect(row.locator('.jp-MLOps-source')).toHaveText('MLflow');
    // Expanded in the sidebar: the runs newest first, with their status and key metric.
    await row.click();
    const runRows = runs.locator('.jp-MLOps-run-row');
    await expect(runRows.first()).toContainText(HOSTILE);
    await expect(runRows.first()).toContainText('Completed');
    await expect(runRows.first()).toContainText('val_auc');

    const table = await openTable(page, runs, experiment);
    // Hostile names are text, never markup.
    await expect(
      table.getByText(HOSTILE, { exact: true }).first()
    ).toBeVisible();
    expect(await page.evaluate(() => (window as any).__mlopsRunsXss)).toBe(
      undefined
    );
    await expect(
      table.locator('.jp-MLOps-table-body .jp-MLOps-source').first()
    ).toHaveText('MLflow');

    await sortAndFilter(table, prefix, HOSTILE);
    await page.screenshot({ path: 'test-results/runs-table-mlflow.png' });
    const compare = await compareThree(page, table, prefix);

    // The history chart of val_auc: one series per run, drawn on a canvas.
    const chart = compare.locator('.jp-MLOps-chart[data-chart-kind="line"]');
    await expect(chart).toHaveAttribute('data-series-count', '3', {
      timeout: 30000
    });
    await expect(chart.locator('canvas')).toBeVisible();
    const scatter = compare.locator(
      '.jp-MLOps-chart[data-chart-kind="scatter"]'
    );
    await expect(scatter).toHaveAttribute('data-series-count', '3');
    await expect(
      compare.getByRole('img', { name: /val_auc over steps, 3 runs/ })
    ).toBeVisible();
    // min and max from the histories
    await expect(
      compare.locator('.jp-MLOps-metrics-table tr[data-metric="val_auc"]')
    ).not.toContainText('reading');
    await compare.getByRole('checkbox', { name: 'Log scale' }).check();
    await expect(chart.locator('canvas')).toBeVisible();
    await screenshots(page, compare, 'runs-compare-mlflow');
  });

  test('SageMaker Experiments: runs table sorted by a metric, filtered by a param, three runs compared', async ({
    page
  }) => {
    const prefix = unique('sm');
    const experiment = `customer-churn-galata-${prefix}`;
    // SageMaker display names are alphanumerics and hyphens: the hostile text is a parameter's value.
    await createSageMakerExperiment(
      experiment,
      threeRuns(prefix, `${prefix}-delta`)
    );

    const runs = await openRuns(page);
    const row = runs.locator(
      `.jp-MLOps-experiment-row[data-experiment-name="${experiment}"]`
    );
    await expect(row).toBeVisible({ timeout: 30000 });
    await expect(row.locator('.jp-MLOps-source')).toHaveText('SageMaker');

    const table = await openTable(page, runs, experiment);
    await expect(
      table.getByText(HOSTILE, { exact: true }).first()
    ).toBeVisible();
    await expect(
      table.locator('.jp-MLOps-table-body .jp-MLOps-source').first()
    ).toHaveText('SageMaker');
    expect(await page.evaluate(() => (window as any).__mlopsRunsXss)).toBe(
      undefined
    );
    await sortAndFilter(table, prefix, `${prefix}-delta`);
    const compare = await compareThree(page, table, prefix);

    // SageMaker Experiments keep a summary per metric: min and max are known, there is no step history.
    await expect(
      compare.locator('.jp-MLOps-metrics-table tr[data-metric="val_auc"]')
    ).toContainText('0.9271');
    await expect(
      compare.getByText(
        /3 runs from SageMaker Experiments have no step history/
      )
    ).toBeVisible();
    const scatter = compare.locator(
      '.jp-MLOps-chart[data-chart-kind="scatter"]'
    );
    await expect(scatter).toHaveAttribute('data-series-count', '3', {
      timeout: 30000
    });
    await expect(scatter.locator('canvas')).toBeVisible();
    await screenshots(page, compare, 'runs-compare-sagemaker');
  });

  test("Notebook: the command shows the runs of the kernel's active MLflow run, else every run of the project", async ({
    page
  }) => {
    const prefix = unique('nb');
    const experiment = `customer-churn-galata-${prefix}`;
    const { experimentId } = await createMlflowExperiment(
      experiment,
      threeRuns(prefix, `${prefix}-delta`)
    );
    await openProject(page);
    // Galata's createNew with a name renames through a path JupyterLab 4.5 does not have: the default name.
    const notebook = (await page.notebook.createNew()) ?? 'Untitled.ipynb';
    // The cell typed and run from the keyboard (Galata's cell helpers click where JupyterLab 4.5 has its toolbar).
    const notebookPanel = page.locator('.jp-NotebookPanel');
    const firstCell = notebookPanel.locator('.jp-Cell .cm-content').first();
    await firstCell.click();
    await page.keyboard.insertText(
      [
        'import mlflow',
        `mlflow.set_tracking_uri(${JSON.stringify(process.env.MLFLOW_TRACKING_URI)})`,
        `active = mlflow.start_run(experiment_id="${experimentId}", run_name="${prefix}-notebook")`,
        'print(active.info.run_id)'
      ].join('\n')
    );
    await page.keyboard.press('Shift+Enter');
    const output = notebookPanel.locator('.jp-OutputArea-output').first();
    await expect(output).toHaveText(/^[0-9a-f]{32}\s*$/, { timeout: 60000 });
    const runId = ((await output.textContent()) ?? '').trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);

    const palette = async () => {
      await page.keyboard.press('Control+Shift+C');
      const input = page
        .getByRole('textbox', { name: 'Command palette' })
        .or(page.locator('.lm-CommandPalette-input'));
      await input.first().fill("Show Runs of This Notebook's Experiment");
      await page.keyboard.press('Enter');
    };
    await page.notebook.activate(notebook);
    await palette();
    const table = page.locator('.jp-MLOps-runs-table-tab');
    await expect(
      page.getByRole('tab', { name: `Runs · ${experiment}` })
    ).toBeVisible({ timeout: 30000 });
    const marked = table.locator('.jp-MLOps-highlight');
    await expect(marked).toHaveAttribute('data-run-id', runId);
    await expect(marked).toContainText(`${prefix}-notebook`);

    // Once the run ended, the kernel records to no run: the table of every run of the project opens.
    await page.notebook.activate(notebook);
    await firstCell.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('mlflow.end_run()');
    await page.keyboard.press('Shift+Enter');
    await palette();
    await expect(
      page.getByRole('tab', { name: 'Runs · customer-churn', exact: true })
    ).toBeVisible({ timeout: 30000 });
    await expect(
      page.getByText(
        "The notebook's kernel has no active MLflow or SageMaker run",
        {
          exact: false
        }
      )
    ).toBeVisible();
  });

  test('reads well at 220 px: experiment and run names on their lines, nothing spills sideways', async ({
    page
  }) => {
    const panel = await openProject(page);
    await narrowSidebar(page, panel, 220);
    const runs = await openRuns(page);

    // The seeded MLflow experiment named after the project, expanded: runs with their status and metrics.
    const experiment = runs.locator(
      '.jp-MLOps-experiment-row[data-source="mlflow"][data-experiment-name="customer-churn"]'
    );
    // The tree is virtualized: scroll it until the row is rendered.
    const tree = runs.locator('.jp-MLOps-tree');
    for (let i = 0; i < 50 && (await experiment.count()) === 0; i++) {
      await tree.evaluate(n => n.scrollBy(0, 150));
      await page.waitForTimeout(100);
    }
    await experiment.scrollIntoViewIfNeeded();
    await experiment.click();
    const run = runs.locator('.jp-MLOps-run-row').first();
    await expect(run).toBeVisible();
    await expect(run.locator('.jp-MLOps-metric-chip').first()).toBeVisible();
    const boxes = await runs
      .locator('.jp-MLOps-row-name, .jp-MLOps-metric-chip')
      .evaluateAll(nodes =>
        nodes.map(n => {
          const r = n.getBoundingClientRect();
          return {
            text: n.textContent ?? '',
            width: r.width,
            height: r.height
          };
        })
      );
    expect(boxes.length).toBeGreaterThan(4);
    for (const b of boxes) {
      expect(b.width, `"${b.text}" is ${b.width}x${b.height}`).toBeGreaterThan(
        b.height
      );
    }
    const overflow = await runs
      .locator('.jp-MLOps-tree')
      .evaluate(n => n.scrollWidth - n.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: 'test-results/runs-sidebar-220px.png' });
  });
});

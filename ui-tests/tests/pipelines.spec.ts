import { expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import {
  control,
  executionRow,
  openFolder,
  openProject,
  pipelineRow,
  PROJECT,
  runFromMenu,
  unique
} from './helpers';

/** Press the sidebar's Refresh until `check` passes (status changes land at the next refresh). */
async function refreshUntil(
  panel: Locator,
  check: () => Promise<void>,
  timeout = 90000
): Promise<void> {
  await expect(async () => {
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await check();
  }).toPass({ timeout, intervals: [2000, 3000, 5000] });
}

test.describe('Pipelines in the sidebar', () => {
  test.afterEach(async () => {
    await control('/faults/reset', {});
    await control('/executions/step-seconds', { seconds: 2 });
  });

  test("shows only the project's pipelines, and the failure reason of a failed execution's step", async ({
    page
  }) => {
    await control('/executions/step-seconds', { seconds: 1 });
    const panel = await openProject(page);
    const names = await panel
      .locator('.jp-MLOps-pipeline-row')
      .evaluateAll(nodes =>
        nodes.map(n => (n as HTMLElement).dataset.pipelineName ?? '')
      );
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) {
      expect(name.startsWith(PROJECT)).toBe(true);
    }
    expect(names.some(n => n.startsWith('fraud-detection'))).toBe(false);

    // Its own failed execution: the Evaluate step fails with a reason.
    const { row, name } = await pipelineRow(panel, 'build');
    const reason = unique('injected-failure');
    await control('/executions/fail-next', {
      pipelineName: name,
      step: 'Evaluate',
      reason
    });
    const displayName = unique('fails');
    await runFromMenu(page, row, displayName);
    const execution = await executionRow(panel, row, displayName);
    await refreshUntil(panel, () =>
      expect(execution).toHaveAttribute('data-status', 'Failed')
    );
    await execution.click();
    await expect(
      panel.locator('.jp-MLOps-step-row[data-step-name="Evaluate"]')
    ).toContainText(reason);
    await page.screenshot({ path: 'test-results/sidebar-pipelines.png' });
  });

  test('runs a pipeline by right-click with a changed parameter and sees it succeed', async ({
    page
  }) => {
    test.setTimeout(240000);
    await control('/executions/step-seconds', { seconds: 1 });
    const panel = await openProject(page);
    const { row } = await pipelineRow(panel, 'build');
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Run .*…$/ }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    // A typed parameter: an invalid integer is refused with a clear message, the values are kept.
    const integerField = dialog.locator('input[inputmode="numeric"]').first();
    await integerField.fill('ten');
    const first = await dialog.elementHandle();
    await dialog.getByRole('button', { name: 'Run' }).click();
    await first?.waitForElementState('hidden');
    // Run re-opens the dialog with the value kept and the error said.
    const reopened = page.getByRole('dialog');
    await expect(reopened.getByRole('alert').first()).toContainText(
      '"ten" is not a whole number.'
    );
    const field = reopened.locator('input[inputmode="numeric"]').first();
    await expect(field).toHaveValue('ten');
    // The refused field has the focus, ready to be corrected.
    await expect(field).toBeFocused();
    await field.fill('3');
    await expect(reopened.getByRole('alert')).toHaveCount(0);
    await reopened.getByRole('button', { name: 'Run' }).click();
    await expect(page.getByText(/^Started customer-churn-p-/)).toBeVisible();
    await expect(page.getByText(/succeeded\.$/).first()).toBeVisible({
      timeout: 120000
    });
  });

  test('stops its own running execution, and retries its own failed one', async ({
    page
  }) => {
    const panel = await openProject(page);
    const { row, name } = await pipelineRow(panel, 'build');

    // A long-running execution of its own, stopped from its context menu.
    await control('/executions/step-seconds', { seconds: 600 });
    const running = unique('stop-me');
    await runFromMenu(page, row, running);
    const runningRow = await executionRow(panel, row, running);
    await expect(runningRow).toHaveAttribute('data-status', 'Executing');
    await runningRow.click({ button: 'right' });
    await expect(
      page.getByRole('menuitem', { name: 'Retry Pipeline Execution' })
    ).toHaveAttribute('aria-disabled', 'true');
    await page
      .getByRole('menuitem', { name: 'Stop Pipeline Execution' })
      .click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Stop' })
      .click();
    await expect(page.getByText(/^Stopping /)).toBeVisible();
    await refreshUntil(panel, () =>
      expect(runningRow).toHaveAttribute('data-status', /^(Stopping|Stopped)$/)
    );

    // A failed execution of its own, retried from its context menu.
    await control('/executions/step-seconds', { seconds: 1 });
    await control('/executions/fail-next', {
      pipelineName: name,
      step: 'Evaluate'
    });
    const failing = unique('retry-me');
    await runFromMenu(page, row, failing);
    const failedRow = await executionRow(panel, row, failing);
    await refreshUntil(panel, () =>
      expect(failedRow).toHaveAttribute('data-status', 'Failed')
    );
    await failedRow.click({ button: 'right' });
    await expect(
      page.getByRole('menuitem', { name: 'Stop Pipeline Execution' })
    ).toHaveAttribute('aria-disabled', 'true');
    await page
      .getByRole('menuitem', { name: 'Retry Pipeline Execution' })
      .click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Retry' })
      .click();
    await expect(page.getByText(/^Retrying /)).toBeVisible();
    await refreshUntil(panel, () =>
      expect(failedRow).toHaveAttribute(
        'data-status',
        /^(Executing|Succeeded)$/
      )
    );
  });

  test('opens the execution tab with step status, details and log @smoke', async ({
    page
  }) => {
    await control('/executions/step-seconds', { seconds: 1 });
    const panel = await openProject(page);
    const { row } = await pipelineRow(panel, 'build');
    const displayName = unique('graph');
    await runFromMenu(page, row, displayName);
    const execution = await executionRow(panel, row, displayName);
    await refreshUntil(panel, () =>
      expect(execution).toHaveAttribute('data-status', 'Succeeded')
    );
    await execution.click({ button: 'right' });
    await page
      .getByRole('menuitem', { name: 'Open Pipeline Execution' })
      .click();
    const graph = page.getByRole('group', { name: /^Pipeline graph of / });
    await expect(graph).toBeVisible();
    await graph.getByRole('button', { name: /^Step Train: Succeeded/ }).click();
    const details = page.getByRole('complementary', { name: 'Step details' });
    await expect(details).toContainText('Succeeded');
    await expect(details.getByLabel('Step log')).toBeVisible();
    await expect(page.getByText(/^\d+ parameters?$/)).toBeVisible();
    await page.screenshot({ path: 'test-results/execution-graph.png' });
  });

  test('renders hostile names and descriptions literally', async ({ page }) => {
    const panel = await openProject(page);
    let dialogs = 0;
    page.on('dialog', d => {
      dialogs++;
      void d.dismiss();
    });
    await expect(
      panel.locator('.jp-MLOps-pipeline-row[title*="<img"]').first()
    ).toBeAttached();
    expect(await panel.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toBe(0);
  });

  test('says which action was denied when the role may not start a pipeline', async ({
    page
  }) => {
    await control('/faults', { accessDenied: ['StartPipelineExecution'] });
    const panel = await openProject(page);
    const { row } = await pipelineRow(panel, 'build');
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Run .*…$/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Run' }).click();
    await expect(
      page.getByText(
        /Access denied: your role lacks permission for sagemaker:StartPipelineExecution\./
      )
    ).toBeVisible();
  });
});

test.describe('Run as my pipeline', () => {
  test('a pipeline definition file becomes my pipeline of the project and runs', async ({
    page,
    tmpPath
  }) => {
    await openProject(page);
    const definition = {
      Version: '2020-12-01',
      Parameters: [{ Name: 'Epochs', Type: 'Integer', DefaultValue: 3 }],
      Steps: [
        { Name: 'Prepare', Type: 'Processing', Arguments: {} },
        {
          Name: 'Train',
          Type: 'Training',
          DependsOn: ['Prepare'],
          Arguments: {}
        }
      ]
    };
    await page.contents.uploadContent(
      JSON.stringify(definition, null, 2),
      'text',
      `${tmpPath}/my_pipeline.json`
    );
    await openFolder(page, tmpPath);
    await page
      .locator('.jp-DirListing-item', { hasText: 'my_pipeline.json' })
      .click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Run as My Pipeline' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(
      'customer-churn-data-scientist-user-pipeline'
    );
    await expect(
      dialog.getByRole('textbox', { name: 'Epochs (integer)' })
    ).toHaveValue('3');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await expect(
      page.getByText('Started customer-churn-data-scientist-user-pipeline.')
    ).toBeVisible();
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
    const panel = page.locator('#sagemaker-mlops-sidebar');
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect(
      panel.locator(
        '.jp-MLOps-pipeline-row[data-pipeline-name="customer-churn-data-scientist-user-pipeline"]'
      )
    ).toBeVisible({ timeout: 60000 });
  });
});

import { expect, test } from '@jupyterlab/galata';

import { PROJECT, control, openProject } from './helpers';

test.describe('Pipelines in the sidebar', () => {
  test.afterEach(async () => {
    await control('/faults/reset', {});
  });

  test("shows only the project's pipelines, and the failure reason of a failed execution's step", async ({
    page
  }) => {
    const panel = await openProject(page);
    const rows = panel.locator('.jp-MLOps-pipeline-row');
    await expect(rows.first()).toBeVisible();
    const names = await rows.evaluateAll(nodes =>
      nodes.map(n => (n as HTMLElement).dataset.pipelineName ?? '')
    );
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) {
      expect(name.startsWith(PROJECT)).toBe(true);
    }
    expect(names.some(n => n.startsWith('fraud-detection'))).toBe(false);

    const build = rows.filter({ hasText: /^customer-churn-p-/ }).first();
    await build.click();
    await panel
      .getByRole('combobox', { name: /Filter executions of customer-churn-p-/ })
      .selectOption('Failed');
    const failed = panel
      .locator('.jp-MLOps-execution-row[data-status="Failed"]')
      .first();
    await expect(failed).toBeVisible();
    await failed.click();
    await expect(panel.getByText('Failure reason:').first()).toBeVisible();
    await expect(
      panel.locator('.jp-MLOps-step-row .jp-MLOps-failure').first()
    ).toBeVisible();
    await page.screenshot({ path: 'test-results/sidebar-pipelines.png' });
  });

  test('runs a pipeline by right-click with a changed parameter and sees it succeed', async ({
    page
  }) => {
    const panel = await openProject(page);
    const build = panel
      .locator('.jp-MLOps-pipeline-row')
      .filter({ hasText: /^customer-churn-p-/ })
      .first();
    await build.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Run .*…$/ }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    // A typed parameter: an invalid integer is refused with a clear message, the values are kept.
    const integerField = dialog.locator('input[inputmode="numeric"]').first();
    await integerField.fill('ten');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await expect(
      page.getByRole('dialog').getByRole('alert').first()
    ).toBeVisible();
    await page
      .getByRole('dialog')
      .locator('input[inputmode="numeric"]')
      .first()
      .fill('3');
    await page.getByRole('dialog').getByRole('button', { name: 'Run' }).click();
    await expect(page.getByText(/^Started customer-churn-p-/)).toBeVisible();
    await expect(page.getByText(/succeeded\.$/).first()).toBeVisible({
      timeout: 120000
    });
  });

  test('stops a running execution and retries a failed one', async ({
    page
  }) => {
    const panel = await openProject(page);
    const build = panel
      .locator('.jp-MLOps-pipeline-row')
      .filter({ hasText: /^customer-churn-p-/ })
      .first();
    await build.click();
    const filter = panel.getByRole('combobox', {
      name: /Filter executions of customer-churn-p-/
    });

    await filter.selectOption('Executing');
    const running = panel
      .locator('.jp-MLOps-execution-row[data-status="Executing"]')
      .first();
    await expect(running).toBeVisible();
    await running.click({ button: 'right' });
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

    await filter.selectOption('Failed');
    const failed = panel
      .locator('.jp-MLOps-execution-row[data-status="Failed"]')
      .first();
    await expect(failed).toBeVisible();
    await failed.click({ button: 'right' });
    await page
      .getByRole('menuitem', { name: 'Retry Pipeline Execution' })
      .click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Retry' })
      .click();
    await expect(page.getByText(/^Retrying /)).toBeVisible();
  });

  test('opens the graph of an execution with step status and details', async ({
    page
  }) => {
    const panel = await openProject(page);
    const build = panel
      .locator('.jp-MLOps-pipeline-row')
      .filter({ hasText: /^customer-churn-p-/ })
      .first();
    await build.click();
    await panel
      .getByRole('combobox', { name: /Filter executions of customer-churn-p-/ })
      .selectOption('Succeeded');
    const done = panel
      .locator('.jp-MLOps-execution-row[data-status="Succeeded"]')
      .first();
    await done.click({ button: 'right' });
    await page
      .getByRole('menuitem', { name: 'Open Pipeline Execution Graph' })
      .click();
    const graph = page.getByRole('group', { name: /^Pipeline graph of / });
    await expect(graph).toBeVisible();
    await graph.getByRole('button', { name: /^Step Train/ }).click();
    const details = page.getByRole('complementary', { name: 'Step details' });
    await expect(details).toContainText('Succeeded');
    await expect(details.getByLabel('Step log')).toBeVisible();
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
    const build = panel
      .locator('.jp-MLOps-pipeline-row')
      .filter({ hasText: /^customer-churn-p-/ })
      .first();
    await build.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Run .*…$/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Run' }).click();
    await expect(
      page.getByText(
        /Access denied: your role lacks permission for StartPipelineExecution/
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
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openDirectory(tmpPath);
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

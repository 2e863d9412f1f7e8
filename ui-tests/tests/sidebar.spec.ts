import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';

import {
  narrowSidebar,
  openProject,
  openSidebar,
  pipelineRow
} from './helpers';

test.describe('SageMaker MLOps sidebar', () => {
  test('opens from the left bar and shows the identity the server acts as @smoke', async ({
    page
  }) => {
    const panel = await openSidebar(page);
    await expect(
      panel.getByRole('heading', { name: 'SageMaker MLOps' })
    ).toBeVisible();
    const identity = panel.getByRole('region', { name: 'AWS identity' });
    // The devstack's data-scientist role session, resolved by STS GetCallerIdentity on the server.
    await expect(
      identity.getByText(
        /^arn:aws:sts::123456789012:assumed-role\/data-scientist\//
      )
    ).toBeVisible();
    await expect(
      identity.getByText('123456789012', { exact: true })
    ).toBeVisible();
    await expect(
      identity.getByText('us-east-1', { exact: true })
    ).toBeVisible();
    await page.screenshot({ path: 'test-results/sidebar-identity.png' });
  });

  test('is reachable from the command palette', async ({ page }) => {
    await page.keyboard.press('Control+Shift+C');
    await page
      .getByRole('textbox', { name: /Search/i })
      .first()
      .fill('Open SageMaker MLOps Sidebar');
    await page.keyboard.press('Enter');
    await expect(page.locator('#sagemaker-mlops-sidebar')).toBeVisible();
  });

  test('reads well at 220 px: no name broken letter by letter', async ({
    page
  }) => {
    const panel = await openProject(page);
    await narrowSidebar(page, panel, 220);

    // The build and the deploy pipelines read differently: their role, and the end of their name that differs.
    const seen = async (role: 'build' | 'deploy') => {
      const { row, name } = await pipelineRow(panel, role);
      const tail = row.locator('.jp-MLOps-mid-tail');
      const fits = await tail.evaluate(n => {
        const r = n.getBoundingClientRect();
        const line = n.closest('.jp-MLOps-row')!.getBoundingClientRect();
        return n.scrollWidth <= n.clientWidth + 1 && r.right <= line.right + 1;
      });
      expect(fits, `the end of ${name} is visible`).toBe(true);
      expect(await row.getAttribute('title')).toContain(name);
      return `${await row.locator('.jp-MLOps-role').innerText()} ${await tail.innerText()}`;
    };
    const build = await seen('build');
    const deploy = await seen('deploy');
    expect(build).toMatch(/^build /);
    expect(deploy).toMatch(/^deploy .*-deploy$/);
    expect(build).not.toBe(deploy);

    // Expand a pipeline and an execution: steps, parameters and failure reasons must stay on their lines.
    const pipeline = panel.locator('.jp-MLOps-pipeline-row').first();
    await pipeline.click();
    const execution = panel.locator('.jp-MLOps-execution-row').first();
    await execution.click();
    await expect(panel.locator('.jp-MLOps-step-row').first()).toBeVisible();
    const names = panel.locator('.jp-MLOps-row-name');
    const boxes = await names.evaluateAll(nodes =>
      nodes.map(n => {
        const r = n.getBoundingClientRect();
        return { text: n.textContent ?? '', width: r.width, height: r.height };
      })
    );
    expect(boxes.length).toBeGreaterThan(2);
    for (const b of boxes) {
      expect(b.width, `"${b.text}" is ${b.width}x${b.height}`).toBeGreaterThan(
        b.height
      );
    }
    // No row of any section's tree is wider than the panel (nothing spills or scrolls sideways).
    const overflows = await panel
      .locator('.jp-MLOps-tree')
      .evaluateAll(nodes => nodes.map(n => n.scrollWidth - n.clientWidth));
    expect(overflows.length).toBeGreaterThan(0);
    for (const overflow of overflows) {
      expect(overflow).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: 'test-results/sidebar-220px.png' });
  });
});

test.describe('An administrator turns the pipelines plugin off', () => {
  const toggle = (action: 'disable' | 'enable') =>
    execFileSync(
      'jupyter',
      ['labextension', action, 'sagemaker-mlops:pipelines'],
      {
        stdio: 'pipe'
      }
    );

  test.afterEach(() => {
    toggle('enable');
  });

  test('the sidebar still shows the identity and the project, without pipelines', async ({
    page
  }) => {
    toggle('disable');
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    const panel = await openSidebar(page);
    await expect(
      panel
        .getByRole('region', { name: 'AWS identity' })
        .getByText('us-east-1', {
          exact: true
        })
    ).toBeVisible();
    await expect(panel.getByRole('region', { name: 'Project' })).toContainText(
      'customer-churn'
    );
    await expect(panel.getByRole('region', { name: 'Pipelines' })).toHaveCount(
      0
    );
    await page.keyboard.press('Control+Shift+C');
    await page
      .getByRole('textbox', { name: /Search/i })
      .first()
      .fill('Run Pipeline');
    await expect(
      page.locator('.lm-CommandPalette-item', { hasText: 'Run Pipeline…' })
    ).toHaveCount(0);
  });
});

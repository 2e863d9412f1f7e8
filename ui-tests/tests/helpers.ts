import { IJupyterLabPageFixture, expect } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

export const PROJECT = 'customer-churn';

/** Open the sidebar and make sure the seeded project is the one shown (choosing it the first time). */
export async function openProject(
  page: IJupyterLabPageFixture,
  project = PROJECT
): Promise<Locator> {
  const panel = page.locator('#sagemaker-mlops-sidebar');
  if (!(await panel.isVisible())) {
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
  }
  const picker = panel.getByRole('combobox', { name: 'SageMaker project' });
  const pipelines = panel.getByRole('region', { name: 'Pipelines' });
  await expect(picker.or(pipelines)).toBeVisible();
  if (await picker.isVisible()) {
    await picker.selectOption(project);
  }
  await expect(panel.getByRole('region', { name: 'Project' })).toContainText(
    project
  );
  await expect(pipelines).toBeVisible();
  return panel;
}

/** The devstack's fault/control endpoint (loopback only). */
export async function control(path: string, body?: unknown): Promise<any> {
  const base = process.env.DEVSTACK_CONTROL_URL;
  if (!base) {
    throw new Error(
      'DEVSTACK_CONTROL_URL is not set: source the devstack env file first'
    );
  }
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!response.ok) {
    throw new Error(
      `devstack control ${path}: HTTP ${response.status} ${await response.text()}`
    );
  }
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

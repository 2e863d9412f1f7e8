import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import {
  INewVersion,
  decideAsColleague,
  describeVersion,
  registerVersion,
  stopRunningDeployments
} from './aws';
import {
  APPROVER_URL,
  control,
  openProject,
  requestCount,
  setSectionExpanded
} from './helpers';

/**
 * The model registry and the approvals, against the devstack, from both
 * sides: the data scientist (may not approve) on the default JupyterLab, the
 * approver on theirs. Each test registers the version it works on.
 */

/** The Model registry section, shown (the Pipelines section folded so that it has room). */
async function openRegistry(page: IJupyterLabPageFixture): Promise<Locator> {
  const panel = await openProject(page);
  await setSectionExpanded(panel, 'Model registry', true);
  await setSectionExpanded(panel, 'Pipelines', false);
  const registry = panel.getByRole('region', {
    name: 'Model registry',
    exact: true
  });
  await expect(registry).toBeVisible();
  await expect(registry.locator('.jp-MLOps-group-row').first()).toBeVisible();
  return registry;
}

/** The row of a version in the registry: its group expanded, filtered to pending versions. */
async function versionRow(
  registry: Locator,
  version: INewVersion,
  status = 'PendingManualApproval'
): Promise<Locator> {
  const group = registry.locator(
    `.jp-MLOps-group-row[data-group-name="${version.group}"]`
  );
  if ((await group.getAttribute('aria-expanded')) !== 'true') {
    await group.click();
  }
  await registry
    .getByRole('combobox', { name: 'Filter versions by approval status' })
    .first()
    .selectOption(status);
  const row = registry.locator(
    `.jp-MLOps-version-row[data-version-arn="${version.arn}"]`
  );
  await expect(row).toBeVisible({ timeout: 30000 });
  return row;
}

/** The approval dialog, opened from the notebook toolbar of a new notebook. */
async function approveFromNotebook(
  page: IJupyterLabPageFixture
): Promise<Locator> {
  await page.notebook.createNew();
  await page
    .locator('.jp-NotebookPanel-toolbar')
    .getByRole('button', {
      name: /^Review a model version and approve or reject it/
    })
    .click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Review model version')).toBeVisible();
  return dialog;
}

test.describe('Model registry, as the data scientist', () => {
  test('approving is denied with a clear message, and nothing changes', async ({
    page
  }) => {
    const mine = await registerVersion();
    const registry = await openRegistry(page);
    const row = await versionRow(registry, mine);
    await row.click({ button: 'right' });
    await page
      .getByRole('menuitem', { name: 'Approve Model Version…' })
      .click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('combobox', { name: 'Version' })).toHaveValue(
      mine.arn
    );
    await dialog
      .getByRole('textbox', { name: 'Comment (required)' })
      .fill('Looks good to me');
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText(
      'sagemaker:UpdateModelPackage'
    );
    await expect(dialog.getByRole('alert')).toContainText('Access denied');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect((await describeVersion(mine.arn)).ModelApprovalStatus).toBe(
      'PendingManualApproval'
    );
    await expect(row).toHaveAttribute(
      'data-approval-status',
      'PendingManualApproval'
    );
  });

  test('an empty or a 1,025-character comment cannot be submitted', async ({
    page
  }) => {
    await registerVersion();
    await openProject(page);
    const dialog = await approveFromNotebook(page);
    const approve = dialog.getByRole('button', {
      name: 'Approve',
      exact: true
    });
    const reject = dialog.getByRole('button', { name: 'Reject', exact: true });
    const comment = dialog.getByRole('textbox', { name: 'Comment (required)' });
    await expect(dialog.getByText('0 / 1024 characters')).toBeVisible();
    await expect(approve).toBeDisabled();
    await expect(reject).toBeDisabled();
    await comment.fill('x'.repeat(1025));
    await expect(dialog.getByText('1025 / 1024 characters')).toBeVisible();
    await expect(dialog.getByText('1 character over the limit.')).toBeVisible();
    await expect(approve).toBeDisabled();
    await comment.fill('x'.repeat(1024));
    await expect(approve).toBeEnabled();
    await comment.fill('   ');
    await expect(approve).toBeDisabled();
    await expect(dialog.getByText('A comment is required.')).toBeVisible();
  });

  test('hostile descriptions and metadata render as text', async ({ page }) => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const mine = await registerVersion({
      description: hostile,
      metadata: { notes: '<b>not bold</b>', link: 'javascript:alert(1)' }
    });
    const registry = await openRegistry(page);
    const row = await versionRow(registry, mine);
    await row.click();
    const info = registry.locator(
      `.jp-MLOps-info[data-version-arn="${mine.arn}"]`
    );
    await expect(info.getByText(hostile, { exact: true })).toBeVisible();
    await expect(
      info.getByText('<b>not bold</b>', { exact: true })
    ).toBeVisible();
    await expect(info.locator('img, b')).toHaveCount(0);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    // the metrics of its evaluation report, read through the server
    await expect(info.getByText('accuracy', { exact: true })).toBeVisible();
  });
});

test.describe('Model registry, as the approver', () => {
  test.use({ baseURL: APPROVER_URL });

  test.beforeAll(async () => {
    await control('/codepipeline/stage-seconds', { seconds: 1 });
  });
  test.afterAll(async () => {
    await control('/codepipeline/stage-seconds', { seconds: 5 });
  });

  test('approves the newest pending version from a notebook, then the deployment gate @smoke', async ({
    page
  }) => {
    // The approved version it is compared with: a colleague approved it just before.
    const approved = await registerVersion({
      metrics: { accuracy: 0.9, auc: 0.9 }
    });
    await decideAsColleague(approved.arn, 'Approved', 'Baseline for the test');
    // Nothing else in progress: this test's deployment is the one that reaches the approval.
    await stopRunningDeployments(`sagemaker-${approved.group}-modeldeploy`);
    const mine = await registerVersion({
      metrics: { accuracy: 0.95, auc: 0.8 }
    });
    await openProject(page);
    const dialog = await approveFromNotebook(page);
    // The newest pending version is the default, compared with the approved one.
    await expect(dialog.getByRole('combobox', { name: 'Version' })).toHaveValue(
      mine.arn
    );
    const table = dialog.getByRole('table');
    await expect(
      table.getByRole('columnheader', { name: `Approved v${approved.version}` })
    ).toBeVisible();
    await expect(
      table.locator('tr[data-metric="accuracy"]').getByText('▲ better')
    ).toBeVisible();
    await expect(
      table.locator('tr[data-metric="auc"]').getByText('▼ worse')
    ).toBeVisible();
    await expect(
      dialog.getByText(/starts the deploy pipeline sagemaker-customer-churn-/)
    ).toBeVisible();
    await dialog
      .getByRole('textbox', { name: 'Comment (required)' })
      .fill('Accuracy up; AUC trade-off accepted.');

    const before = await requestCount('UpdateModelPackage');
    await dialog
      .getByRole('button', { name: 'Approve', exact: true })
      .dblclick();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByText(/^Approved v\d+ · /).first()).toBeVisible();
    // Give a second request time to arrive, if one were sent.
    await page.waitForTimeout(1500);
    expect(await requestCount('UpdateModelPackage')).toBe(before + 1);
    const after = await describeVersion(mine.arn);
    expect(after.ModelApprovalStatus).toBe('Approved');
    expect(after.ApprovalDescription).toBe(
      'Accuracy up; AUC trade-off accepted.'
    );

    // The deploy pipeline starts, reaches the manual approval with this version, and is approved to production.
    const registry = await openRegistry(page);
    const deployment = registry.getByRole('region', {
      name: 'Deployment',
      exact: true
    });
    const gate = deployment
      .getByRole('group', { name: 'Waiting for approval: ApproveDeployment' })
      .filter({ hasText: `deploys v${mine.version}` });
    await expect(gate).toBeVisible({ timeout: 60000 });
    const executionId = await gate.getAttribute('data-execution-id');
    await gate.getByRole('button', { name: 'Approve deployment…' }).click();
    const gateDialog = page.getByRole('dialog');
    await gateDialog
      .getByRole('textbox', { name: 'Comment (required)' })
      .fill('Staging tests passed.');
    const decisions = await requestCount('PutApprovalResult');
    await gateDialog
      .getByRole('button', { name: 'Approve deployment', exact: true })
      .click();
    await expect(gateDialog).toHaveCount(0);
    await expect(
      page.getByText('Approved ApproveDeployment of', { exact: false }).first()
    ).toBeVisible();
    expect(await requestCount('PutApprovalResult')).toBe(decisions + 1);
    const execution = deployment.locator(
      `.jp-MLOps-deploy-execution[data-execution-id="${executionId}"]`
    );
    await expect(execution).toContainText('DeployProd', { timeout: 60000 });
    await expect(execution).toHaveAttribute('data-status', 'Succeeded', {
      timeout: 60000
    });
    await expect(
      execution.getByRole('link', { name: /in the AWS console/ })
    ).toHaveAttribute('href', new RegExp(`/executions/${executionId}/`));
  });

  test('a rejection with its comment shows in the registry', async ({
    page
  }) => {
    const mine = await registerVersion();
    const registry = await openRegistry(page);
    const row = await versionRow(registry, mine);
    await row.click();
    const info = registry.locator(
      `.jp-MLOps-info[data-version-arn="${mine.arn}"]`
    );
    await info.getByRole('button', { name: 'Reject…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByRole('textbox', { name: 'Comment (required)' })
      .fill('AUC below the bar — retrain with the new features.');
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect(dialog).toHaveCount(0);
    await registry
      .getByRole('combobox', { name: 'Filter versions by approval status' })
      .first()
      .selectOption('Rejected');
    const rejected = registry.locator(
      `.jp-MLOps-version-row[data-version-arn="${mine.arn}"]`
    );
    await expect(rejected).toHaveAttribute('data-approval-status', 'Rejected');
    await expect(
      registry
        .locator(`.jp-MLOps-info[data-version-arn="${mine.arn}"]`)
        .getByText('AUC below the bar — retrain with the new features.')
    ).toBeVisible();
  });

  test('a change made meanwhile by someone else is detected, not overwritten', async ({
    page
  }) => {
    const mine = await registerVersion();
    await openProject(page);
    const dialog = await approveFromNotebook(page);
    await expect(dialog.getByRole('combobox', { name: 'Version' })).toHaveValue(
      mine.arn
    );
    await expect(dialog.getByText('Pending approval').first()).toBeVisible();
    await decideAsColleague(mine.arn, 'Rejected', 'Rejected by a colleague');
    const before = await requestCount('UpdateModelPackage');
    const comment = dialog.getByRole('textbox', { name: 'Comment (required)' });
    await comment.fill('Approving my own review');
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    const warning = dialog
      .getByRole('alert')
      .filter({ hasText: 'Someone changed this version since you opened it' });
    await expect(warning).toContainText('Rejected');
    await expect(warning).toContainText('Rejected by a colleague');
    await expect(comment).toHaveValue('Approving my own review');
    expect(await requestCount('UpdateModelPackage')).toBe(before);
    const now = await describeVersion(mine.arn);
    expect(now.ModelApprovalStatus).toBe('Rejected');
    expect(now.ApprovalDescription).toBe('Rejected by a colleague');
  });
});

import { IJupyterLabPageFixture, expect } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

export const PROJECT = 'customer-churn';

/**
 * The approver's JupyterLab (`npm run start:approver`, started by the
 * Playwright config next to the data scientist's on 8888): its server signs
 * with the approver's execution role and runs in the approver's Studio space,
 * so model versions and deployments can be approved there. Tests use the data
 * scientist's server unless a spec (or a `test.describe` block) opts in:
 *
 * ```ts
 * import { APPROVER_URL } from './helpers';
 *
 * test.describe('as the approver', () => {
 *   test.use({ baseURL: APPROVER_URL });
 *   test('approves a version', async ({ page }) => { ... });
 * });
 * ```
 */
export const APPROVER_URL = `http://localhost:${
  process.env.MLOPS_APPROVER_PORT || '8889'
}`;

/** The sidebar, opened. */
export async function openSidebar(
  page: IJupyterLabPageFixture
): Promise<Locator> {
  const panel = page.locator('#sagemaker-mlops-sidebar');
  if (!(await panel.isVisible())) {
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
  }
  await expect(panel).toBeVisible();
  return panel;
}

/**
 * Open the sidebar on the seeded project: found from the Studio space's tags,
 * or chosen in the picker when the server runs outside a (devstack) space.
 */
export async function openProject(
  page: IJupyterLabPageFixture,
  project = PROJECT
): Promise<Locator> {
  const panel = await openSidebar(page);
  const picker = panel.getByRole('combobox', { name: 'SageMaker project' });
  const bar = panel.getByRole('region', { name: 'Project' });
  await expect(
    picker.or(bar.getByText(project, { exact: true }))
  ).toBeVisible();
  if (await picker.isVisible()) {
    await picker.selectOption(project);
  }
  await expect(bar).toContainText(project);
  await expect(panel.locator('.jp-MLOps-pipeline-row').first()).toBeVisible();
  return panel;
}

/**
 * The row of one of the project's pipelines by its role, located by its exact
 * name: the build pipeline `<project>-<id>`, the deploy pipeline
 * `<project>-<id>-deploy`.
 */
export async function pipelineRow(
  panel: Locator,
  role: 'build' | 'deploy'
): Promise<{ row: Locator; name: string }> {
  const rows = panel.locator('.jp-MLOps-pipeline-row');
  await expect(rows.first()).toBeVisible();
  const names = await rows.evaluateAll(nodes =>
    nodes.map(n => (n as HTMLElement).dataset.pipelineName ?? '')
  );
  const pattern =
    role === 'build'
      ? /^customer-churn-p-[a-z0-9]+$/
      : /^customer-churn-p-[a-z0-9]+-deploy$/;
  const name = names.find(n => pattern.test(n));
  if (!name) {
    throw new Error(`no ${role} pipeline among ${names.join(', ')}`);
  }
  return {
    row: panel.locator(`.jp-MLOps-pipeline-row[data-pipeline-name="${name}"]`),
    name
  };
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

/**
 * How many requests of an AWS operation (`UpdateModelPackage`,
 * `PutApprovalResult` ...) the devstack has received, of every service and
 * whatever their outcome (refused ones too), since it started or since
 * `control('/requests/reset', {})`. Compare it before and after an action:
 * other tests and the servers' own polling also send requests.
 */
export async function requestCount(operation: string): Promise<number> {
  const { counts } = await control(
    `/requests?operation=${encodeURIComponent(operation)}`
  );
  return Object.values(counts as Record<string, number>).reduce(
    (sum, n) => sum + n,
    0
  );
}

/** A name no other test or run uses. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/**
 * Start a run of a pipeline from its context menu, with a display name to find
 * its execution by; resolves once the start is confirmed.
 */
export async function runFromMenu(
  page: IJupyterLabPageFixture,
  row: Locator,
  displayName: string
): Promise<void> {
  await row.click({ button: 'right' });
  await page.getByRole('menuitem', { name: /^Run .*…$/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog
    .getByRole('textbox', { name: 'Display name (optional)' })
    .fill(displayName);
  await dialog.getByRole('button', { name: 'Run' }).click();
  await expect(
    page.getByText(/^Started customer-churn-p-/).first()
  ).toBeVisible();
}

/** Expand a pipeline's executions (if collapsed) and return the row of the execution named `displayName`. */
export async function executionRow(
  panel: Locator,
  pipeline: Locator,
  displayName: string
): Promise<Locator> {
  if ((await pipeline.getAttribute('aria-expanded')) !== 'true') {
    await pipeline.click();
  }
  const row = panel
    .locator('.jp-MLOps-execution-row')
    .filter({ hasText: displayName });
  await expect(row).toBeVisible({ timeout: 60000 });
  return row;
}

/** Fold or unfold a section of the sidebar by its title. */
export async function setSectionExpanded(
  panel: Locator,
  title: string,
  expanded: boolean
): Promise<void> {
  const header = panel.locator('.jp-AccordionPanel-title', {
    has: panel.page().getByText(title, { exact: true })
  });
  if (((await header.getAttribute('aria-expanded')) === 'true') !== expanded) {
    await header.click();
  }
  await expect(header).toHaveAttribute('aria-expanded', String(expanded));
}

/**
 * Narrow the sidebar to `width` px (below JupyterLab's default minimum of
 * 250 px, as a theme or a user's CSS can make it): lower the minimum, let the
 * shell measure it again (hide and show the panel), then drag the handle.
 */
export async function narrowSidebar(
  page: IJupyterLabPageFixture,
  panel: Locator,
  width: number
): Promise<void> {
  await page.evaluate(
    min =>
      document.documentElement.style.setProperty(
        '--jp-sidebar-min-width',
        `${min}px`
      ),
    width - 20
  );
  const tab = page.getByRole('tab', { name: 'SageMaker MLOps' });
  await tab.click();
  await expect(panel).toBeHidden();
  await tab.click();
  await expect(panel).toBeVisible();
  const current = (await panel.boundingBox())!.width;
  const grip = await page.evaluate(() => {
    const handle = [
      ...document.getElementById('jp-main-split-panel')!.children
    ].find(
      c =>
        c.classList.contains('lm-SplitPanel-handle') &&
        !c.classList.contains('lm-mod-hidden')
    )!;
    const r = handle.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + 200 };
  });
  await page.mouse.move(grip.x, grip.y);
  await page.mouse.down();
  await page.mouse.move(grip.x - (current - width), grip.y, { steps: 5 });
  await page.mouse.up();
  await expect
    .poll(async () => Math.round((await panel.boundingBox())!.width))
    .toBeLessThanOrEqual(width + 2);
}

/**
 * The file browser shown, at `path`. By command, not Galata's
 * filebrowser.openDirectory: that waits on breadcrumb attributes JupyterLab 4.5 lacks.
 */
export async function openFolder(
  page: IJupyterLabPageFixture,
  path: string
): Promise<void> {
  await page.sidebar.openTab('filebrowser');
  await page.evaluate(async folder => {
    await (window as any).jupyterapp.commands.execute(
      'filebrowser:go-to-path',
      { path: folder }
    );
  }, path);
}

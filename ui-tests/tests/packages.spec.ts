import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { execFileSync } from 'child_process';

import { control } from './helpers';

/**
 * Installing from the platform's curated CodeArtifact index into a notebook's
 * kernel, against the devstack's real index: the kernel here runs in the
 * Jupyter server's own environment, so each test starts by removing what it
 * installs (the state it needs), and the warning about that environment shows.
 */

/** Remove a package from the environment the test server's kernels run in. */
function uninstall(name: string): void {
  execFileSync('python', ['-m', 'pip', 'uninstall', '--yes', name], {
    stdio: 'pipe'
  });
}

/** A new notebook with a running kernel, and its Packages tab. */
async function openPackages(
  page: IJupyterLabPageFixture
): Promise<{ panel: Locator; notebook: string }> {
  const notebook = (await page.notebook.createNew()) ?? 'Untitled.ipynb';
  await page
    .locator('.jp-NotebookPanel-toolbar')
    .getByRole('button', { name: /^Install packages from the platform/ })
    .click();
  const panel = page.locator('.jp-MLOps-packages');
  await expect(
    panel.getByRole('heading', { name: /Install packages into the kernel of/ })
  ).toBeVisible();
  await expect(panel.getByText('Installer')).toBeVisible();
  return { panel, notebook };
}

async function choose(panel: Locator, name: string, version: string) {
  await panel.getByRole('searchbox').fill(name.slice(0, 3));
  await expect(panel.locator(`li[data-package="${name}"]`)).toBeVisible();
  await panel
    .getByRole('combobox', { name: `Version of ${name}` })
    .selectOption(version);
  await panel.getByRole('button', { name: `Add ${name}` }).click();
  await panel.getByRole('button', { name: 'Review changes' }).click();
  const plan = panel.getByRole('region', { name: 'What the install changes' });
  await expect(plan).toBeVisible({ timeout: 60000 });
  return plan;
}

test.describe('Packages from the curated index', () => {
  test.beforeEach(() => uninstall('tabulate'));
  test.afterAll(() => uninstall('tabulate'));

  test('installs a curated package into the kernel, imported in a cell; a change of an installed one needs a confirmation; no token reaches the page @smoke', async ({
    page
  }) => {
    const bodies: string[] = [];
    page.on('response', async response => {
      if (response.url().startsWith('http://localhost:')) {
        bodies.push(await response.text().catch(() => ''));
      }
    });
    const { panel } = await openPackages(page);
    await expect(
      panel.getByText(/runs in the Jupyter server's own environment/)
    ).toBeVisible();

    const plan = await choose(panel, 'tabulate', '0.8.10');
    await expect(plan.getByText('tabulate 0.8.10')).toBeVisible();
    await plan.getByRole('button', { name: 'Install', exact: true }).click();
    const job = panel.locator('.jp-MLOps-job');
    await expect(job).toHaveAttribute('data-state', 'succeeded', {
      timeout: 120000
    });
    await expect(panel.getByText('Installed: tabulate 0.8.10.')).toBeVisible();
    await expect(
      panel.getByRole('log', { name: 'Installer output' })
    ).toContainText('tabulate');

    // The notebook's kernel imports it.
    const notebookPanel = page.locator('.jp-NotebookPanel');
    await notebookPanel.locator('.jp-Cell .cm-content').first().click();
    await page.keyboard.type('import tabulate; print(tabulate.__version__)');
    await page.keyboard.press('Shift+Enter');
    await expect(
      notebookPanel.locator('.jp-OutputArea-output').first()
    ).toHaveText('0.8.10', { timeout: 60000 });

    // Another version of what is installed: the plan says so, and Install waits for a confirmation.
    await panel.getByRole('button', { name: 'Install more' }).click();
    const upgrade = await choose(panel, 'tabulate', '0.9.0');
    await expect(
      upgrade.getByText('tabulate: upgraded from 0.8.10 to 0.9.0')
    ).toBeVisible();
    const install = upgrade.getByRole('button', {
      name: 'Install',
      exact: true
    });
    await expect(install).toBeDisabled();
    await upgrade
      .getByRole('checkbox', {
        name: 'Change the installed packages listed above'
      })
      .check();
    await expect(install).toBeEnabled();

    // Nothing the server sent to the page holds a CodeArtifact token.
    const { tokens } = await control('/codeartifact/tokens');
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens as string[]) {
      expect(bodies.some(body => body.includes(token))).toBe(false);
    }
    expect(bodies.some(body => /aws:[^@\s]+@/.test(body))).toBe(false);
  });

  test('a package absent from the curated index gets a plain message', async ({
    page
  }) => {
    const { panel } = await openPackages(page);
    await panel.getByRole('searchbox').fill('requests');
    await expect(
      panel.getByText(
        'No package starting with "requests" is in the curated index. The platform team curates it: ask them to add the package you need.'
      )
    ).toBeVisible();
  });
});

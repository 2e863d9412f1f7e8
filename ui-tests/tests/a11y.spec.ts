import AxeBuilder from '@axe-core/playwright';
import {
  IJupyterLabPageFixture,
  expect,
  galata,
  test
} from '@jupyterlab/galata';

import { configBranch, registerVersion } from './aws';
import { line, openConfig } from './config';
import {
  executionRow,
  openProject,
  pipelineRow,
  setSectionExpanded,
  unique
} from './helpers';

/**
 * Accessibility, checked by axe-core over what the extension draws (the
 * sidebar sections, the execution tab, the dialogs) in JupyterLab's light,
 * dark and high-contrast themes: no serious or critical violation of WCAG 2.1 A/AA (contrast
 * included). Each capability's UI joins this check as it lands.
 */
async function expectAccessible(
  page: IJupyterLabPageFixture,
  selector: string,
  what: string
): Promise<void> {
  // Galata's page wraps Playwright's; axe needs the page itself.
  const real = page.context().pages()[0];
  const results = await new AxeBuilder({ page: real })
    .include(selector)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(
      v =>
        `${what}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes
          .slice(0, 3)
          .map(n => n.target.join(' '))
          .join(' | ')}`
    );
  expect(serious).toEqual([]);
}

for (const theme of [
  'JupyterLab Light',
  'JupyterLab Dark',
  'JupyterLab Dark High Contrast'
]) {
  test.describe(`Accessibility in ${theme}`, () => {
    test.use({
      mockSettings: {
        ...galata.DEFAULT_SETTINGS,
        '@jupyterlab/apputils-extension:themes': { theme }
      }
    });

    test('the pipelines section, an expanded execution, the graph tab and the run dialog', async ({
      page
    }) => {
      const panel = await openProject(page);
      const { row } = await pipelineRow(panel, 'build');
      await row.click();
      const execution = panel.locator('.jp-MLOps-execution-row').first();
      await expect(execution).toBeVisible();
      await execution.click();
      await expect(panel.locator('.jp-MLOps-step-row').first()).toBeVisible();
      await expectAccessible(page, '#sagemaker-mlops-sidebar', 'sidebar');

      await execution.dblclick();
      const tab = page.locator('.jp-MLOps-graph-node').first();
      await expect(tab).toBeVisible();
      await expectAccessible(
        page,
        '.jp-MainAreaWidget:has(.jp-MLOps-graph-node)',
        'execution tab'
      );

      await row.click({ button: 'right' });
      await page.getByRole('menuitem', { name: /^Run .*…$/ }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('button', { name: 'Run' })).toBeVisible();
      await expectAccessible(page, '.jp-Dialog', 'run dialog');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    });

    test('the model registry section and the approval dialog', async ({
      page
    }) => {
      const mine = await registerVersion();
      const panel = await openProject(page);
      await setSectionExpanded(panel, 'Model registry', true);
      await setSectionExpanded(panel, 'Pipelines', false);
      const registry = panel.getByRole('region', {
        name: 'Model registry',
        exact: true
      });
      await registry
        .locator(`.jp-MLOps-group-row[data-group-name="${mine.group}"]`)
        .click();
      const version = registry.locator(
        `.jp-MLOps-version-row[data-version-arn="${mine.arn}"]`
      );
      await registry
        .getByRole('combobox', { name: 'Filter versions by approval status' })
        .first()
        .selectOption('PendingManualApproval');
      await version.click();
      await expect(
        registry.locator(`.jp-MLOps-info[data-version-arn="${mine.arn}"]`)
      ).toContainText('accuracy');
      await expectAccessible(page, '#sagemaker-mlops-sidebar', 'registry');

      await version.click({ button: 'right' });
      await page
        .getByRole('menuitem', { name: 'Approve Model Version…' })
        .click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('table')).toBeVisible();
      await expectAccessible(page, '.jp-Dialog', 'approval dialog');
      await dialog.getByRole('button', { name: 'Close' }).click();
    });

    test('the shared configuration editor with a problem, and its review', async ({
      page
    }) => {
      const { branch } = await configBranch(unique('a11y-config'));
      const editor = await openConfig(page, branch);
      await expect(
        editor.getByRole('list', { name: 'Problems' })
      ).toBeVisible();
      await expectAccessible(
        page,
        '.jp-MLOps-config',
        'config editor with a problem'
      );
      await page.screenshot({
        path: `test-results/config-${theme.replace(/ /g, '-')}.png`
      });
      await editor
        .getByRole('button', { name: /^Use the project bucket / })
        .click();
      await expect(line(editor, 'data: "s3://customer-churn-')).toHaveCount(1);
      await editor
        .locator('#jp-MLOps-config_train_config_instance_count')
        .fill('2');
      await editor.getByRole('button', { name: 'Review & commit…' }).click();
      await expect(
        editor.getByRole('region', { name: 'Review and commit' })
      ).toBeVisible();
      await expectAccessible(page, '.jp-MLOps-config', 'config review');
    });

    test('the packages tab, with search results and the environment warning', async ({
      page
    }) => {
      await page.notebook.createNew();
      await page
        .locator('.jp-NotebookPanel-toolbar')
        .getByRole('button', { name: /^Install packages from the platform/ })
        .click();
      const panel = page.locator('.jp-MLOps-packages');
      await expect(panel.getByText('Installer')).toBeVisible();
      await panel.getByRole('searchbox').fill('tab');
      await expect(panel.locator('li[data-package="tabulate"]')).toBeVisible();
      await expectAccessible(page, '.jp-MLOps-packages', 'packages');
    });
  });
}

test.describe('Keyboard only', () => {
  test('walks the pipelines tree, opens the context menu and runs a pipeline', async ({
    page
  }) => {
    const panel = await openProject(page);
    const { name } = await pipelineRow(panel, 'build');
    // Tab into the tree: its first row takes the focus (one tab stop for the whole tree).
    await panel
      .locator('.jp-MLOps-pipeline-row')
      .first()
      .evaluate(n => (n as HTMLElement).focus());
    for (let i = 0; i < 10; i++) {
      const focused = await page.evaluate(
        () => (document.activeElement as HTMLElement)?.dataset?.pipelineName
      );
      if (focused === name) {
        break;
      }
      await page.keyboard.press('ArrowDown');
    }
    const focusedRow = panel.locator(
      `.jp-MLOps-pipeline-row[data-pipeline-name="${name}"]`
    );
    await expect(focusedRow).toBeFocused();
    // ArrowRight expands; ArrowLeft folds again.
    await page.keyboard.press('ArrowRight');
    await expect(focusedRow).toHaveAttribute('aria-expanded', 'true');
    await page.keyboard.press('ArrowLeft');
    await expect(focusedRow).toHaveAttribute('aria-expanded', 'false');

    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu');
    await expect(
      menu.getByRole('menuitem', { name: /^Run .*…$/ })
    ).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    const displayName = dialog.getByRole('textbox', {
      name: 'Display name (optional)'
    });
    await expect(dialog.getByRole('button', { name: 'Run' })).toBeVisible();
    // Tab to the display name, type it, and Enter runs.
    for (let i = 0; i < 30; i++) {
      if (await displayName.evaluate(n => n === document.activeElement)) {
        break;
      }
      await page.keyboard.press('Tab');
    }
    await expect(displayName).toBeFocused();
    const run = unique('keyboard');
    await page.keyboard.type(run);
    await page.keyboard.press('Enter');
    await expect(
      page.getByText(/^Started customer-churn-p-/).first()
    ).toBeVisible();
    await expect(await executionRow(panel, focusedRow, run)).toBeVisible();
  });
});

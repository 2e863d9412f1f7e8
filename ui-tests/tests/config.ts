import { IJupyterLabPageFixture, expect } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { openProject } from './helpers';

/** What the config editor's tests share. */

export /** Open model_config.yaml from the palette, then the test's own branch. */
async function openConfig(
  page: IJupyterLabPageFixture,
  branch: string
): Promise<Locator> {
  await openProject(page);
  await page.keyboard.press('Control+Shift+C');
  await page
    .getByRole('textbox', { name: /Search/i })
    .first()
    .fill('Edit Shared Configuration (model_config.yaml)');
  await page.keyboard.press('Enter');
  const editor = page.locator('.jp-MLOps-config');
  await expect(editor.getByRole('status').first()).toContainText(
    /error|Valid/,
    {
      timeout: 60000
    }
  );
  const select = editor.getByRole('combobox', { name: 'Branch' });
  await select.focus();
  await expect(select.locator('option', { hasText: branch })).toHaveCount(1);
  await select.selectOption(branch);
  await expect(select).toHaveValue(branch);
  await expect(
    editor.locator('.jp-MLOps-config-text .cm-content')
  ).toContainText('train_config:');
  return editor;
}

/** The text view's line holding `text`. */
export function line(editor: Locator, text: string): Locator {
  return editor.locator('.cm-line', { hasText: text });
}

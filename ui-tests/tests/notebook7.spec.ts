import { expect, test } from '@jupyterlab/galata';

import { unique } from './helpers';

/**
 * Studio's image serves Notebook 7 from the same Jupyter server as JupyterLab:
 * its file browser (`/tree`) loads, and a notebook opened there has the
 * extension's notebook toolbar items (model-version approval, package
 * installs), their commands registered. Runs only where `notebook` is
 * installed beside the extension (`.ci/matrix.sh`, MLOPS_LAB_EXTRAS=notebook7).
 */
test.use({ autoGoto: false });

test.describe('Notebook 7 @notebook7', () => {
  test('/tree loads, and a notebook opened in Notebook 7 has the extension toolbar items @smoke', async ({
    context,
    request
  }) => {
    const name = `${unique('notebook7')}.ipynb`;
    // With its kernel named, so that Notebook 7 does not ask for one.
    const created = await request.put(`/api/contents/${name}`, {
      data: {
        type: 'notebook',
        format: 'json',
        content: {
          cells: [],
          metadata: {
            kernelspec: {
              name: 'python3',
              display_name: 'Python 3 (ipykernel)',
              language: 'python'
            }
          },
          nbformat: 4,
          nbformat_minor: 5
        }
      }
    });
    expect(created.ok()).toBe(true);

    const page = await context.newPage();
    // Errors of the extension (its code in the stack, or its name in the message), not of Notebook 7 itself.
    const errors: string[] = [];
    page.on('pageerror', error => {
      if (/sagemaker-mlops/.test(`${error.message}\n${error.stack ?? ''}`)) {
        errors.push(String(error));
      }
    });
    page.on('console', message => {
      if (
        message.type() === 'error' &&
        /sagemaker-mlops/.test(message.text())
      ) {
        errors.push(message.text());
      }
    });

    await page.goto('/tree');
    await expect(page.locator('#main-panel .jp-DirListing')).toBeVisible();
    await expect(
      page.locator('.jp-DirListing-item', { hasText: name })
    ).toBeVisible();

    await page.goto(`/notebooks/${name}`);
    const toolbar = page.locator('.jp-NotebookPanel-toolbar');
    await expect(toolbar).toBeVisible();
    for (const caption of [
      /^Review a model version and approve or reject it/,
      /^Install packages from the platform/
    ]) {
      const button = toolbar.getByRole('button', { name: caption });
      await expect(button).toBeVisible();
      await expect(button).toBeEnabled();
    }

    // The approval command works there too: its dialog opens on the project of the Studio space.
    await toolbar
      .getByRole('button', {
        name: /^Review a model version and approve or reject it/
      })
      .click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByText('Review model version')).toBeVisible();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(dialog).toHaveCount(0);

    await page.screenshot({ path: 'test-results/notebook7-toolbar.png' });
    expect(errors).toEqual([]);
  });
});

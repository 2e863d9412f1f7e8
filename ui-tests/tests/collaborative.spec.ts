import { expect, test } from '@jupyterlab/galata';

/**
 * Collaborative mode, as Studio starts shared spaces (`--collaborative`, with
 * jupyter-collaboration): a notebook is a shared document, synchronised
 * through a collaboration room, and the extension's notebook toolbar items are
 * there. Runs only where jupyter-collaboration is installed and the servers
 * are started collaborative (`.ci/matrix.sh`, MLOPS_LAB_EXTRAS=collaborative).
 */
test.describe('Collaborative mode @collaborative', () => {
  test('a notebook opens as a shared document with the extension toolbar items @smoke', async ({
    page
  }) => {
    const rooms: string[] = [];
    page.on('websocket', socket => {
      if (socket.url().includes('/api/collaboration/room/')) {
        rooms.push(socket.url());
      }
    });
    await page.notebook.createNew();
    await expect
      .poll(() => rooms.length, { timeout: 30000 })
      .toBeGreaterThan(0);
    const toolbar = page.locator('.jp-NotebookPanel-toolbar');
    for (const caption of [
      /^Review a model version and approve or reject it/,
      /^Install packages from the platform/
    ]) {
      await expect(
        toolbar.getByRole('button', { name: caption })
      ).toBeEnabled();
    }
  });
});

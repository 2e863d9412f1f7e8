/**
 * What the benchmarks share. The name of an AWS call the browser makes through
 * the proxy; and what every sidebar section's benchmark measures once it shows rows: the rows
 * in the DOM (the tree is virtualized, so bounded whatever the data size), and
 * the JS heap growth after scrolling through everything, reading more pages
 * (its "Load more …" button) as a user would, up to a number of pages.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, Locator, Request } from '@playwright/test';

const AWS_ROUTE = '/sagemaker-mlops/aws/';

/**
 * The AWS operation of a request through the proxy: the JSON protocols'
 * X-Amz-Target, else the REST path (MLflow's, e.g. `sagemaker-mlflow/api/2.0/mlflow/runs/search`);
 * undefined for any other request.
 */
export function awsCallName(request: Request): string | undefined {
  const url = new URL(request.url());
  const at = url.pathname.indexOf(AWS_ROUTE);
  if (at < 0) {
    return undefined;
  }
  return (
    request.headers()['x-amz-target'] ??
    url.pathname.slice(at + AWS_ROUTE.length)
  );
}

export interface IScrollResult {
  /** Rows in the DOM before scrolling / after scrolling through everything. */
  domRows: number;
  domRowsAfterScrollingAll: number;
  /** "Load more" pages read while scrolling. */
  pagesRead: number;
  heapGrowthMBAfterScrollingAll: number;
}

export async function scrollThroughSection(
  page: IJupyterLabPageFixture,
  section: Locator,
  options: { maxPages: number; moreButton: RegExp; timeoutMs?: number }
): Promise<IScrollResult> {
  const tree = section.locator('.jp-MLOps-tree');
  const rows = tree.locator('.jp-MLOps-row');
  // Galata's page is a wrapper: the CDP session needs the Playwright page itself.
  const real = page.context().pages()[0];
  const cdp = await page.context().newCDPSession(real);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize / 1048576;
  };
  const domRows = await rows.count();
  const heapBefore = await heap();
  const deadline = Date.now() + (options.timeoutMs ?? 300000);
  let pagesRead = 0;
  for (;;) {
    const atEnd = await tree.evaluate(n => {
      n.scrollTop += n.clientHeight;
      return n.scrollTop + n.clientHeight >= n.scrollHeight - 1;
    });
    await page.waitForTimeout(120);
    if (Date.now() > deadline) {
      break;
    }
    if (!atEnd) {
      continue;
    }
    const more = tree.getByRole('button', { name: options.moreButton });
    if (pagesRead >= options.maxPages || !(await more.count())) {
      break;
    }
    await more.first().click();
    pagesRead += 1;
    await expect(tree.getByRole('button', { name: 'Loading…' })).toHaveCount(
      0,
      { timeout: 120000 }
    );
  }
  const domRowsAfterScrollingAll = await rows.count();
  const heapGrowthMBAfterScrollingAll = +((await heap()) - heapBefore).toFixed(
    1
  );
  await tree.evaluate(n => (n.scrollTop = 0));
  await cdp.detach();
  return {
    domRows,
    domRowsAfterScrollingAll,
    pagesRead,
    heapGrowthMBAfterScrollingAll
  };
}

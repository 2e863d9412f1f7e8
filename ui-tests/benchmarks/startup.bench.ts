/**
 * Benchmark: what the extension costs JupyterLab's start-up. The JS it adds
 * to the initial load (from the requests Chromium makes, gzip and raw) against
 * what loads only when the sidebar is first shown, and JupyterLab's
 * time-to-ready with and without the extension (`jupyter labextension
 * disable sagemaker-mlops`), interleaved in the same run.
 */
import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS || 9);
const STATIC = path.resolve(
  __dirname,
  '../../python-server/sagemaker_mlops/labextension/static'
);
const PREFIX = '/lab/extensions/sagemaker-mlops/static/';

test.use({ autoGoto: false });

function sizes(files: string[]) {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const data = fs.readFileSync(path.join(STATIC, f));
    raw += data.length;
    gz += zlib.gzipSync(data, { level: 9 }).length;
  }
  return {
    files: files.length,
    rawKB: +(raw / 1024).toFixed(1),
    gzipKB: +(gz / 1024).toFixed(1)
  };
}

const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return {
    min: Math.round(s[0]),
    median: Math.round(s[Math.floor(s.length / 2)]),
    max: Math.round(s[s.length - 1])
  };
};

function extension(action: 'enable' | 'disable'): void {
  execFileSync('jupyter', ['labextension', action, 'sagemaker-mlops'], {
    stdio: 'pipe'
  });
}

test('start-up: eager bytes and time-to-ready with and without the extension', async ({
  page
}) => {
  test.setTimeout(900000);
  const requested: string[] = [];
  page.on('request', request => {
    const url = new URL(request.url());
    const i = url.pathname.indexOf(PREFIX);
    if (i >= 0 && url.pathname.endsWith('.js')) {
      requested.push(url.pathname.slice(i + PREFIX.length));
    }
  });
  /** Milliseconds from navigation to JupyterLab restored (its layout and plugins ready). */
  const timeToReady = async (): Promise<number> => {
    await page.goto();
    return page.evaluate(async () => {
      await (window as any).jupyterapp.restored;
      return performance.now();
    });
  };

  // Bytes: the first load, then the sidebar shown.
  extension('enable');
  await timeToReady();
  await page.waitForTimeout(1000);
  const eager = [...new Set(requested)];
  await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
  await expect(
    page.locator('#sagemaker-mlops-sidebar .jp-MLOps-pipeline-row').first()
  ).toBeVisible({ timeout: 60000 });
  await page.waitForTimeout(1500);
  const lazy = [...new Set(requested)].filter(f => !eager.includes(f));
  // Close it again: the timed loads start as JupyterLab does by default, with the panel closed (what an open
  // panel costs is the lazy part above, paid when it is shown).
  await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
  await expect(page.locator('#sagemaker-mlops-sidebar')).toBeHidden();
  await page.waitForTimeout(1500);

  // Time-to-ready, interleaved.
  const withExt: number[] = [];
  const without: number[] = [];
  try {
    // Alternate which goes first in each pair, so neither profits from the other's warm caches.
    const measure = async (enabled: boolean) => {
      extension(enabled ? 'enable' : 'disable');
      (enabled ? withExt : without).push(await timeToReady());
    };
    for (let i = 0; i < RUNS; i++) {
      await measure(i % 2 === 0);
      await measure(i % 2 !== 0);
    }
  } finally {
    extension('enable');
  }
  const result = {
    eager: sizes(eager),
    lazyOnFirstShow: sizes(lazy),
    runs: RUNS,
    timeToReadyMs: { with: stats(withExt), without: stats(without) },
    overheadPercent: +(
      ((stats(withExt).median - stats(without).median) /
        stats(without).median) *
      100
    ).toFixed(1)
  };
  // Outside test-results, which Playwright empties at each run.
  const out = process.env.BENCH_OUT || 'test-results';
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    `${out}/bench-startup.json`,
    JSON.stringify(result, null, 2)
  );
  console.log(`BENCH ${JSON.stringify(result)}`);
});

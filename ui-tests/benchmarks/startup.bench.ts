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

const RUNS = Number(process.env.BENCH_STARTUP_RUNS || 21);
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
  // The moment JupyterLab's `restored` resolves, taken in the page: JupyterLab exposes the app right after
  // starting it, long before it is restored, so Galata's own waiting after that is not counted.
  await page.addInitScript(() => {
    const w = window as any;
    const timer = setInterval(() => {
      if (w.jupyterapp) {
        clearInterval(timer);
        void w.jupyterapp.restored.then(
          () => (w.__mlopsRestoredAt = performance.now())
        );
      }
    }, 2);
  });
  // Main-thread script time (Chromium's ScriptDuration, counted per document) of a load, until Galata has it ready.
  const real = page.context().pages()[0];
  const cdp = await page.context().newCDPSession(real);
  await cdp.send('Performance.enable');
  const scriptSeconds = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find(m => m.name === 'ScriptDuration')?.value ?? 0;
  };
  /** Milliseconds from navigation to JupyterLab restored (its layout and plugins ready), and the script time. */
  const load = async (): Promise<{ ready: number; scriptMs: number }> => {
    await page.goto();
    const ready = await page.evaluate(async () => {
      const w = window as any;
      await w.jupyterapp.restored;
      return w.__mlopsRestoredAt ?? performance.now();
    });
    return { ready, scriptMs: Math.round((await scriptSeconds()) * 1000) };
  };
  const timeToReady = async (): Promise<number> => (await load()).ready;

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
  const scriptWith: number[] = [];
  const scriptWithout: number[] = [];
  try {
    // Alternate which goes first in each pair, so neither profits from the other's warm caches.
    const measure = async (enabled: boolean) => {
      extension(enabled ? 'enable' : 'disable');
      const { ready, scriptMs } = await load();
      (enabled ? withExt : without).push(ready);
      (enabled ? scriptWith : scriptWithout).push(scriptMs);
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
    scriptMs: { with: stats(scriptWith), without: stats(scriptWithout) },
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

/**
 * Measures what the extension adds to JupyterLab's start-up (eager JS) and what
 * it loads only when the sidebar is first shown (the AWS SDK chunk), from the
 * requests Chromium really makes. Sizes are of the built files, raw and gzip.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

const STATIC = path.resolve(
  __dirname,
  '../../python-server/sagemaker_mlops/labextension/static'
);
const PREFIX = '/lab/extensions/sagemaker-mlops/static/';

test.use({ autoGoto: false });

function sizes(files: string[]): {
  files: string[];
  rawKB: number;
  gzipKB: number;
} {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const data = fs.readFileSync(path.join(STATIC, f));
    raw += data.length;
    gz += zlib.gzipSync(data, { level: 9 }).length;
  }
  return {
    files,
    rawKB: +(raw / 1024).toFixed(1),
    gzipKB: +(gz / 1024).toFixed(1)
  };
}

test('the AWS SDK is not part of start-up and loads when the sidebar is first shown', async ({
  page
}) => {
  const requested: string[] = [];
  page.on('request', request => {
    const url = new URL(request.url());
    const i = url.pathname.indexOf(PREFIX);
    if (i >= 0 && url.pathname.endsWith('.js')) {
      requested.push(url.pathname.slice(i + PREFIX.length));
    }
  });
  await page.goto();
  await page.waitForTimeout(1000);
  const eager = [...new Set(requested)];
  expect(eager.some(f => f.startsWith('sagemaker-mlops-aws'))).toBe(false);

  const sdkChunk = page.waitForRequest(r =>
    r.url().includes(`${PREFIX}sagemaker-mlops-aws`)
  );
  await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
  await sdkChunk;
  await page.waitForTimeout(1500);
  const lazy = [...new Set(requested)].filter(f => !eager.includes(f));
  expect(lazy.some(f => f.startsWith('sagemaker-mlops-aws'))).toBe(true);

  const report = { eager: sizes(eager), lazy: sizes(lazy) };
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync(
    'test-results/bundle-size.json',
    JSON.stringify(report, null, 2)
  );
  console.log(
    `bundle: eager ${report.eager.gzipKB} KB gzip (${report.eager.rawKB} KB raw, ${eager.length} files); ` +
      `lazy on first show ${report.lazy.gzipKB} KB gzip (${report.lazy.rawKB} KB raw, ${lazy.length} files)`
  );
});

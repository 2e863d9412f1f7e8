import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

import { openSidebar } from './helpers';

/**
 * The prebuilt extension asks the page for JupyterLab's shared packages at the
 * versions the package supports (from JupyterLab 4.5.10 on, `sharedPackages`
 * in package.json), not at those of the JupyterLab it was built with: on every
 * JupyterLab of the supported range, none of them is an "Unsatisfied version".
 */
const DEPENDENCIES = Object.keys(
  JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf-8')
  ).dependencies
);

test.use({ autoGoto: false });

test('loads on this JupyterLab without a version warning for its shared packages @smoke', async ({
  page
}) => {
  const warnings: string[] = [];
  page.on('console', message => {
    const unsatisfied =
      /Unsatisfied version .* shared (?:singleton )?module (\S+)/.exec(
        message.text()
      );
    if (unsatisfied && DEPENDENCIES.includes(unsatisfied[1])) {
      warnings.push(message.text());
    }
  });
  await page.goto();
  // Showing the sidebar loads the lazy chunks (views, AWS SDK), which ask for more shared packages.
  await openSidebar(page);
  await expect(
    page.getByRole('region', { name: 'AWS identity' }).getByText('us-east-1')
  ).toBeVisible();
  expect(warnings).toEqual([]);
});

import { expect, test } from '@jupyterlab/galata';

import { PROJECT, openSidebar } from './helpers';

/**
 * The Galata servers run as Studio spaces do: Studio's resource-metadata file
 * (domain, space, user profile, execution role) written by the devstack, a
 * space tagged with the project, and the space's execution role as the
 * server's credentials (temporary ones, from a container-credentials endpoint).
 */
test.describe('A Studio-like server', () => {
  test('knows its domain, space and user profile, acts as the execution role, and opens on the space project @smoke', async ({
    page
  }) => {
    // The extension checks XSRF on every method: send the page's _xsrf cookie back as the header.
    const xsrf = (await page.context().cookies()).find(c => c.name === '_xsrf');
    const response = await page.request.get('/sagemaker-mlops/context', {
      headers: { 'X-XSRFToken': xsrf?.value ?? '' }
    });
    expect(response.ok()).toBe(true);
    const context = await response.json();
    expect(context.studio).toMatchObject({
      domainId: expect.stringMatching(/^d-[a-z0-9]+$/),
      spaceName: `${PROJECT}-space`,
      userProfileName: 'data-scientist',
      appType: 'JupyterLab'
    });
    // The execution role, as an assumed-role session: temporary credentials, not an IAM user's keys.
    expect(context.callerArn).toMatch(
      /^arn:aws:sts::\d{12}:assumed-role\/data-scientist\//
    );
    expect(context.studio.executionRoleArn).toMatch(
      /^arn:aws:iam::\d{12}:role\/(.*\/)?data-scientist$/
    );

    // The project comes from the space's tags: no picker.
    const panel = await openSidebar(page);
    const bar = panel.getByRole('region', { name: 'Project' });
    await expect(bar.getByText(PROJECT, { exact: true })).toBeVisible();
    await expect(
      panel.getByRole('combobox', { name: 'SageMaker project' })
    ).toHaveCount(0);
  });
});

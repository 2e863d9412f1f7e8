import { expect, test } from '@jupyterlab/galata';

import { APPROVER_URL, openSidebar } from './helpers';

/**
 * Two JupyterLabs, each acting as its own identity (as two Studio users in
 * their own spaces): the server signs with its execution role's credentials,
 * resolved by STS GetCallerIdentity on the server and shown in the sidebar.
 */
test.describe('Identities', () => {
  test('the default server acts as the data scientist', async ({ page }) => {
    const panel = await openSidebar(page);
    const identity = panel.getByRole('region', { name: 'AWS identity' });
    await expect(
      identity.getByText(
        /^arn:aws:sts::123456789012:assumed-role\/data-scientist\//
      )
    ).toBeVisible();
    await expect(identity.getByText(/assumed-role\/approver\//)).toHaveCount(0);
  });

  test.describe('the approver', () => {
    test.use({ baseURL: APPROVER_URL });

    test('the approver server acts as the approver, in its own space', async ({
      page
    }) => {
      const panel = await openSidebar(page);
      const identity = panel.getByRole('region', { name: 'AWS identity' });
      await expect(
        identity.getByText(
          /^arn:aws:sts::123456789012:assumed-role\/approver\//
        )
      ).toBeVisible();
      await expect(
        identity.getByText(/assumed-role\/data-scientist\//)
      ).toHaveCount(0);
      // the approver's own Studio space of the project and user profile
      await expect(
        identity.getByText('customer-churn-approver-space', { exact: true })
      ).toBeVisible();
      await expect(
        identity.getByText('approver', { exact: true })
      ).toBeVisible();
    });
  });
});

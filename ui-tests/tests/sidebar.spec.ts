import { expect, test } from '@jupyterlab/galata';

test.describe('SageMaker MLOps sidebar', () => {
  test('opens from the left bar and shows the caller identity from the server', async ({
    page
  }) => {
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
    const panel = page.locator('#sagemaker-mlops-sidebar');
    await expect(
      panel.getByRole('heading', { name: 'SageMaker MLOps' })
    ).toBeVisible();
    const identity = panel.getByRole('region', { name: 'AWS identity' });
    // The devstack's data-scientist identity, resolved by STS GetCallerIdentity on the server.
    await expect(
      identity.getByText('arn:aws:iam::123456789012:user/data-scientist')
    ).toBeVisible();
    await expect(
      identity.getByText('123456789012', { exact: true })
    ).toBeVisible();
    await expect(
      identity.getByText('us-east-1', { exact: true })
    ).toBeVisible();
    await page.screenshot({ path: 'test-results/sidebar-identity.png' });
  });

  test('is reachable from the command palette', async ({ page }) => {
    await page.keyboard.press('Control+Shift+C');
    await page
      .getByRole('textbox', { name: /Search/i })
      .first()
      .fill('Open SageMaker MLOps Sidebar');
    await page.keyboard.press('Enter');
    await expect(page.locator('#sagemaker-mlops-sidebar')).toBeVisible();
  });
});

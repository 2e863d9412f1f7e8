import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { cloneUrl, commitAsColleague, configBranch, configFile } from './aws';
import { line, openConfig } from './config';
import { openFolder, unique } from './helpers';

/**
 * The shared-configuration editor against the devstack's CodeCommit (real git
 * underneath): each test works on a branch of its own made from `dev`, opened
 * from the command palette and chosen in the editor's branch list.
 */

/** Put the cursor at the end of a line of the text view. */
async function endOfLine(page: IJupyterLabPageFixture, target: Locator) {
  await target.click();
  await page.keyboard.press('End');
}

/** Review & commit…: the review, whose diff against the branch head shows `changed` as a line. */
async function openReview(editor: Locator, changed: string): Promise<Locator> {
  await editor.getByRole('button', { name: 'Review & commit…' }).click();
  const reviewPane = editor.getByRole('region', { name: 'Review and commit' });
  const diff = reviewPane.getByRole('table', {
    name: 'Changes against the branch head'
  });
  await expect(diff.getByRole('row').filter({ hasText: changed })).toHaveCount(
    1
  );
  return reviewPane;
}

async function fixPlaceholder(editor: Locator) {
  await editor
    .getByRole('button', {
      name: /^Use the project bucket customer-churn-\d{12}$/
    })
    .click();
  await expect(line(editor, 'data: "s3://customer-churn-')).toHaveCount(1);
}

test.describe('Shared configuration editor', () => {
  test.use({ viewport: { width: 1366, height: 850 } });

  test('form and text stay in sync with comments kept; an invalid value is shown at its line and blocks the commit; a valid change is committed with a pull request', async ({
    page
  }) => {
    const { branch, commitId: base } = await configBranch(
      unique('galata-config')
    );
    const editor = await openConfig(page, branch);
    const review = editor.getByRole('button', { name: 'Review & commit…' });

    // The scaffolding placeholder is an error until replaced with the project bucket.
    await expect(
      editor.getByText(/still holds the scaffolding's placeholder/).first()
    ).toBeVisible();
    await expect(review).toBeDisabled();
    await fixPlaceholder(editor);
    await expect(editor.getByRole('status').first()).toContainText('Valid');

    // The form's training instance count: the text follows, comments intact.
    const count = editor.locator(
      '#jp-MLOps-config_train_config_instance_count'
    );
    await count.fill('2');
    await expect(line(editor, 'instance_count: 2')).toHaveCount(1);
    await expect(
      line(
        editor,
        'train_config:                 # sagemaker.estimator.Estimator'
      )
    ).toHaveCount(1);
    await expect(line(editor, '# Not read by the pipeline')).toHaveCount(1);

    // An invalid value typed in the text view: the error at its line, commit disabled.
    const countLine = line(editor, 'instance_count: 2');
    await endOfLine(page, countLine);
    await page.keyboard.press('Backspace');
    await page.keyboard.type('0');
    const problems = editor.getByRole('list', { name: 'Problems' });
    // The training instance count's line (the preprocessing one comes first).
    const seeded = (await configFile(base)).split('\n');
    const training = seeded.findIndex(l => l.startsWith('train_config:'));
    const lineNumber =
      seeded.findIndex((l, i) => i > training && l === '  instance_count: 1') +
      1;
    const problem = problems.getByRole('button', {
      name: new RegExp(
        `Error Line ${lineNumber} /train_config/instance_count must be at least 1`
      )
    });
    await expect(problem).toBeVisible();
    await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(1);
    await expect(review).toBeDisabled();
    await expect(
      editor.getByText('Fix 1 error before committing.')
    ).toBeVisible();
    // (Clicking a long line scrolls the text view sideways; back to its start for the picture.)
    await editor.locator('.cm-scroller').evaluate(e => (e.scrollLeft = 0));
    await page.screenshot({ path: 'test-results/config-invalid.png' });

    // Fixed: the error clears.
    await page.keyboard.press('Backspace');
    await page.keyboard.type('3');
    await expect(problem).toHaveCount(0);
    await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(0);
    await expect(review).toBeEnabled();

    // Review: the diff against the branch head, then commit with a pull request to main.
    const reviewPane = await openReview(editor, 'instance_count: 3');
    await reviewPane.getByRole('textbox').fill('Three training instances');
    await expect(
      reviewPane.getByRole('checkbox', {
        name: `Open a pull request from ${branch} to main`
      })
    ).toBeChecked();
    await page.screenshot({ path: 'test-results/config-review.png' });
    await reviewPane
      .getByRole('button', { name: `Commit to ${branch}` })
      .click();
    await expect(
      editor.getByText(new RegExp(`Committed [0-9a-f]{8} to ${branch}\\.`))
    ).toBeVisible();
    await expect(
      editor.getByRole('link', { name: /^Pull request \S+ opened$/ })
    ).toBeVisible();

    // git clone: the committed file keeps its comments; only the intended lines changed.
    const dir = mkdtempSync(join(tmpdir(), 'galata-clone-'));
    execFileSync('git', [
      'clone',
      '--quiet',
      '--branch',
      branch,
      await cloneUrl(),
      dir
    ]);
    const cloned = readFileSync(join(dir, 'model_config.yaml'), 'utf8');
    expect(cloned).toContain(
      '# Field names follow the SageMaker Python SDK classes'
    );
    expect(cloned).toContain('  instance_count: 3\n  volume_size: 30');
    const changed = execFileSync(
      'git',
      [
        '-C',
        dir,
        'diff',
        '--unified=0',
        base,
        'HEAD',
        '--',
        'model_config.yaml'
      ],
      {
        encoding: 'utf8'
      }
    )
      .split('\n')
      .filter(l => /^[+-][^+-]/.test(l));
    expect(changed).toEqual([
      '-    data: "s3://<project-bucket>/datasets/customer-churn/raw/data.csv"',
      expect.stringMatching(
        /^\+ {4}data: "s3:\/\/customer-churn-\d{12}\/datasets\/customer-churn\/raw\/data\.csv"$/
      ),
      '-  instance_count: 1',
      '+  instance_count: 3'
    ]);
    expect(
      execFileSync('git', ['-C', dir, 'log', '-1', '--format=%s'], {
        encoding: 'utf8'
      }).trim()
    ).toBe('Three training instances');
  });

  test('a concurrent commit never overwrites: the conflict view keeps the edit, which commits after re-apply @smoke', async ({
    page
  }) => {
    const { branch } = await configBranch(unique('galata-conflict'));
    const editor = await openConfig(page, branch);
    await fixPlaceholder(editor);
    await editor
      .locator('#jp-MLOps-config_train_config_instance_count')
      .fill('4');
    await expect(line(editor, 'instance_count: 4')).toHaveCount(1);

    // Meanwhile a colleague commits to the same branch.
    const theirs = await commitAsColleague(branch, text =>
      text.replace('    max_depth: 6\n', '    max_depth: 8\n')
    );
    await editor.getByRole('button', { name: 'Review & commit…' }).click();
    const conflict = editor.getByRole('region', { name: 'Conflict' });
    await expect(conflict.getByRole('alert')).toContainText(
      `${branch} moved since you opened model_config.yaml: someone committed ${theirs.slice(0, 8)}`
    );
    await expect(
      conflict
        .getByRole('table', { name: 'Their change' })
        .getByRole('row')
        .filter({ hasText: 'max_depth: 8' })
    ).toHaveCount(1);
    await expect(
      conflict
        .getByRole('table', { name: 'Your edit' })
        .getByRole('row')
        .filter({ hasText: 'instance_count: 4' })
    ).toHaveCount(1);
    await page.screenshot({ path: 'test-results/config-conflict.png' });
    expect(await configFile(branch)).toContain('max_depth: 8'); // theirs, not overwritten

    await conflict
      .getByRole('button', { name: 'Re-apply my edit on theirs' })
      .click();
    await expect(line(editor, 'instance_count: 4')).toHaveCount(1);
    await expect(line(editor, 'max_depth: 8')).toHaveCount(1);
    await editor.getByRole('button', { name: 'Review & commit…' }).click();
    const reviewPane = editor.getByRole('region', {
      name: 'Review and commit'
    });
    await reviewPane.getByRole('checkbox').uncheck();
    await reviewPane
      .getByRole('button', { name: `Commit to ${branch}` })
      .click();
    await expect(
      editor.getByText(new RegExp(`Committed [0-9a-f]{8} to ${branch}\\.`))
    ).toBeVisible();
    const landed = await configFile(branch);
    expect(landed).toContain('    max_depth: 8\n');
    expect(landed).toContain('  instance_count: 4\n');
  });

  test('an unsaved edit comes back after a reload; YAML that does not parse opens in the text view with its error', async ({
    page
  }) => {
    const { branch } = await configBranch(unique('galata-draft'));
    // A colleague's indentation slip: the file no longer parses (line 6).
    await commitAsColleague(branch, text =>
      text.replace('\nframework_version:', '\n framework_version:')
    );
    let editor = await openConfig(page, branch);
    await expect(
      editor.getByText(
        /The form shows once the text parses\. Fix the error at line 6 in the text view: All mapping items must start at the same column/
      )
    ).toBeVisible();
    const problems = editor.getByRole('list', { name: 'Problems' });
    await expect(problems.getByRole('button').first()).toContainText('Line 6');
    await expect(
      editor.getByRole('button', { name: 'Review & commit…' })
    ).toBeDisabled();
    await line(editor, ' framework_version:').click();
    // Home twice: to the end of the indentation, then to the line's start.
    await page.keyboard.press('Home');
    await page.keyboard.press('Home');
    await page.keyboard.press('Delete');
    await expect(
      editor.locator('#jp-MLOps-config_train_config_instance_count')
    ).toBeVisible();
    await expect(problems.getByText('must be at least')).toHaveCount(0);

    // The repaired text is kept in the browser: a reload brings it back.
    await page.reload();
    editor = await openConfig(page, branch);
    await expect(
      editor.getByText(/^Restored your unsaved edit from/)
    ).toBeVisible();
    await expect(
      editor.locator('#jp-MLOps-config_train_config_instance_count')
    ).toBeVisible();
    await editor.getByRole('button', { name: 'Discard it' }).click();
    await expect(line(editor, ' framework_version:')).toHaveCount(1);
    await expect(editor.getByText(/^Restored your unsaved edit/)).toHaveCount(
      0
    );
  });

  test("a local clone's model_config.yaml from the file browser: validated, saved, and committed to the project's repository", async ({
    page,
    tmpPath
  }) => {
    const { branch } = await configBranch(unique('galata-local'));
    const local = (await configFile(branch))
      .replace('s3://<project-bucket>/', 's3://customer-churn-123456789012/')
      .replace(
        '  instance_count: 1\n  volume_size:',
        '  instance_count: 7\n  volume_size:'
      );
    await page.contents.uploadContent(
      local,
      'text',
      `${tmpPath}/model_config.yaml`
    );
    await openFolder(page, tmpPath);
    await page
      .locator('.jp-DirListing-item', { hasText: 'model_config.yaml' })
      .click({ button: 'right' });
    await page
      .getByRole('menuitem', { name: 'Edit Shared Configuration' })
      .click();
    const editor = page.locator('.jp-MLOps-config');
    await expect(
      editor.getByText(`${tmpPath}/model_config.yaml`)
    ).toBeVisible();
    await expect(line(editor, 'instance_count: 7')).toHaveCount(1);
    await expect(editor.getByRole('status').first()).toContainText('Valid');
    const select = editor.getByRole('combobox', { name: 'Branch' });
    await select.focus();
    await select.selectOption(branch);
    await expect(line(editor, 'instance_count: 7')).toHaveCount(1);

    // An invalid value cannot be saved; fixed, it is saved to the file.
    await line(editor, 'instance_count: 7').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('-1');
    const save = editor.getByRole('button', { name: 'Save', exact: true });
    await expect(save).toBeDisabled();
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('8');
    await expect(save).toBeEnabled();
    await save.click();
    await expect
      .poll(() =>
        page.evaluate(
          async path =>
            (await (window as any).jupyterapp.serviceManager.contents.get(path))
              .content,
          `${tmpPath}/model_config.yaml`
        )
      )
      .toContain('  instance_count: 8\n');

    // Committed on top of the branch as it is: the diff is the clone's change.
    const reviewPane = await openReview(editor, 'instance_count: 8');
    await reviewPane.getByRole('checkbox').uncheck();
    await reviewPane
      .getByRole('button', { name: `Commit to ${branch}` })
      .click();
    await expect(
      editor.getByText(new RegExp(`Committed [0-9a-f]{8} to ${branch}\\.`))
    ).toBeVisible();
    expect(await configFile(branch)).toContain('  instance_count: 8\n');
  });
});

import { expect, test } from '@jupyterlab/galata';

import { openProject } from './helpers';

/**
 * Beside jupyterlab-git, as in Studio's image: both sidebars open, and the
 * page holds one copy of every package JupyterLab shares with extensions
 * (`@jupyterlab/*`, `@lumino/*`, React): each extension uses the
 * application's, none loads its own. Runs only where jupyterlab-git is
 * installed beside the extension (`.ci/matrix.sh`,
 * MLOPS_LAB_EXTRAS=jupyterlab-git).
 *
 * How copies are counted: every federated extension is initialised with the
 * page's share scope, which lists each shared package's versions, who provides
 * each, and whether it was loaded; the scope is captured as JupyterLab hands
 * it to the extensions' containers. React DOM copies are counted as React
 * counts them for its developer tools: each copy registers one renderer.
 */
test.use({ autoGoto: false });

const SHARED = /^(@jupyterlab\/|@lumino\/|react$|react-dom$)/;

interface ILoaded {
  name: string;
  version: string;
  from: string;
}

test.describe('Beside jupyterlab-git @jupyterlab-git', () => {
  test('both sidebars open, and no shared package or React is loaded twice @smoke', async ({
    page
  }) => {
    await page.addInitScript(() => {
      const w = window as any;
      const scopes: any[] = [];
      const containers: Record<string, string[]> = {};
      w.__sideBySide = { scopes, containers, renderers: 0 };
      // Federated extensions assign their container to `_JUPYTERLAB[name]`; JupyterLab then calls its `init`
      // with the shared scope. Record the scope and which containers joined it.
      w._JUPYTERLAB = new Proxy({} as Record<string, any>, {
        set(target, name, container) {
          target[name as string] = {
            get: (module: string) => container.get(module),
            init: (scope: any, ...rest: any[]) => {
              if (!scopes.includes(scope)) {
                scopes.push(scope);
              }
              containers[name as string] = Object.keys(scope);
              return container.init(scope, ...rest);
            }
          };
          return true;
        }
      });
      w.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
        isDisabled: false,
        supportsFiber: true,
        renderers: new Map(),
        inject(renderer: unknown) {
          const id = ++w.__sideBySide.renderers;
          this.renderers.set(id, renderer);
          return id;
        },
        checkDCE() {},
        onScheduleFiberRoot() {},
        onCommitFiberRoot() {},
        onCommitFiberUnmount() {},
        onPostCommitFiberRoot() {}
      };
    });
    const scripts: string[] = [];
    page.on('request', request => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('.js')) {
        scripts.push(url.pathname);
      }
    });
    await page.goto();

    // jupyterlab-git's sidebar, then ours, then jupyterlab-git's again: each opens and shows its content.
    const git = page.locator('#jp-git-sessions');
    await page.getByRole('tab', { name: 'Git' }).click();
    await expect(git).toBeVisible();
    await expect(git).toContainText(/Git repository|Initialize a Repository/);
    const panel = await openProject(page);
    await expect(
      panel
        .getByRole('region', { name: 'AWS identity' })
        .getByText(/assumed-role\/data-scientist\//)
    ).toBeVisible();
    await page.getByRole('tab', { name: 'Git' }).click();
    await expect(git).toBeVisible();
    await expect(panel).toBeHidden();

    const seen = await page.evaluate((pattern: string) => {
      const w = window as any;
      const shared = new RegExp(pattern);
      const loaded: ILoaded[] = [];
      const offered: Record<string, string[]> = {};
      for (const scope of w.__sideBySide.scopes) {
        for (const [name, versions] of Object.entries<any>(scope)) {
          if (!shared.test(name)) {
            continue;
          }
          offered[name] = Object.keys(versions);
          for (const [version, entry] of Object.entries<any>(versions)) {
            if (entry.loaded) {
              loaded.push({ name, version, from: entry.from });
            }
          }
        }
      }
      return {
        scopes: w.__sideBySide.scopes.length,
        containers: Object.keys(w.__sideBySide.containers),
        renderers: w.__sideBySide.renderers,
        loaded,
        offered
      };
    }, SHARED.source);

    // Both extensions joined the one share scope of the page.
    expect(seen.scopes).toBe(1);
    expect(seen.containers).toEqual(
      expect.arrayContaining(['sagemaker-mlops', '@jupyterlab/git'])
    );
    // One loaded copy per shared package, React among them.
    const copies: Record<string, string[]> = {};
    for (const { name, version, from } of seen.loaded) {
      (copies[name] ??= []).push(`${version} from ${from}`);
    }
    const twice = Object.entries(copies).filter(([, v]) => v.length > 1);
    expect(twice, JSON.stringify(twice)).toEqual([]);
    expect(Object.keys(copies)).toEqual(
      expect.arrayContaining([
        'react',
        'react-dom',
        '@jupyterlab/application',
        '@jupyterlab/apputils',
        '@lumino/widgets'
      ])
    );
    expect(seen.renderers).toBe(1);

    // Requests: neither extension fetched a file of the other, and each extension's scripts come from its own
    // folder (an extension bundling its own JupyterLab or React would also show up as a second loaded copy).
    const ours = scripts.filter(p =>
      p.includes('/lab/extensions/sagemaker-mlops/')
    );
    const theirs = scripts.filter(p =>
      p.includes('/lab/extensions/@jupyterlab/git/')
    );
    expect(ours.length).toBeGreaterThan(0);
    expect(theirs.length).toBeGreaterThan(0);
    test.info().annotations.push({
      type: 'side-by-side',
      description:
        `${Object.keys(copies).length} shared packages loaded once each; React DOM renderers: ${seen.renderers}; ` +
        `scripts: sagemaker-mlops ${ours.length}, @jupyterlab/git ${theirs.length}, ${scripts.length} in all`
    });
    console.log(test.info().annotations.at(-1)!.description);
    await page.screenshot({ path: 'test-results/side-by-side.png' });
  });
});

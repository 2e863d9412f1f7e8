/** ESLint 8's API, as far as used here (the package ships no types). */
interface ILinter {
  lintText(
    code: string,
    options: { filePath: string }
  ): Promise<{ messages: { ruleId: string | null; message: string }[] }[]>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ESLint } = require('eslint') as {
  ESLint: new (options: object) => ILinter;
};

/** The project's own lint rules, run on snippets as if they were files of the project. */
async function lint(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: `${__dirname}/../..`,
    overrideConfig: { parserOptions: { project: null } }
  });
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map(m => `${m.ruleId}: ${m.message}`);
}

describe('lint rules', () => {
  it('keep JupyterLab, Lumino and React out of src/core', async () => {
    for (const module of [
      '@jupyterlab/apputils',
      '@lumino/signaling',
      'react'
    ]) {
      const messages = await lint(
        'src/core/pipelines/example.ts',
        `import * as x from '${module}';\nexport const y = x;\n`
      );
      expect(messages).toEqual([
        expect.stringMatching(/^no-restricted-imports: .*host-agnostic/)
      ]);
    }
  });

  it('keep src/core from importing the rest of src', async () => {
    expect(
      await lint(
        'src/core/pipelines/example.ts',
        "import { ROUTE_PREFIX } from '../../tokens';\nexport const y = ROUTE_PREFIX;\n"
      )
    ).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    expect(
      await lint(
        'src/core/example.ts',
        "import { isActive } from './status';\nimport { IPage } from './types';\nexport const y: IPage<string> = { items: [String(isActive)] };\n"
      )
    ).toEqual([]);
  });

  it('let the JupyterLab side import JupyterLab', async () => {
    expect(
      await lint(
        'src/pipelines/example.ts',
        "import { Widget } from '@lumino/widgets';\nexport const y = Widget;\n"
      )
    ).toEqual([]);
  });

  it('translate literals only', async () => {
    const messages = await lint(
      'src/pipelines/example.ts',
      "declare const trans: { __(s: string, ...a: unknown[]): string };\nconst label = 'Run';\nexport const a = trans.__(label);\nexport const b = trans.__('Run %1', label);\n"
    );
    expect(messages).toEqual([
      expect.stringMatching(/^no-restricted-syntax: Translate literals only/)
    ]);
  });
});

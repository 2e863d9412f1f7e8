module.exports = {
  extends: ['eslint:recommended', 'plugin:@typescript-eslint/eslint-recommended', 'plugin:@typescript-eslint/recommended', 'plugin:prettier/recommended'],
  parser: '@typescript-eslint/parser',
  parserOptions: { project: 'tsconfig.test.json', sourceType: 'module' },
  plugins: ['@typescript-eslint'],
  rules: {
    '@typescript-eslint/naming-convention': ['error', { selector: 'interface', format: ['PascalCase'], custom: { regex: '^I[A-Z]', match: true } }],
    '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
    '@typescript-eslint/no-explicit-any': 'off',
    '@typescript-eslint/no-namespace': 'off',
    '@typescript-eslint/no-use-before-define': 'off',
    curly: ['error', 'all'],
    eqeqeq: 'error',
    'prefer-arrow-callback': 'error',
    // Strings are found for translation by their literal: trans.__/_n/_p take literals only, never a variable.
    'no-restricted-syntax': [
      'error',
      {
        selector: "CallExpression[callee.property.name=/^(__|_n|_p)$/][arguments.0.type!='Literal']",
        message: 'Translate literals only: trans.__(\'text %1\', value), never trans.__(variable).'
      }
    ]
  },
  overrides: [
    // The core is host-agnostic (a VS Code / Code Editor host reuses it): no JupyterLab, Lumino or React, and
    // nothing of src/ outside src/core.
    coreRule('src/core/*.ts', '../*'),
    coreRule('src/core/*/**/*.ts', '../../*')
  ]
};

function coreRule(files, outside) {
  return {
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@jupyterlab/*', '@lumino/*', 'react', 'react-dom', '@tanstack/*'], message: 'src/core must stay host-agnostic.' },
            { group: [outside], message: 'src/core imports only src/core and the AWS SDK.' }
          ]
        }
      ]
    }
  };
}

// Type-aware lint for every workspace: no floating promises, no explicit any.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

// Boundaries (see DESIGN.md, "Direction of imports"): each is a failing check, not a convention.
const apps = ['client', 'sync-server', 'sfu', 'bench', 'e2e'];
/** Relative imports that climb into another app (or into shared/ by path instead of `@echora/shared`). */
const otherApps = (app) => ({
  regex: `^(\\.\\./)+(${[...apps, 'shared'].filter((a) => a !== app).join('|')})/`,
  message: `${app} imports another app's sources; share code through @echora/shared.`,
});
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
/**
 * Files that read another app's sources from before the rule, kept as they
 * are: benchmarks that measure the client's replica, the server's search and
 * the SFU in process, and the test that checks the deploy files against both
 * configs. New files may not join them.
 */
const crossAppBaseline = [
  'bench/p5-catch-up.ts',
  'bench/p5-browser-apply.ts',
  'bench/p5-chromium.ts',
  'bench/p6-cold-start.ts',
  'bench/p6-replica-seed.ts',
  'bench/p7-login-lag.ts',
  'bench/p8-voice.ts',
  'bench/p10-uploads.ts',
  'bench/p20-device.ts',
  'bench/p20-device-page.ts',
  'bench/p20-search.ts',
  'bench/lib/minisearch-index.ts',
  'bench/lib/search-seed.ts',
  'sync-server/test/ops/deploy-files.test.ts',
];
const serverSync = {
  regex: '^(\\.\\./)+sync/',
  message:
    'domain/ must not import sync/ (sockets, streams, catch-up): what writers share is in write/ and db/.',
};
const belowDomain = [
  { regex: '^(\\.\\./)+sync/', message: 'write/ and db/ sit below sync/ and never import it.' },
  {
    regex: '^(\\.\\./)+domain/',
    allowTypeImports: true,
    message: 'write/ and db/ sit below domain/: they may name its types, never run its code.',
  },
];
const clientSync = {
  regex: '^(\\.\\./)+sync/',
  message: 'UI components read state/ (and lib/engine-port.ts), never sync/ directly.',
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/test-dist/**',
      '**/data/**',
      'android/**',
      'ios/**',
      'bench/results/**',
      '**/*.config.js',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
        // Script blocks of components are TypeScript, also when the cycle check reads one from a .ts file.
        parser: tseslint.parser,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // A switch over a union names every member (a default is not enough): a new one fails here.
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // No import cycles among value imports (type-only imports are not counted).
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver()],
      'import-x/extensions': ['.ts', '.js', '.mjs', '.svelte'],
      // Files reached through imports are parsed by their own kind, whoever imports them.
      'import-x/parsers': {
        '@typescript-eslint/parser': ['.ts', '.mts', '.js', '.mjs'],
        'svelte-eslint-parser': ['.svelte'],
      },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...apps.map((app) => ({
    files: [`${app}/**`],
    ignores: crossAppBaseline,
    rules: restrict(otherApps(app)),
  })),
  {
    files: ['shared/**'],
    rules: restrict({
      regex: `^(\\.\\./)+(${apps.join('|')})/`,
      message: 'shared/ is imported by the apps and imports none of them.',
    }),
  },
  {
    // Later blocks replace the rule's options for their files: each repeats the app boundary.
    files: ['sync-server/src/domain/**'],
    rules: restrict(otherApps('sync-server'), serverSync),
  },
  {
    files: ['sync-server/src/write/**', 'sync-server/src/db/**'],
    rules: restrict(otherApps('sync-server'), ...belowDomain),
  },
  {
    files: ['client/src/ui/**'],
    rules: restrict(otherApps('client'), clientSync),
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // Build scripts run by Node as they are (no tsconfig covers them).
    files: ['client/scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain scripts the client serves as they are (loaded before the app, no bundler).
    files: ['client/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: { ...globals.browser },
    },
  },
);

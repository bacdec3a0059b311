// The dependency rules of the design, checked by `npm run deps` (part of `npm run check`).
// Paths are relative to the repo root. Type-only imports count: they are arrows in the design too.
const PRODUCT = '^(src|workers|connectors|config)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'config-imports-nothing-of-ours',
      comment:
        'Files under config/ import nothing of ours outside config/: not src/, workers/, connectors/, ' +
        'test/, bench/ or scripts/. npm packages, node builtins and other config/ files are fine.',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^(src|workers|connectors|test|bench|scripts)/' },
    },
    {
      name: 'connectors-are-pure',
      comment:
        'Files under connectors/ import only other files under connectors/, the packages zod and yaml, ' +
        'and the node builtin node:crypto. Nothing else: no src/, config/ or workers/, no other package.',
      severity: 'error',
      from: { path: '^connectors/' },
      to: { pathNot: ['^connectors/', '(^|/)node_modules/(zod|yaml)/', '^(node:)?crypto$'] },
    },
    {
      name: 'no-routes-or-composition-from-domain',
      comment:
        'No file under src/ imports src/routes/ or src/composition/, except src/main.ts and src/app.ts. ' +
        'Files in src/routes/ may import each other, and so may files in src/composition/; ' +
        'src/composition/ must not import src/routes/ (nor src/routes/ import src/composition/).',
      severity: 'error',
      from: { path: '^src/([^/]+)', pathNot: '^src/(main|app)[.]ts$' },
      to: { path: '^src/(routes|composition)/', pathNot: '^src/$1/' },
    },
    {
      name: 'only-kafka-imports-kafkajs',
      comment:
        'In product code (src/, workers/, connectors/, config/) only files under src/kafka/ import the ' +
        'kafkajs package. test/, bench/ and scripts/ may.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: '^src/kafka/' },
      to: { path: '(^|/)node_modules/kafkajs/|^kafkajs(/|$)' },
    },
    {
      name: 'only-main-imports-workers',
      comment: 'Nothing under src/ imports workers/, except src/main.ts, which starts them.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main[.]ts$' },
      to: { path: '^workers/' },
    },
    {
      name: 'examples-stand-alone',
      comment:
        'Files under examples/ import only other files under examples/, npm packages and node builtins: ' +
        'users copy them out, so nothing from src/, workers/, connectors/, config/, test/, bench/ or scripts/.',
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^(src|workers|connectors|config|test|bench|scripts)/' },
    },
    {
      name: 'no-circular',
      comment: 'No circular imports, type-only ones included (npm run cycles checks the same with madge).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-sim-in-product',
      comment:
        'Product code (src/, workers/, connectors/, config/) never imports test/ (the simulator, fakes ' +
        'and helpers live there).',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import resolves to a file or package. The rules above match on resolved paths, so an ' +
        'import the cruiser cannot resolve would slip past them unchecked.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Count `import type` and type-only uses: they are dependencies in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};

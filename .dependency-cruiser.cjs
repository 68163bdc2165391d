// Import rules for packages/server/src, checked by `npm run deps` (part of `npm test`).
// Layers, top to bottom: http -> elements -> runs/engine -> storage/sandbox. A module may
// import from its own layer or a lower one, never upward. Type-only imports count too
// (tsPreCompilationDeps), so an `import type` cannot hide a cycle or a layer break.
//
// Tests live beside the code (*.test.ts) with a few helper files only tests import; they may
// start a whole server, so the layer and src->test rules apply to shipped code only.
const TEST_CODE = '(\\.test\\.ts|-test-helpers\\.ts|/engine-test-kit\\.ts|/runs-api/runs-api-helpers\\.ts)$'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only imports included. Cut them with a narrow interface.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-src-to-test',
      severity: 'error',
      comment: 'Shipped code never imports test helpers.',
      from: { path: '^packages/server/src', pathNot: TEST_CODE },
      to: { path: '^packages/server/test' },
    },
    {
      name: 'storage-sandbox-stay-low',
      severity: 'error',
      comment: 'storage/ and sandbox/ are the bottom layer: they import nothing from above.',
      from: { path: '^packages/server/src/(storage|sandbox)/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/(elements|http|runs|engine)/' },
    },
    {
      name: 'runs-engine-below-elements',
      severity: 'error',
      comment: 'runs/ and engine/ sit below elements/ and http/.',
      from: { path: '^packages/server/src/(runs|engine)/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/(elements|http)/' },
    },
    {
      name: 'elements-below-http',
      severity: 'error',
      comment: 'elements/ never imports the HTTP layer.',
      from: { path: '^packages/server/src/elements/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/http/' },
    },
    {
      name: 'auth-below-elements',
      severity: 'error',
      comment: 'auth/ (keys, scopes, the Actor) is used by elements/ and http/, never the reverse.',
      from: { path: '^packages/server/src/auth/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/(elements|http)/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'config.ts is read by every layer, so it imports none of them (pure parsers only).',
      from: { path: '^packages/server/src/config(-options|-parsers)?[.]ts$' },
      to: { path: '^packages/server/src/(http|elements|runs|engine|storage|sandbox|secrets|auth)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
}

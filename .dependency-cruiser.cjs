// Import rules for packages/server/src, checked by `npm run deps` (part of `npm test`).
// Layers, top to bottom: http (and mcp beside it) -> elements -> auth -> runs/engine -> secrets/net/quotas/limits/
// events -> storage/sandbox. A module may import from its own layer or a lower one, never upward. Type-only imports count too
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
      comment:
        'storage/, sandbox/ and source/ (the Git store) are the bottom layer: they import nothing from above.',
      from: { path: '^packages/server/src/(storage|sandbox|source)/', pathNot: TEST_CODE },
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
      name: 'mcp-beside-http',
      comment:
        'mcp/ (the MCP endpoint) sits beside http/: it reaches operations through elements/ (operation-call.ts), never through the HTTP layer; http/app.ts only registers its route.',
      severity: 'error',
      from: { path: '^packages/server/src/mcp/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/http/' },
    },
    {
      name: 'mcp-above-elements',
      comment: 'Nothing below the HTTP layer imports the MCP endpoint.',
      severity: 'error',
      from: {
        path: '^packages/server/src/(elements|auth|runs|engine|storage|sandbox|source|secrets|net|quotas|limits|events|workflows)/',
        pathNot: TEST_CODE,
      },
      to: { path: '^packages/server/src/mcp/' },
    },
    {
      name: 'auth-below-elements',
      severity: 'error',
      comment:
        'auth/ (keys, scopes, the Actor) sits between elements/ and runs/engine: it implements the narrow interfaces the engine declares (credential-watch.ts), and elements/ and http/ use it.',
      from: { path: '^packages/server/src/auth/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/(elements|http)/' },
    },
    {
      name: 'runs-engine-below-auth',
      severity: 'error',
      comment: 'runs/ and engine/ know credentials only through their own interfaces, never auth/.',
      from: { path: '^packages/server/src/(runs|engine)/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/auth/' },
    },
    {
      name: 'workflows-below-elements',
      severity: 'error',
      comment:
        'workflows/ (the DSL: definitions, jq expressions, the interpreter) sits beside runs/ and engine/: it reaches elements, runs and the network through the host interface its caller passes.',
      from: { path: '^packages/server/src/workflows/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/(elements|http|auth|cli)/' },
    },
    {
      name: 'support-below-services',
      severity: 'error',
      comment:
        'secrets/, net/ (the outbound policy), quotas/, limits/ and events/ serve every layer above storage, so they import none of them.',
      from: { path: '^packages/server/src/(secrets|net|quotas|limits|events)/', pathNot: TEST_CODE },
      to: { path: '^packages/server/src/(elements|http|runs|engine|cli|auth)/' },
    },
    {
      name: 'elements-through-ports',
      severity: 'error',
      comment:
        'Element code reaches storage through ports (storage.ts types, type-tables.ts), never an implementation: only main.ts and the core services hold the whole Storage.',
      from: { path: '^packages/server/src/elements/', pathNot: TEST_CODE },
      to: {
        path: '^packages/server/src/storage/(kysely-storage|sqlite|postgres|migrations|db-schema|[a-z-]+-store)[.]ts$',
      },
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

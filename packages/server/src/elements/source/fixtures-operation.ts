// `source/fixtures`: seed data kept in a data element's Source, applied through the element's own
// operations. A manifest is a file under `.periodic/fixtures/` (`.json`, `.yaml` or `.yml`):
//
//   operation: import            # one of the operations the type approves for fixtures
//   records:                     # each record is one call's input
//     - { cookies: [{ name: sid, value: demo, domain: .example.com }] }
//
// A dry run (the default) parses every manifest and validates every record against its
// operation's input schema. Applying needs `dry_run: false` and `confirm: true`, refuses the whole
// request if any record is invalid, and then dispatches each record through the operation, with
// the caller's scopes. Fixtures come only from the repository: nothing is read from the runtime.
import { Type } from '@sinclair/typebox'
import { parse } from 'yaml'
import { requireScope } from '../../auth/require-actor.ts'
import { PlatformError } from '../../errors.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { defineOperation, type OperationContext, type OperationDef } from '../element.ts'
import { validateInput } from '../validation.ts'
import { FIXTURES_DIR } from './element-files.ts'
import { SOURCE } from './source-errors.ts'
import { commitOf } from './source-operations.ts'

const MAX_RECORDS = 10_000
const decoder = new TextDecoder('utf-8', { fatal: true })

interface Manifest {
  path: string
  operation: string
  records: unknown[]
  problems: string[]
}

/** Reads and checks every manifest of the tree at `commit` (problems per manifest, never thrown). */
async function readManifests(ctx: OperationContext<unknown>, commit: string, approved: string[]) {
  const files = await ctx.elements.source.store.files(ctx.element.id, commit)
  const ops = ctx.elements.registry.operationsOf(ctx.type)
  const manifests: Manifest[] = []
  for (const [path, bytes] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    if (!path.startsWith(`${FIXTURES_DIR}/`)) continue
    const m: Manifest = { path, operation: '', records: [], problems: [] }
    manifests.push(m)
    if (!/\.(json|ya?ml)$/.test(path)) {
      m.problems.push('not a manifest: name it .json, .yaml or .yml')
      continue
    }
    let doc: unknown
    try {
      doc = parse(decoder.decode(bytes))
    } catch (err) {
      m.problems.push(`does not parse: ${(err as Error).message.split('\n')[0]}`)
      continue
    }
    const o = (doc ?? {}) as Record<string, unknown>
    m.operation = typeof o['operation'] === 'string' ? o['operation'] : ''
    m.records = Array.isArray(o['records']) ? o['records'] : []
    if (!approved.includes(m.operation))
      m.problems.push(`operation must be one of ${approved.join(', ')} (got "${m.operation.slice(0, 64)}")`)
    if (!Array.isArray(o['records']) || m.records.length === 0)
      m.problems.push('records must be a non-empty list')
    if (m.records.length > MAX_RECORDS) m.problems.push(`more than ${MAX_RECORDS} records`)
    const op = ops.find((x) => x.name === m.operation)
    if (!op || m.problems.length) continue
    for (const [i, record] of m.records.entries()) {
      try {
        if (op.input) validateInput(op.input, record)
      } catch (err) {
        m.problems.push(`records[${i}]: ${(err as Error).message}`)
        if (m.problems.length >= 20) break
      }
    }
  }
  return manifests
}

export const fixturesOperation = defineOperation({
  name: 'source_fixtures',
  path: 'source/fixtures',
  method: 'POST',
  auth: 'write',
  summary: 'Dry-run or apply the seed fixtures of a data element’s Source (.periodic/fixtures/)',
  description:
    'Each manifest names an operation the type approves for fixtures (cookie jar: `set`, `import`; variable: `set`) and lists its inputs as `records`. Defaults to a dry run that validates every record; applying needs `dry_run: false` and `confirm: true`, refuses everything when one record is invalid, and calls the operation once per record with the caller’s scopes. Never reads runtime data.',
  input: Type.Object(
    {
      ref: Type.Optional(
        Type.String({ minLength: 1, maxLength: 256, pattern: '^(?!.*\\.\\.)[A-Za-z0-9._/-]+$' }),
      ),
      dry_run: Type.Boolean({ default: true }),
      confirm: Type.Boolean({ default: false }),
    },
    { additionalProperties: false },
  ),
  async handler(ctx) {
    const approved = ctx.type.fixtureOperations ?? []
    if (ctx.type.category !== 'data' || !approved.length)
      throw new PlatformError(
        SOURCE.SOURCE_FIXTURES_UNSUPPORTED,
        `${ctx.type.type} elements take no fixtures; data elements (cookie jars, variables) do`,
        { element_type: ctx.type.type },
      )
    const ref = ctx.input.ref ?? 'draft'
    const commit = await commitOf(ctx, ref)
    const manifests = await readManifests(ctx, commit, approved)
    const report = manifests.map((m) => ({
      path: m.path,
      operation: m.operation,
      records: m.records.length,
      valid: m.problems.length === 0,
      problems: m.problems,
    }))
    const valid = report.every((m) => m.valid)
    if (ctx.input.dry_run) return { dry_run: true, ref, commit, valid, manifests: report, applied: 0 }
    if (!ctx.input.confirm)
      throw new PlatformError(SOURCE.SOURCE_CONFIRM_REQUIRED, 'applying fixtures needs confirm: true', {})
    if (!valid)
      throw new PlatformError(
        SOURCE.SOURCE_FIXTURES_INVALID,
        'a fixture manifest is invalid; nothing was applied',
        {
          problems: report.filter((m) => !m.valid).map((m) => ({ path: m.path, problems: m.problems })),
        },
      )
    const ops = ctx.elements.registry.operationsOf(ctx.type)
    for (const m of manifests) {
      const auth = ops.find((o) => o.name === m.operation)!.auth
      if (auth !== 'none') requireScope(ctx.actor, auth, m.operation)
    }
    let applied = 0
    for (const m of manifests) {
      const op = ops.find((o) => o.name === m.operation) as OperationDef
      for (const record of m.records) {
        // Each call sees the element as the previous one left it.
        const element = (await ctx.elements.records.getElement(ctx.element.id)) ?? ctx.element
        await op.handler({ ...ctx, element, spec: element.spec, input: record, query: {}, params: {} })
        applied++
      }
    }
    await ctx.elements.note(ctx.element, ctx.actor, 'source.fixtures_applied', {
      ref,
      commit,
      applied,
      manifests: manifests.map((m) => m.path),
    } as JsonObject)
    return { dry_run: false, ref, commit, valid: true, manifests: report, applied }
  },
})

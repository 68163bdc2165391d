// export_bundle and import_bundle: an element's Source repository as a `git bundle` (binary),
// a circle as a JSON envelope of one base64 bundle per element below it, and the import of
// either into a circle or project of any installation (new ids; see bundle-import.ts).
import { Type } from '@sinclair/typebox'
import { E, PlatformError } from '../../errors.ts'
import { createBundle, createBundles } from '../../source/git-bundle.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { defineOperation, type ElementsPort } from '../element.ts'
import { type BundleInput, importBundles, MAX_BUNDLE_BYTES } from './bundle-import.ts'
import { SOURCE } from './source-errors.ts'

/** Shell loops making a circle's bundles side by side (see createBundles). */
const EXPORT_CONCURRENCY = 4
export const ENVELOPE_FORMAT = 'periodic.bundles.v1'
// base64 of the largest bundle, plus slack for line breaks.
const MAX_BASE64 = Math.ceil(MAX_BUNDLE_BYTES / 3) * 4 + 1024 * 1024

const tooLarge = (what: string) =>
  new PlatformError(SOURCE.SOURCE_BUNDLE_TOO_LARGE, `${what} exceeds ${MAX_BUNDLE_BYTES} bytes`, {
    limit_bytes: MAX_BUNDLE_BYTES,
  })

/** The bundle of one element's repository (committing its current state first if it has none). */
async function bundleOf(elements: ElementsPort, row: ElementRow, limit: number): Promise<Buffer> {
  await elements.source.ensure(row)
  try {
    return await createBundle(elements.source.store.gitdir(row.id), limit)
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') throw tooLarge(row.slug)
    throw err
  }
}

/** Every element below the circle with its path (`project/hello`), containers first. */
async function circleMembers(elements: ElementsPort, circle: ElementRow) {
  const rows = (await elements.records.listCircleElements(circle.id)).filter((r) => r.parent_id !== null)
  const byId = new Map(rows.map((r) => [r.id, r]))
  const pathOf = (r: ElementRow): string[] => {
    const out = [r.slug]
    for (let p = byId.get(r.parent_id!); p; p = byId.get(p.parent_id!)) out.unshift(p.slug)
    return out
  }
  return rows
    .map((row) => ({ row, path: pathOf(row) }))
    .sort((a, b) => a.path.length - b.path.length || a.path.join('/').localeCompare(b.path.join('/')))
}

const EnvelopeEntry = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 1024 }),
    bundle_base64: Type.String({ minLength: 1, maxLength: MAX_BASE64 }),
    slug: Type.Optional(Type.String({ maxLength: 63 })),
    element_type: Type.Optional(Type.String({ maxLength: 80 })),
    id: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)

export const bundleOperations = [
  defineOperation({
    name: 'export_bundle',
    path: 'export/bundle',
    method: 'GET',
    auth: 'read',
    summary: 'Export the element as a git bundle (a circle: a JSON envelope of one bundle per element)',
    description: `An element answers with a binary \`git bundle\` (\`application/octet-stream\`) of its Source repository: the draft, demo and live branches and the release tags, whole history; \`git clone x.bundle\` reads it. A circle answers with a JSON envelope \`{format: "${ENVELOPE_FORMAT}", circle, count, bundles: [{path, slug, element_type, id, bundle_base64}]}\`, one bundle per element below it, containers first; \`import_bundle\` takes it as is. At most ${MAX_BUNDLE_BYTES} bytes of bundles (413 \`SOURCE_BUNDLE_TOO_LARGE\`).`,
    input: Type.Object({}, { additionalProperties: false }),
    binary: 'application/octet-stream',
    allowWhenDisabled: true,
    async handler(ctx) {
      if (ctx.element.element_type === 'circle' && ctx.element.parent_id === null) {
        const members = await circleMembers(ctx.elements, ctx.element)
        for (const { row } of members) await ctx.elements.source.ensure(row)
        const { store } = ctx.elements.source
        const files = await createBundles(
          members.map(({ row }) => store.gitdir(row.id)),
          EXPORT_CONCURRENCY,
          MAX_BUNDLE_BYTES,
        ).catch((err: unknown) => {
          throw err instanceof RangeError ? tooLarge('the circle’s bundles') : err
        })
        const bundles = members.map(({ row, path }, i) => ({
          path: path.join('/'),
          slug: row.slug,
          element_type: row.element_type,
          id: row.id,
          bundle_base64: files[i]!.toString('base64'),
        }))
        return {
          format: ENVELOPE_FORMAT,
          circle: ctx.element.slug,
          exported_at: new Date().toISOString(),
          count: bundles.length,
          bundles,
        }
      }
      const bytes = await bundleOf(ctx.elements, ctx.element, MAX_BUNDLE_BYTES + 1)
      if (bytes.length > MAX_BUNDLE_BYTES) throw tooLarge(ctx.element.slug)
      ctx.reply.header('content-type', 'application/octet-stream')
      ctx.reply.header('content-disposition', `attachment; filename="${ctx.element.slug}.bundle"`)
      return bytes
    },
  }),
  defineOperation({
    name: 'import_bundle',
    path: 'import/bundle',
    method: 'POST',
    auth: 'write',
    summary: 'Import git bundles as elements of this circle or project (new ids)',
    description:
      'Give `bundle_base64` (one bundle, as `export_bundle` made it) or the circle envelope (`bundles: [{path, bundle_base64}]`). Each bundle’s `.periodic/element.yaml` and tree at draft become an element with a new id, validated like `create`, its history kept (the "Created" commit builds on the imported draft; demo, live and tags come along). An element whose slug exists is skipped, or updated with `overwrite: true`. Answers `{imported, skipped, errors: [{slug, path, code, message}], elements}`. A bundle that is not base64, not a Git bundle, truncated or corrupt refuses the whole request (400 `SOURCE_BUNDLE_INVALID`, nothing imported).',
    input: Type.Object(
      {
        bundle_base64: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_BASE64 })),
        bundles: Type.Optional(Type.Array(EnvelopeEntry, { maxItems: 10_000 })),
        overwrite: Type.Optional(Type.Boolean()),
        format: Type.Optional(Type.Literal(ENVELOPE_FORMAT)),
        circle: Type.Optional(Type.String({ maxLength: 63 })),
        exported_at: Type.Optional(Type.String({ maxLength: 64 })),
        count: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      if (!ctx.type.container)
        throw new PlatformError(
          E.NOT_A_CONTAINER,
          `${ctx.element.element_type} "${ctx.element.slug}" cannot hold elements; import into a circle or project`,
        )
      const { bundle_base64, bundles } = ctx.input
      if ((bundle_base64 === undefined) === (bundles === undefined))
        throw new PlatformError(E.VALIDATION_FAILED, 'give either bundle_base64 or bundles', {
          field: 'bundle_base64',
        })
      const inputs: BundleInput[] = bundles
        ? bundles.map((b) => ({ path: b.path, base64: b.bundle_base64 }))
        : [{ path: '', base64: bundle_base64! }]
      return importBundles(ctx.elements, ctx.element, inputs, ctx.input.overwrite ?? false, ctx.actor)
    },
  }),
]

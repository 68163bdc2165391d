// `source/validate` (is a branch's tree acceptable: the tree rules, and a spec the element type
// takes) and `source/repair` (does draft hold what the element holds; if not — a crash between a
// commit and its row, a hand-edited repository — commit the element's state on draft). Repair
// is a dry run unless `dry_run: false`. On a project it also re-derives the members'
// environment refs from its snapshots; on a circle it sweeps repositories left without an
// element by a crash between the commit and the row (older than ten minutes).
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { BRANCHES } from '../../source/git-store.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { defineOperation, type ElementsPort } from '../element.ts'
import { specFromFiles } from './element-files.ts'
import { syncEnvironmentRefs } from './project-environments.ts'
import { SOURCE } from './source-errors.ts'
import { commitOf } from './source-operations.ts'
import { validateTree } from './source-validate.ts'

export const sourceCheckOperations = [
  defineOperation({
    name: 'source_validate',
    path: 'source/validate',
    method: 'POST',
    auth: 'read',
    summary:
      'Check a branch’s tree: no runtime data, generated output, secrets, links or oversize files; a valid spec',
    input: Type.Object(
      { branch: Type.Optional(Type.Union(BRANCHES.map((b) => Type.Literal(b)))) },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const branch = ctx.input.branch ?? 'draft'
      const commit = await commitOf(ctx, branch)
      const files = await ctx.elements.source.store.files(ctx.element.id, commit)
      const problems: Array<{ path: string; rule: string; message: string }> = validateTree(
        Object.entries(files).map(([path, content]) => ({
          path,
          mode: '100644',
          size: content.length,
          content,
        })),
      )
      try {
        ctx.elements.prepareSpec(
          ctx.elements.typeOf(ctx.element),
          specFromFiles(ctx.elements.typeOf(ctx.element), files),
        )
      } catch (err) {
        problems.push({ path: '.periodic/spec.yaml', rule: 'spec', message: (err as Error).message })
      }
      return { branch, commit, valid: problems.length === 0, problems }
    },
  }),
  defineOperation({
    name: 'source_repair',
    path: 'source/repair',
    method: 'POST',
    auth: 'write',
    summary: 'Find where draft and the element disagree and (with dry_run=false) commit the element’s state',
    input: Type.Object({ dry_run: Type.Boolean({ default: true }) }, { additionalProperties: false }),
    async handler(ctx) {
      const { draft, paths } = await ctx.elements.source.drift(ctx.element)
      const dryRun = ctx.input.dry_run
      // A project's members' environment refs; a circle's repositories without an element.
      const environments =
        ctx.type.form === 'manifest'
          ? await syncEnvironmentRefs(ctx.elements, ctx.element, dryRun)
          : undefined
      const orphans =
        ctx.element.parent_id === null ? await sweepOrphans(ctx.elements, ctx.element, dryRun) : undefined
      const healthy = paths.length === 0 && !environments?.differences.length && !orphans?.length
      const extra = { ...(environments ? { environments } : {}), ...(orphans ? { orphans } : {}) }
      if (dryRun || paths.length === 0)
        return {
          dry_run: dryRun,
          healthy: dryRun ? healthy : true,
          differs: paths,
          draft_commit: draft,
          ...extra,
        }
      const commit = await ctx.elements.source
        .commit(ctx.element, ctx.actor, `Repaired: ${paths.join(', ')} from the element`)
        .catch((err: unknown) => {
          throw new PlatformError(
            SOURCE.SOURCE_BUSY,
            `draft could not be repaired: ${(err as Error).message}`,
            {},
          )
        })
      await ctx.elements.note(ctx.element, ctx.actor, 'source.repaired', { differs: paths, commit })
      return { dry_run: false, healthy: true, differs: paths, repaired: true, draft_commit: commit, ...extra }
    },
  }),
]

/** Repositories of the circle older than this with no element row are orphans (a crash mid-write). */
const ORPHAN_AGE_MS = 10 * 60_000

/** The circle's repositories whose element never committed (or was purged); removed unless dry. */
async function sweepOrphans(elements: ElementsPort, circle: ElementRow, dryRun: boolean): Promise<string[]> {
  const orphans: string[] = []
  for (const { elementId, ageMs } of await elements.source.store.repositoriesOf(circle.id)) {
    if (ageMs < ORPHAN_AGE_MS || (await elements.records.getElement(elementId))) continue
    orphans.push(elementId)
    if (!dryRun) await elements.source.store.remove(elementId)
  }
  return orphans
}

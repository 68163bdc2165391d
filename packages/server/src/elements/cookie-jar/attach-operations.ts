// attach / detach: the single canonical jar <-> browser edge (spec.attached_browser_id), with
// its three conflicts and the force escape for a jar whose browser was deleted.
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { elementOfCircle } from '../circle-element.ts'
import { JAR } from './jar-errors.ts'
import { type JarOperationContext, jarOperation } from './jar-operation.ts'
import { browserMissing, browserTaken, countMetric, mutateJar } from './jar-store.ts'
import { jarTables } from './jar-tables.ts'

/** The live browser element `ref` (its id, or its slug) names in the jar's circle. */
async function resolveBrowser(ctx: JarOperationContext, ref: string): Promise<ElementRow> {
  const row = await elementOfCircle(ctx.elements, ctx.element.circle_id, ref, 'browser')
  if (!row)
    throw new PlatformError(
      JAR.JAR_BROWSER_NOT_FOUND,
      `"${ref.slice(0, 80)}" is not a browser element in this circle`,
      { browser_id: ref.slice(0, 80) },
    )
  return row
}

export const attachOperations = [
  jarOperation({
    name: 'attach',
    method: 'POST',
    auth: 'write',
    summary: 'Bond this jar to one browser (single-browser invariant; idempotent for the same browser)',
    description:
      'browser_id: the browser element’s id (or slug). JAR_ALREADY_ATTACHED when the jar holds another browser, JAR_BROWSER_ALREADY_ATTACHED when another jar holds this browser, JAR_BROWSER_NOT_FOUND when it is not a browser of this circle. Only the attached browser’s save-cookies-to-jar / load-cookies-from-jar work on this jar.',
    input: Type.Object(
      { browser_id: Type.String({ minLength: 1, maxLength: 100 }) },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const browser = await resolveBrowser(ctx, ctx.input.browser_id)
      let changed = false
      await mutateJar(ctx, ctx.element, { withCookies: false }, async (cur) => {
        const held = cur.row.attached_browser_id
        if (held === browser.id) return null
        if (held) {
          const gone = await browserMissing(ctx.elements, held)
          throw new PlatformError(
            JAR.JAR_ALREADY_ATTACHED,
            gone
              ? `the jar is still attached to browser ${held}, which no longer exists; detach with force=true first`
              : `the jar is attached to browser ${held}; detach it first`,
            { attached_browser_id: held, attached_browser_missing: gone },
          )
        }
        const other = await ctx.elements.storeOf(jarTables).findByBrowser(browser.id)
        if (other && other.element_id !== ctx.element.id) {
          const err = browserTaken(browser.id)
          err.details['jar_id'] = other.element_id
          throw err
        }
        changed = true
        return {
          attachedBrowserId: browser.id,
          event: 'cookie-jar.attached',
          data: { browser_id: browser.id, browser_slug: browser.slug },
        }
      })
      if (changed) countMetric(ctx, 'attach', ctx.element.id)
      return { attached_browser_id: browser.id, changed }
    },
  }),
  jarOperation({
    name: 'detach',
    method: 'POST',
    auth: 'write',
    summary: 'Unbond this jar from its browser (cookies stay); force=true when the browser is gone',
    description:
      'JAR_BROWSER_MISSING when the attached browser no longer exists, unless force=true. Detaching an unattached jar is a no-op (detached=false).',
    input: Type.Object({ force: Type.Boolean({ default: false }) }, { additionalProperties: false }),
    async handler(ctx) {
      let previous: string | null = null
      await mutateJar(ctx, ctx.element, { withCookies: false }, async (cur) => {
        previous = cur.row.attached_browser_id
        if (!previous) return null
        const missing = await browserMissing(ctx.elements, previous)
        if (missing && !ctx.input.force)
          throw new PlatformError(
            JAR.JAR_BROWSER_MISSING,
            `the attached browser ${previous} no longer exists; pass force=true to detach anyway`,
            { attached_browser_id: previous },
          )
        return {
          attachedBrowserId: null,
          event: 'cookie-jar.detached',
          data: { browser_id: previous, forced: missing },
        }
      })
      if (previous) countMetric(ctx, 'detach', ctx.element.id)
      return { detached: previous !== null, previous_browser_id: previous }
    },
  }),
]

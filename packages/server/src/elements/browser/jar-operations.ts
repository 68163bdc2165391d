// save-cookies-to-jar and load-cookies-from-jar: the two ways a session's cookies cross to and
// from the cookie-jar attached to this browser (and only that jar).
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { findJarOfBrowser, readJar, replaceJarCookies } from '../cookie-jar/jar-access.ts'
import { type BrowserContext, browserOperation } from './browser-operation.ts'
import { storeCapturedCookies } from './captured-cookies.ts'
import { jarCookiesOf } from './cookie-convert.ts'
import { loadCookies } from './cookie-loader.ts'
import { BROWSER } from './spec.ts'

const jarField = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'Id or slug of the jar the caller expects; refused unless it is the attached one.',
  }),
)

/** The jar attached to this browser; a named jar must be that one. */
async function attachedJar(ctx: BrowserContext, named: string | undefined): Promise<ElementRow> {
  const jar = await findJarOfBrowser(ctx, ctx.element.circle_id, ctx.element.id)
  if (!jar) {
    throw new PlatformError(
      BROWSER.BROWSER_NO_JAR_ATTACHED,
      `no cookie-jar is attached to browser "${ctx.element.slug}"; call the jar's attach operation with {"browser_id": "${ctx.element.id}"}`,
      { browser_id: ctx.element.id },
    )
  }
  if (named !== undefined && named !== jar.id && named !== jar.slug) {
    throw new PlatformError(
      BROWSER.BROWSER_JAR_NOT_ATTACHED,
      `"${named.slice(0, 64)}" is not the jar attached to "${ctx.element.slug}" (that is "${jar.slug}")`,
      { attached_jar_id: jar.id, attached_jar: jar.slug },
    )
  }
  return jar
}

export const jarOperations = [
  browserOperation({
    name: 'save-cookies-to-jar',
    method: 'POST',
    auth: 'write',
    summary: 'Replace the attached jar’s cookies with the live session’s (replace, not merge)',
    description:
      'A merge would bring back cookies the site deleted at logout, so the jar ends up holding exactly the live set. With expected_version, a jar another writer changed since is refused with 409 JAR_VERSION_CONFLICT and nothing changes. The live set is also captured into spec.cookies.',
    input: Type.Object(
      {
        expected_version: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
        jar: jarField,
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const rt = ctx.runtime
      return rt.withLock(ctx.element.id, async () => {
        const jar = await attachedJar(ctx, ctx.input.jar)
        const session = await rt.require(ctx.element, ctx.actor)
        const normalized = jarCookiesOf(await session.cookies())
        // The jar first: a refused save (version conflict) changes nothing, not even the capture.
        const saved = await replaceJarCookies(ctx, jar, normalized.cookies, {
          expectedVersion: ctx.input.expected_version,
          actor: ctx.actor,
          source: { browser_id: ctx.element.id, operation: 'save-cookies-to-jar' },
        })
        const row = await storeCapturedCookies(
          ctx,
          ctx.element,
          normalized.cookies,
          ctx.actor,
          'Cookies captured for save-cookies-to-jar',
        )
        const report = {
          jar_id: jar.id,
          jar: jar.slug,
          cookie_count: saved.cookie_count,
          cookies_version: saved.cookies_version,
          skipped: normalized.dropped.map((d) => ({ ...d.cookie, reason: d.reason })),
          warnings: normalized.warnings.length,
        }
        await ctx.elements.note(row, ctx.actor, 'browser.cookies_saved_to_jar', {
          jar_id: jar.id,
          cookie_count: saved.cookie_count,
          cookies_version: saved.cookies_version,
        })
        return report
      })
    },
  }),
  browserOperation({
    name: 'load-cookies-from-jar',
    method: 'POST',
    auth: 'write',
    summary:
      'Load the attached jar’s cookies into the live session; reports applied, dropped (with reasons), evicted',
    description:
      'Cookies are validated, set in batches over CDP (Network.setCookies) and one by one when Chromium rejects a batch, then read back. mode=replace (default) clears the session’s cookies first; merge keeps them. The session’s resulting cookies are captured into spec.cookies.',
    input: Type.Object(
      {
        mode: Type.Union([Type.Literal('replace'), Type.Literal('merge')], { default: 'replace' }),
        jar: jarField,
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const rt = ctx.runtime
      return rt.withLock(ctx.element.id, async () => {
        const jar = await attachedJar(ctx, ctx.input.jar)
        const session = await rt.require(ctx.element, ctx.actor)
        const { cookies, cookies_version } = await readJar(ctx, jar)
        const { report, live } = await loadCookies(session, cookies, ctx.input.mode)
        rt.cookieLoads.inc()
        const row = await storeCapturedCookies(
          ctx,
          ctx.element,
          jarCookiesOf(live).cookies,
          ctx.actor,
          'Cookies loaded from jar',
        )
        await ctx.elements.note(row, ctx.actor, 'browser.cookies_loaded_from_jar', {
          jar_id: jar.id,
          jar_cookies_version: cookies_version,
          applied: report.applied,
          dropped: report.dropped_count,
          evicted: report.evicted_count,
        })
        return { jar_id: jar.id, jar: jar.slug, jar_cookies_version: cookies_version, ...report }
      })
    },
  }),
]

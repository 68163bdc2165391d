// What other element types (the browser's save-cookies-to-jar / load-cookies-from-jar) may use of
// a cookie jar: the cookie shape and its validator, finding the jar attached to a browser, and
// reading or replacing its cookies. Signatures here are a contract: keep them stable.

import type { Actor } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import { openJson, sealJson } from '../../secrets/secrets-of.ts'
import type { ElementRow } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { type JarCookie, normalizeCookies } from './jar-cookie.ts'
import { JAR } from './jar-errors.ts'
import { MAX_COOKIES } from './jar-state.ts'
import { countMetric, JAR_TYPE, loadJar, mutateJar } from './jar-store.ts'

// Sealing for other types' own secrets (the browser's captured spec.cookies): seal/open a JSON
// value bound to (purpose, element id, version) under that element's data key. Call them outside
// a storage transaction.
export { openJson, sealJson } from '../../secrets/secrets-of.ts'

/**
 * The binding purpose of a browser's sealed `spec.cookies` (bound to the browser's id and its
 * `spec.cookies_version`). The jar's `diff` with a browser opens them with openBrowserCookies,
 * so the browser should seal with sealBrowserCookies (or this purpose).
 */
export const BROWSER_COOKIES_PURPOSE = 'browser.cookies'

/** Seals a browser's captured cookies for its `spec.cookies` at `version`. */
export function sealBrowserCookies(
  ctx: JarAccessContext,
  browserId: string,
  version: number,
  cookies: JarCookie[],
): Promise<string> {
  return sealJson(ctx, { elementId: browserId, version, purpose: BROWSER_COOKIES_PURPOSE }, cookies as never)
}

/** A browser's captured cookies (empty when it never captured). */
export async function openBrowserCookies(ctx: JarAccessContext, browser: ElementRow): Promise<JarCookie[]> {
  const sealed = browserSpecOf(browser).cookies
  if (typeof sealed !== 'string') return []
  const version = browserSpecOf(browser).cookies_version
  const opened = await openJson(
    ctx,
    { elementId: browser.id, version, purpose: BROWSER_COOKIES_PURPOSE },
    sealed,
  )
  return opened as unknown as JarCookie[]
}
export type {
  CookieFormat,
  CookieIdentity,
  CookieWarning,
  DroppedCookie,
  JarCookie,
  NormalizeResult,
  SameSite,
} from './jar-cookie.ts'

import { browserSpecOf } from '../browser/spec.ts'
import { jarTables } from './jar-tables.ts'

export { detectFormat, identityOf, isExpired, normalizeCookies } from './jar-cookie.ts'
export { MAX_COOKIES }

/** Any operation context carries these (OperationContext from element.ts). */
export interface JarAccessContext {
  elements: ElementsPort
}

/** The live cookie-jar element attached to `browserId` in `circleId`, or undefined. */
export async function findJarOfBrowser(
  ctx: JarAccessContext,
  circleId: string,
  browserId: string,
): Promise<ElementRow | undefined> {
  const state = await ctx.elements.storeOf(jarTables).findByBrowser(browserId)
  if (!state || state.circle_id !== circleId) return undefined
  const jar = await ctx.elements.records.getElement(state.element_id)
  if (!jar || jar.deleted_at !== null || jar.element_type !== JAR_TYPE) return undefined
  return jar
}

function usable(jar: ElementRow): void {
  if (jar.element_type !== JAR_TYPE) throw new Error(`${jar.slug} is a ${jar.element_type}, not a cookie jar`)
  if (!jar.enabled)
    throw new PlatformError(E.ELEMENT_DISABLED, `cookie jar "${jar.slug}" is disabled; enable it first`, {
      jar_id: jar.id,
    })
}

/** The jar's cookies, decrypted, and the cookies_version they are at. */
export async function readJar(
  ctx: JarAccessContext,
  jar: ElementRow,
): Promise<{ cookies: JarCookie[]; cookies_version: number }> {
  usable(jar)
  const loaded = await loadJar(ctx, jar, true)
  return { cookies: loaded.cookies, cookies_version: loaded.row.cookies_version }
}

/** The jar's cookies, decrypted. */
export async function readJarCookies(ctx: JarAccessContext, jar: ElementRow): Promise<JarCookie[]> {
  return (await readJar(ctx, jar)).cookies
}

export interface ReplaceOptions {
  /** JAR_VERSION_CONFLICT unless the jar is still at this cookies_version. */
  expectedVersion?: number
  actor: Actor
  /** Recorded with the event (e.g. the browser's id); never cookie values. */
  source?: { browser_id?: string; operation?: string }
}

/**
 * Replaces all of the jar's cookies (a merge would bring back cookies a site deleted at
 * logout). Cookies are validated again; an invalid one refuses the whole write
 * (JAR_INVALID_COOKIES), as does more than 10 000 (JAR_CAPACITY_EXCEEDED).
 */
export async function replaceJarCookies(
  ctx: JarAccessContext,
  jar: ElementRow,
  cookies: JarCookie[],
  opts: ReplaceOptions,
): Promise<{ cookies_version: number; cookie_count: number }> {
  usable(jar)
  const normalized = normalizeCookies(cookies, 'chrome')
  if (normalized.dropped.length > 0) throw invalidCookies(normalized.dropped)
  const result = await mutateJar(
    { elements: ctx.elements, actor: opts.actor },
    jar,
    { withCookies: false },
    (cur) => {
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== cur.row.cookies_version)
        throw versionConflict(opts.expectedVersion, cur.row.cookies_version)
      return {
        cookies: normalized.cookies,
        event: 'cookie-jar.imported',
        data: {
          mode: 'replace',
          cookie_count: normalized.cookies.length,
          previous_version: cur.row.cookies_version,
          ...(opts.source ?? {}),
        },
      }
    },
  )
  countMetric(ctx, 'import', jar.id)
  return { cookies_version: result.row.cookies_version, cookie_count: normalized.cookies.length }
}

export function versionConflict(expected: number, current: number): PlatformError {
  return new PlatformError(
    JAR.JAR_VERSION_CONFLICT,
    `expected cookies_version ${expected} but the jar is at ${current}`,
    { expected_version: expected, cookies_version: current },
  )
}

export function invalidCookies(dropped: ReturnType<typeof normalizeCookies>['dropped']): PlatformError {
  const first = dropped[0]!
  return new PlatformError(
    JAR.JAR_INVALID_COOKIES,
    `${dropped.length} cookie(s) cannot be stored; first: "${first.cookie.name}" on ${first.cookie.domain || '?'} (${first.reason}); nothing was changed`,
    { dropped: dropped.slice(0, 100), dropped_count: dropped.length },
  )
}

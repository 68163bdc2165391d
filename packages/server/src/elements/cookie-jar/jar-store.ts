// Reading and writing a jar's durable state. Every write recomputes the state row from the fresh
// one and commits it with compare-and-set on its revision, in the same transaction as the spec
// mirror and the activity event, so concurrent writers never lose each other's changes.

import type { Actor } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import { secretsOf } from '../../secrets/secrets-of.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import type { JarCookie } from './jar-cookie.ts'
import { JAR } from './jar-errors.ts'
import type { JarCounter } from './jar-metrics.ts'
import { JarRuntime } from './jar-runtime.ts'
import {
  COOKIES_PURPOSE,
  computeMeta,
  emptyJarRow,
  MAX_COOKIES,
  rememberMeta,
  specOf,
  stateOf,
} from './jar-state.ts'
import type { CookieJarRow, CookieJarWrite } from './jar-tables.ts'
import { jarTables } from './jar-tables.ts'

export const JAR_TYPE = 'cookie-jar'

/** What jar reads and writes need: any operation context has both. */
export interface JarContext {
  elements: ElementsPort
  actor: Actor
}

export interface LoadedJar {
  row: CookieJarRow
  /** Present when loaded with cookies. */
  cookies: JarCookie[]
  /** Whether a state row exists yet (revision 0 means none). */
  exists: boolean
}

/** The jar type's runtime, for code outside the jar's own operations (a browser's). */
export function jarRuntime(ctx: { elements: ElementsPort }): JarRuntime | undefined {
  const runtime = ctx.elements.registry.runtimeOf(JAR_TYPE)
  return runtime instanceof JarRuntime ? runtime : undefined
}

export function countMetric(ctx: { elements: ElementsPort }, name: JarCounter, elementId: string): void {
  jarRuntime(ctx)?.metrics.count(name, elementId)
}

/** The jar's state row (without sealed cookies unless `withCookies`), decrypting only then. */
export async function loadJar(
  ctx: { elements: ElementsPort },
  jar: ElementRow,
  withCookies: boolean,
): Promise<LoadedJar> {
  const row = await ctx.elements.storeOf(jarTables).get(jar.id, { withSealed: withCookies })
  if (!row) return { row: emptyJarRow(jar.id, jar.circle_id), cookies: [], exists: false }
  let cookies: JarCookie[] = []
  if (withCookies && row.sealed !== null) {
    const opened = await secretsOf(ctx.elements).open(
      { elementId: jar.id, version: row.cookies_version, purpose: COOKIES_PURPOSE },
      row.sealed,
    )
    cookies = opened as unknown as JarCookie[]
  }
  return { row, cookies, exists: true }
}

/** True when `browserId` does not name a live browser element. */
export async function browserMissing(elements: ElementsPort, browserId: string | null): Promise<boolean> {
  if (!browserId) return false
  const b = await elements.records.getElement(browserId)
  return !b || b.deleted_at !== null || b.element_type !== 'browser'
}

export interface JarChange {
  /** The jar's whole new cookie set; absent when the cookies do not change. */
  cookies?: JarCookie[]
  /** New attachment (null: detached); absent when it does not change. */
  attachedBrowserId?: string | null
  event: string
  /** Activity/event details: counts and identities only, never values. */
  data: JsonObject
}

export interface JarWriteResult {
  row: CookieJarWrite
  element: ElementRow
  changed: boolean
}

class Retry extends Error {}

/** Per-jar queue of writes in this process: writers take turns instead of racing the CAS. */
const jarQueues = new Map<string, Promise<unknown>>()

function serialized<T>(jarId: string, fn: () => Promise<T>): Promise<T> {
  const prev = jarQueues.get(jarId) ?? Promise.resolve()
  const run = prev.then(fn, fn)
  const tail = run.catch(() => {})
  jarQueues.set(jarId, tail)
  void tail.then(() => {
    if (jarQueues.get(jarId) === tail) jarQueues.delete(jarId)
  })
  return run
}

type Plan = (current: LoadedJar) => JarChange | null | Promise<JarChange | null>

/**
 * Applies `plan` to the freshest state: `plan` returns the change (or null for none) and may
 * throw a PlatformError. Writes to one jar take turns in this process; the compare-and-set
 * catches writers in other processes, and the loop retries after one of them committed.
 */
export function mutateJar(
  ctx: JarContext,
  jar: ElementRow,
  opts: { withCookies: boolean },
  plan: Plan,
): Promise<JarWriteResult> {
  return serialized(jar.id, () => mutateOnce(ctx, jar, opts, plan))
}

async function mutateOnce(
  ctx: JarContext,
  jar: ElementRow,
  opts: { withCookies: boolean },
  plan: Plan,
): Promise<JarWriteResult> {
  const secrets = secretsOf(ctx.elements)
  for (let attempt = 0; attempt < 16; attempt++) {
    const current = await loadJar(ctx, jar, opts.withCookies)
    const change = await plan(current)
    if (!change) return { row: current.row, element: jar, changed: false }
    const at = new Date().toISOString()
    const next: CookieJarWrite = { ...current.row, revision: current.row.revision + 1 }
    // Loaded without the blob: leave the stored one as it is.
    if (!opts.withCookies) delete next.sealed
    if (change.cookies) {
      if (change.cookies.length > MAX_COOKIES) throw capacityError(change.cookies.length, current.row)
      next.cookies_version = current.row.cookies_version + 1
      next.updated_at = at
      next.meta = computeMeta(change.cookies)
      // Sealed outside the transaction: on SQLite a second query inside it would wait on itself.
      next.sealed = await secrets.seal(
        { elementId: jar.id, version: next.cookies_version, purpose: COOKIES_PURPOSE },
        change.cookies as unknown as JsonObject[],
      )
    }
    if (change.attachedBrowserId !== undefined) next.attached_browser_id = change.attachedBrowserId
    if (next.updated_at === '') next.updated_at = at
    const spec = specOf(next)
    const missing = await browserMissing(ctx.elements, next.attached_browser_id)
    const patch = jar.enabled ? { spec, state: stateOf(spec, missing) } : { spec }
    try {
      const element = await ctx.elements.patch(
        jar,
        patch,
        ctx.actor,
        change.event,
        change.data,
        async (tx) => {
          const put = await tx.storeOf(jarTables).put(next, current.exists ? current.row.revision : null)
          if (put === 'conflict') throw new Retry()
          if (put === 'browser_taken') throw browserTaken(next.attached_browser_id)
        },
      )
      rememberMeta(next)
      jarRuntime(ctx)?.metrics.setSize(jar.id, Number(spec['cookie_count']))
      // For live views (the events stream): the jar's count and freshness, without a refetch.
      if (change.cookies)
        ctx.elements.bus.publish({
          type: 'cookie_jar.changed',
          circle_id: jar.circle_id,
          element_id: jar.id,
          actor: ctx.actor.keyId,
          at,
          data: {
            count: Number(spec['cookie_count']),
            cookies_updated_at: String(spec['cookies_updated_at'] ?? ''),
            slug: jar.slug,
            element_type: jar.element_type,
          },
        })
      return { row: next, element, changed: true }
    } catch (err) {
      if (err instanceof Retry) continue
      throw err
    }
  }
  throw new PlatformError(E.VERSION_CONFLICT, 'the jar kept changing while this write was applied; retry', {
    retryable: true,
  })
}

export function capacityError(wouldHold: number, row: CookieJarRow): PlatformError {
  return new PlatformError(
    JAR.JAR_CAPACITY_EXCEEDED,
    `the jar would hold ${wouldHold} cookies, more than the ${MAX_COOKIES} limit; nothing was changed`,
    { limit: MAX_COOKIES, would_hold: wouldHold, cookie_count: Number(specOf(row)['cookie_count']) },
  )
}

export function browserTaken(browserId: string | null): PlatformError {
  return new PlatformError(
    JAR.JAR_BROWSER_ALREADY_ATTACHED,
    `browser ${browserId} is already attached to another jar; detach that jar first`,
    { browser_id: browserId },
  )
}

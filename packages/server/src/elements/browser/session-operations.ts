// start, navigate, stop and status: the life of a browser's Chromium session.
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { type BrowserContext, browserOperation } from './browser-operation.ts'
import type { BrowserSession } from './browser-session.ts'
import { BROWSER, isWebUrl, MAX_URL_LENGTH } from './spec.ts'

/** The URL, or BROWSER_INVALID_URL naming `field`. */
export function checkUrl(raw: string, field: string): string {
  if (!isWebUrl(raw))
    throw new PlatformError(
      BROWSER.BROWSER_INVALID_URL,
      `${field} must be an absolute http:// or https:// URL`,
      {
        field,
      },
    )
  return raw
}

const timeoutOf = (ctx: BrowserContext) => ctx.spec.navigation_timeout_ms

async function navigateCounted(ctx: BrowserContext, session: BrowserSession, url: string) {
  const rt = ctx.runtime
  try {
    // Refused here with its own code; the proxy refuses whatever the page does after (redirects,
    // sub-resources), and a name that does not resolve is left to fail in Chromium.
    await rt.policy.checkUrl(url).catch((err: unknown) => {
      if (err instanceof PlatformError) throw err
    })
    const result = await session.navigate(url, timeoutOf(ctx))
    rt.navigations.inc({ outcome: 'ok' })
    return result
  } catch (err) {
    rt.navigations.inc({ outcome: err instanceof PlatformError ? err.code : 'error' })
    throw err
  }
}

const navigationOutput = Type.Object({
  status: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the main document.' }),
  url: Type.String({ description: 'The final URL, after redirects.' }),
  title: Type.String(),
})

export const sessionOperations = [
  browserOperation({
    name: 'start',
    method: 'POST',
    auth: 'execute',
    summary: 'Launch a fresh headless Chromium session (empty profile); opens spec.start_url when set',
    description:
      'A browser that is stopped or crashed can be started again; its cookies come back with load-cookies-from-jar. 409 BROWSER_ALREADY_RUNNING when live, 429 BROWSER_SESSION_LIMIT when the server is full.',
    input: Type.Object({}, { additionalProperties: false }),
    async handler(ctx) {
      const rt = ctx.runtime
      const startUrl = ctx.spec.start_url
      const url = startUrl ? checkUrl(startUrl, 'spec.start_url') : undefined
      return rt.withLock(ctx.element.id, async () => {
        const { session, row } = await rt.start(ctx.element, ctx.actor)
        let page: { status: number | null; url: string; title: string } | undefined
        let navigationError: object | undefined
        if (url) {
          // A start URL that fails to load leaves the session running: the caller can navigate.
          try {
            page = await navigateCounted(ctx, session, url)
          } catch (err) {
            if (!(err instanceof PlatformError) || err.code === 'BROWSER_SESSION_CRASHED') throw err
            navigationError = err.toJSON()
          }
        }
        return {
          state: row.state,
          started_at: session.startedAt,
          ...(page ? { page } : {}),
          ...(navigationError ? { navigation_error: navigationError } : {}),
        }
      })
    },
  }),
  browserOperation({
    name: 'navigate',
    method: 'POST',
    auth: 'execute',
    summary: 'Load a URL in the live session; returns the HTTP status, the final URL and the title',
    input: Type.Object(
      { url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH }) },
      { additionalProperties: false },
    ),
    output: navigationOutput,
    async handler(ctx) {
      const url = checkUrl(ctx.input.url, 'url')
      const rt = ctx.runtime
      return rt.withLock(ctx.element.id, async () => {
        const session = await rt.require(ctx.element, ctx.actor)
        return navigateCounted(ctx, session, url)
      })
    },
  }),
  browserOperation({
    name: 'stop',
    method: 'POST',
    auth: 'execute',
    summary: 'End the session: Chromium exits and its profile directory is removed (idempotent)',
    input: Type.Object({}, { additionalProperties: false }),
    async handler(ctx) {
      const rt = ctx.runtime
      return rt.withLock(ctx.element.id, async () => {
        const wasLive = rt.session(ctx.element.id) !== undefined
        const row = await rt.stop(ctx.element, ctx.actor)
        return { state: row.state, changed: wasLive || ctx.element.state !== row.state }
      })
    },
  }),
  browserOperation({
    name: 'status',
    method: 'GET',
    auth: 'read',
    summary: 'Whether a session is live on this server, the page it shows, and the captured cookie summary',
    allowWhenDisabled: true,
    async handler(ctx) {
      const rt = ctx.runtime
      const session = rt.session(ctx.element.id)
      const spec = ctx.spec
      const state = session ? 'running' : ctx.element.state === 'running' ? 'crashed' : ctx.element.state
      return {
        state,
        live: session !== undefined,
        started_at: session?.startedAt ?? null,
        page: session ? await session.location() : null,
        captured: {
          cookie_count: spec.cookie_count,
          cookie_domains: spec.cookie_domains,
          cookies_version: spec.cookies_version,
          cookies_captured_at: spec.cookies_captured_at,
        },
        server: {
          isolation: rt.isolation(),
          live_sessions: rt.liveCount(),
          max_sessions: ctx.elements.config?.browser.maxSessions ?? null,
        },
      }
    },
  }),
]

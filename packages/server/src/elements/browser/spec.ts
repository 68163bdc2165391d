// The browser element's spec (session options and the sealed captured cookies) and its error codes.
import { type Static, Type } from '@sinclair/typebox'
import { defineErrorCodes, E, PlatformError } from '../../errors.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { type SpecRule, specReader } from '../element.ts'

export const MAX_NAVIGATION_TIMEOUT_MS = 120_000
export const MAX_URL_LENGTH = 2048

export const browserSpec = Type.Object(
  {
    start_url: Type.String({
      default: '',
      maxLength: MAX_URL_LENGTH,
      description: 'Opened by `start` when set (http or https only); empty = about:blank.',
    }),
    navigation_timeout_ms: Type.Integer({
      minimum: 1000,
      maximum: MAX_NAVIGATION_TIMEOUT_MS,
      default: 30_000,
      description: 'How long `navigate` (and the start_url load) may take before BROWSER_NAVIGATION_TIMEOUT.',
    }),
    user_agent: Type.String({
      default: '',
      maxLength: 512,
      description: 'User-Agent for the session; empty = Chromium’s own.',
    }),
    cookies: Type.Union([Type.Null(), Type.String({ maxLength: 32 * 1024 * 1024 })], {
      default: null,
      description:
        'The cookies last captured from the live session (Chrome cookies-API shape), sealed at rest with AES-256-GCM. Written only by capture-cookies and load-cookies-from-jar; `get` never shows it — read it with the `cookies` operation (write scope).',
    }),
    cookie_count: Type.Integer({
      minimum: 0,
      default: 0,
      description: 'Derived: cookies in the last capture.',
    }),
    cookie_domains: Type.Array(Type.String({ maxLength: 253 }), {
      default: [],
      maxItems: 10_000,
      description: 'Derived: distinct domains of the last capture, sorted.',
    }),
    cookies_version: Type.Integer({
      minimum: 0,
      default: 0,
      description:
        'Bumped on every capture; bound into the sealed blob so an old or copied blob fails to open.',
    }),
    cookies_captured_at: Type.String({
      default: '',
      maxLength: 40,
      description: 'UTC time of the last capture.',
    }),
  },
  { additionalProperties: false },
)

export type BrowserSpec = Static<typeof browserSpec>

/** A stored browser element's spec (for code that gets rows rather than contexts). */
export const browserSpecOf = specReader<BrowserSpec>('browser')

/** Only absolute http(s) URLs: file:, chrome:, javascript: and data: would reach past the web. */
export function isWebUrl(raw: string): boolean {
  if (raw.length > MAX_URL_LENGTH) return false
  try {
    return ['http:', 'https:'].includes(new URL(raw).protocol)
  } catch {
    return false
  }
}

export const browserRules: SpecRule[] = [
  {
    field: 'start_url',
    message: 'must be empty or an absolute http:// or https:// URL',
    check: (spec) => !spec['start_url'] || isWebUrl(String(spec['start_url'])),
  },
]

/** The captured cookies are written by operations as a sealed string; a plain array is refused. */
export function preValidateBrowser(spec: JsonObject): void {
  const cookies = spec['cookies']
  if (Array.isArray(cookies)) {
    throw new PlatformError(
      E.VALIDATION_FAILED,
      'spec.cookies is filled by capture-cookies and load-cookies-from-jar and kept sealed; to give a browser cookies, import them into a cookie-jar, attach it and call load-cookies-from-jar',
      { field: 'spec.cookies' },
    )
  }
}

/** What `get` shows: everything but the sealed blob (it is opaque and only a `cookies` call opens it). */
export function presentBrowserSpec(spec: JsonObject): JsonObject {
  const { cookies: _sealed, ...rest } = spec
  return { ...rest, cookies_sealed: typeof _sealed === 'string' }
}

export const BROWSER = defineErrorCodes({
  BROWSER_UNAVAILABLE: {
    status: 503,
    class: 'unavailable',
    retryable: false,
    description:
      'No Chromium executable was found (or it failed to launch); set PERIODIC_CHROMIUM_PATH. details.path names what was tried.',
  },
  BROWSER_NOT_RUNNING: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'The operation needs a live session; call start first (details.state says what the browser is).',
  },
  BROWSER_ALREADY_RUNNING: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'start was called on a browser whose session is already live; stop it first.',
  },
  BROWSER_SESSION_LIMIT: {
    status: 429,
    class: 'limit',
    retryable: true,
    description:
      'The server already runs its maximum of live browser sessions (PERIODIC_BROWSER_MAX_SESSIONS); stop one and retry.',
  },
  BROWSER_INVALID_URL: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'The URL is not an absolute http:// or https:// URL.',
  },
  BROWSER_NAVIGATION_TIMEOUT: {
    status: 504,
    class: 'timeout',
    retryable: true,
    description: 'The page did not load within navigation_timeout_ms; the session stays usable.',
  },
  BROWSER_NAVIGATION_FAILED: {
    status: 502,
    class: 'unavailable',
    retryable: true,
    description:
      'Chromium could not load the page (DNS, refused connection, TLS); details.reason has its error.',
  },
  BROWSER_SESSION_CRASHED: {
    status: 503,
    class: 'unavailable',
    retryable: true,
    description:
      'The Chromium process died during the operation; the browser is now `crashed` — start it again and load its jar.',
  },
  BROWSER_NO_JAR_ATTACHED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'No cookie-jar is attached to this browser; attach one with the jar’s attach operation.',
  },
  BROWSER_JAR_NOT_ATTACHED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'The jar named in the request is not the one attached to this browser; save and load work only on the attached jar (details.attached_jar_id).',
  },
  BROWSER_COOKIES_UNREADABLE: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'The sealed spec.cookies failed to open (written by hand, copied from another browser, or rolled back); capture again.',
  },
})

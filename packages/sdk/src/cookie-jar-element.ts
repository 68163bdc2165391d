// client.cookieJar('acme/linkedin'): the cookie-jar element's own operations (import, export,
// list, describe, set, delete, clear, prune, diff, attach, detach) on top of ElementHandle.
import { ElementHandle } from './elements-api.ts'
import type { components } from './generated/openapi.ts'
import type { RequestOptions } from './http-transport.ts'

/** A cookie in Chrome's cookies-API shape; extra fields are kept verbatim by the server. */
export interface JarCookie {
  name: string
  value?: string
  domain: string
  path?: string
  secure?: boolean
  httpOnly?: boolean
  sameSite?: 'no_restriction' | 'lax' | 'strict' | 'unspecified'
  expirationDate?: number | null
  [extra: string]: unknown
}

export type CookieFormat = 'chrome' | 'playwright' | 'cdp'

export interface ImportCookiesOptions extends RequestOptions {
  /** `merge` (default) upserts by (name, domain, path); `replace` overwrites the jar. */
  mode?: 'merge' | 'replace' | undefined
  /** Auto-detected when absent. */
  format?: CookieFormat | undefined
}

export interface ExportCookiesOptions extends RequestOptions {
  /** Suffix match with RFC 6265 domain matching (`example.com` matches `.example.com`). */
  domain?: string | undefined
  format?: CookieFormat | undefined
  include_expired?: boolean | undefined
}

/** `describe`: counts, domains, expirations and state, read without decrypting the cookies. */
export type JarDescription = components['schemas']['JarDescription']

const body = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

function split<T extends RequestOptions>(options: T): [RequestOptions, Omit<T, keyof RequestOptions>] {
  const { timeoutMs, signal, idempotencyKey, headers, ...rest } = options as T & Record<string, unknown>
  return [body({ timeoutMs, signal, idempotencyKey, headers }) as RequestOptions, rest as never]
}

export class CookieJarElement extends ElementHandle {
  /** Imports Chrome, Playwright or CDP shaped cookies (write scope). */
  import(cookies: unknown[], options: ImportCookiesOptions = {}): Promise<Record<string, unknown>> {
    const [request, input] = split(options)
    return this.call('import', { cookies, ...body(input) }, { ...request, method: 'POST' })
  }

  /** The cookies, values included (write scope: they are session credentials). */
  export(
    options: ExportCookiesOptions = {},
  ): Promise<{ cookies: JarCookie[]; cookie_count: number; cookies_version: number }> {
    const [request, input] = split(options)
    return this.call('export', body(input), { ...request, method: 'POST' })
  }

  /** Counts, domains and versions, without decrypting anything. */
  describe(options: RequestOptions = {}): Promise<JarDescription> {
    return this.call('describe', undefined, { ...options, method: 'GET' })
  }

  /** A page of cookies without values unless `include_values` (UI-safe listing). */
  list(
    options: RequestOptions & {
      domain?: string
      include_values?: boolean
      limit?: number
      offset?: number
    } = {},
  ): Promise<{ cookies: JarCookie[]; total: number; offset: number; limit: number }> {
    const [request, input] = split(options)
    return this.call('list', body(input), { ...request, method: 'GET' })
  }

  /** Inserts or replaces one cookie by (name, domain, path). */
  set(cookie: JarCookie, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    return this.call('set', cookie, { ...options, method: 'POST' })
  }

  /** Removes exactly the cookie (name, domain, path; path defaults to `/`). */
  deleteCookie(
    cookie: { name: string; domain: string; path?: string },
    options: RequestOptions = {},
  ): Promise<Record<string, unknown>> {
    return this.call('delete', cookie, { ...options, method: 'POST' })
  }

  /** Empties the jar, or removes the cookies matching `domain`. */
  clear(options: RequestOptions & { domain?: string } = {}): Promise<Record<string, unknown>> {
    const [request, input] = split(options)
    return this.call('clear', body(input), { ...request, method: 'POST' })
  }

  /** Drops expired cookies; session cookies stay. */
  prune(options: RequestOptions = {}): Promise<Record<string, unknown>> {
    return this.call('prune', {}, { ...options, method: 'POST' })
  }

  /** What a merge from a browser (`browser_id`) or another jar (`other_jar_id`) would change. */
  diff(
    against: { browser_id: string } | { other_jar_id: string },
    options: RequestOptions = {},
  ): Promise<Record<string, unknown>> {
    return this.call('diff', against, { ...options, method: 'POST' })
  }

  attach(browserId: string, options: RequestOptions = {}): Promise<{ attached_browser_id: string }> {
    return this.call('attach', { browser_id: browserId }, { ...options, method: 'POST' })
  }

  detach(options: RequestOptions & { force?: boolean } = {}): Promise<Record<string, unknown>> {
    const { force, ...request } = options
    return this.call('detach', body({ force }), { ...request, method: 'POST' })
  }
}

// Helpers shared by the cookie-jar tests: create jars and browsers, and build cookie sets.
import type { TestServer } from '../../../test/test-server.ts'

export async function createJar(s: TestServer, circle: string, slug: string) {
  const r = await s.api('POST', `/api/${circle}`, { element_type: 'cookie-jar', slug })
  if (r.status !== 201) throw new Error(`create jar ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; slug: string; state: string; spec: Record<string, unknown> }
}

/** A browser element (no session is started: attach only needs the element). */
export async function createBrowserElement(s: TestServer, circle: string, slug: string) {
  const r = await s.api('POST', `/api/${circle}`, { element_type: 'browser', slug })
  if (r.status !== 201) throw new Error(`create browser ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; slug: string }
}

/** `n` distinct Chrome-shape cookies over `domains` domains; values carry `tag` so tests can find them. */
export function manyCookies(n: number, opts: { tag?: string; domains?: number; offset?: number } = {}) {
  const domains = opts.domains ?? 100
  const out = []
  for (let i = 0; i < n; i++) {
    const k = i + (opts.offset ?? 0)
    out.push({
      name: `c${k}`,
      value: `${opts.tag ?? 'v'}-${k}`,
      domain: `.site${k % domains}.example.com`,
      path: '/',
      secure: true,
      httpOnly: k % 2 === 0,
      sameSite: 'lax',
      expirationDate: 4_000_000_000 + k,
    })
  }
  return out
}

export const jarOp = (s: TestServer, slug: string, op: string, body?: unknown, key?: string) =>
  s.api('POST', `/api/acme/${slug}/ops/${op}`, body ?? {}, { key })

export const jarGet = (s: TestServer, slug: string, op: string, query = '', key?: string) =>
  s.api('GET', `/api/acme/${slug}/ops/${op}${query ? `?${query}` : ''}`, undefined, { key })

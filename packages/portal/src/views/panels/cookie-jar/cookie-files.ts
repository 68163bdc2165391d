// Reads a dropped or chosen cookie file into what the jar's `import` operation accepts: JSON as
// it is (a Chrome-extension array, a Playwright storageState, CDP records, or the options object
// with `cookies`) — the server detects the shape — and Netscape cookies.txt (curl, wget,
// browser extensions), converted here to Chrome-shape records since the server reads JSON only.

export interface ParsedCookieFile {
  format: 'json' | 'netscape'
  /** The body to POST to ops/import. */
  body: Record<string, unknown>
  count: number
}

/** The import body for a file's text; throws an Error saying what is wrong with it. */
export function parseCookieFile(text: string, mode: 'merge' | 'replace'): ParsedCookieFile {
  const trimmed = text.trim()
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown
    try {
      data = JSON.parse(trimmed)
    } catch (e) {
      throw new Error(`the file is not valid JSON: ${(e as Error).message}`)
    }
    if (Array.isArray(data)) return { format: 'json', body: { cookies: data, mode }, count: data.length }
    const obj = data as Record<string, unknown>
    if (!Array.isArray(obj['cookies'])) throw new Error('the JSON has no "cookies" array')
    const { origins: _o, ...rest } = obj
    return { format: 'json', body: { ...rest, mode }, count: (obj['cookies'] as unknown[]).length }
  }
  const cookies = parseNetscape(text)
  if (cookies.length === 0) throw new Error('no cookies found: expected JSON or a Netscape cookies.txt file')
  return { format: 'netscape', body: { cookies, mode, format: 'chrome' }, count: cookies.length }
}

/** Netscape cookies.txt: domain, include-subdomains, path, secure, expiry, name, value (tabs). */
export function parseNetscape(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const raw of text.split(/\r?\n/)) {
    let line = raw
    let httpOnly = false
    if (line.startsWith('#HttpOnly_')) {
      httpOnly = true
      line = line.slice('#HttpOnly_'.length)
    } else if (line.startsWith('#') || line.trim() === '') continue
    const f = line.split('\t')
    if (f.length < 7) continue
    const [domain, , path, secure, exp, name, ...value] = f
    const expires = Number(exp)
    const cookie: Record<string, unknown> = {
      domain,
      path: path || '/',
      secure: secure?.toUpperCase() === 'TRUE',
      httpOnly,
      name,
      value: value.join('\t'),
    }
    if (Number.isFinite(expires) && expires > 0) cookie['expirationDate'] = expires
    out.push(cookie)
  }
  return out
}

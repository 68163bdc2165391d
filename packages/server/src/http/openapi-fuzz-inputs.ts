// Hostile inputs for the OpenAPI fuzz test, generated from each operation's schemas with a
// seeded generator (the same run every time): wrong types, deep nesting, huge strings,
// prototype keys, NUL bytes, lone surrogates, wrong content types, bad path and query values.
// Used only by openapi-fuzz.test.ts.

export type Schema = Record<string, unknown>

/** mulberry32: tiny, seeded, good enough to pick variants deterministically. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const MB_STRING = 'x'.repeat(1024 * 1024)
const DEEP_TEXT = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
const deepObject = (n: number): unknown => {
  let v: unknown = 'leaf'
  for (let i = 0; i < n; i++) v = { a: v }
  return v
}

/** Values of every wrong kind, one of which replaces a field at a time. */
export const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  -0,
  3.5,
  '',
  'a\u0000b',
  '\ud800',
  '💥'.repeat(100),
  MB_STRING,
  [],
  [[[null]]],
  {},
  { __proto__x: 1 },
  deepObject(100),
  '../../../../etc/passwd',
  '1; DROP TABLE elements',
  Number.MAX_SAFE_INTEGER + 2,
]

/** A value the schema probably accepts: required fields only, smallest legal values. */
export function sample(schema: Schema | undefined, ctx: { runId: string }, depth = 0): unknown {
  if (!schema || depth > 6) return {}
  if ('const' in schema) return schema['const']
  if (Array.isArray(schema['enum'])) return schema['enum'][0]
  const union = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined
  if (union?.length) return sample(union[0], ctx, depth + 1)
  if ('default' in schema) return schema['default']
  switch (schema['type']) {
    case 'string': {
      if (schema['format'] === 'uuid') return ctx.runId
      if (schema['format'] === 'date-time') return '2026-01-01T00:00:00Z'
      return 'a'.repeat(Math.max(1, Number(schema['minLength'] ?? 1)))
    }
    case 'integer':
    case 'number':
      return Number(schema['minimum'] ?? schema['exclusiveMinimum'] ?? 0) + 1
    case 'boolean':
      return true
    case 'array':
      return Array.from({ length: Number(schema['minItems'] ?? 0) }, () =>
        sample(schema['items'] as Schema, ctx, depth + 1),
      )
    case 'object': {
      const props = (schema['properties'] ?? {}) as Record<string, Schema>
      const out: Record<string, unknown> = {}
      for (const name of (schema['required'] ?? []) as string[])
        out[name] = sample(props[name], ctx, depth + 1)
      return out
    }
    default:
      return { a: 1 }
  }
}

export interface BodyVariant {
  name: string
  contentType: string | null
  body: string | Buffer
  headers?: Record<string, string>
}

/** Bodies for an operation that takes one: its valid sample, then hostile twists. */
export function bodyVariants(schema: Schema | undefined, base: unknown, rand: () => number): BodyVariant[] {
  const json = (name: string, v: unknown): BodyVariant => ({
    name,
    contentType: 'application/json',
    body: JSON.stringify(v),
  })
  const raw = (name: string, body: string | Buffer, contentType: string | null = 'application/json') => ({
    name,
    contentType,
    body,
  })
  const out: BodyVariant[] = [
    json('valid sample', base),
    raw('10,000-deep array', DEEP_TEXT),
    raw('__proto__ key', '{"__proto__":{"polluted":1}}'),
    raw('constructor.prototype key', '{"constructor":{"prototype":{"polluted":1}}}'),
    raw('lone surrogate escape', '{"a":"\\ud800"}'),
    raw('invalid utf-8 bytes', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
    raw('NUL escape', '{"a":"\\u0000"}'),
    raw('truncated JSON', '{"a":'),
    raw('a JSON string', JSON.stringify(MB_STRING)),
    json('an array', [base]),
    json('a number', 42),
    raw('text/plain', 'hello', 'text/plain'),
    raw('form', 'a=1&b=2', 'application/x-www-form-urlencoded'),
    raw(
      'multipart junk',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
      'multipart/form-data; boundary=x',
    ),
    raw('xml', '<a>1</a>', 'application/xml'),
    raw('no content type', '{"a":1}', null),
  ]
  const props = Object.keys((schema?.['properties'] ?? {}) as Record<string, Schema>)
  const obj = base !== null && typeof base === 'object' && !Array.isArray(base) ? base : {}
  // Each documented field gets wrong values of two kinds, picked by the seeded generator, and
  // a 10,000-deep value (with and without an Idempotency-Key, which hashes the body).
  for (const prop of props.slice(0, 8)) {
    const deep = JSON.stringify({ ...obj, [prop]: '@deep@' }).replace('"@deep@"', DEEP_TEXT)
    out.push(raw(`${prop} = 10,000-deep`, deep))
    out.push({
      ...raw(`${prop} = 10,000-deep, idempotent`, deep),
      headers: { 'idempotency-key': `k-${prop}` },
    })
    for (let k = 0; k < 2; k++) {
      const value = HOSTILE_VALUES[Math.floor(rand() * HOSTILE_VALUES.length)]
      out.push(json(`${prop} = ${describe(value)}`, { ...obj, [prop]: value }))
    }
  }
  out.push(json('1 MB key', { ...obj, [MB_STRING]: 1 }))
  return out
}

/** Bad values for a path parameter (already percent-encoded where they must be). */
export const BAD_PATH_VALUES = [
  '%00',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc',
  'a'.repeat(5000),
  '%C3%BC',
  '%F0%9F%92%A5',
  '%ED%A0%80', // a lone surrogate, UTF-8 encoded (invalid UTF-8)
  '%FF',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  '-1',
]

/** Query strings for an operation, from its documented query parameters. */
export function queryVariants(names: string[], rand: () => number): string[] {
  const out = ['', '?__proto__[polluted]=1', '?constructor[prototype][x]=1', `?x=${'%00'.repeat(10)}`]
  const bad = ['-1', 'abc', '1e309', '%00', '%ED%A0%80', 'a'.repeat(10_000), '99999999999999999999', '']
  for (const name of names) {
    out.push(`?${name}=${bad[Math.floor(rand() * bad.length)]}`, `?${name}=%00`)
    out.push(`?${name}=1&${name}=2`)
    out.push(`?${name}[a]=1`)
  }
  return out
}

function describe(v: unknown): string {
  const s = typeof v === 'string' ? `string(${v.length})` : JSON.stringify(v)?.slice(0, 30)
  return s ?? String(v)
}

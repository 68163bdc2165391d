// Spec helpers: the deep merge `update` uses (objects merge, lists and scalars replace) and
// slug/name rules.
import { E, PlatformError } from '../errors.ts'
import type { Json, JsonObject } from '../storage/storage.ts'

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Deep merge: nested objects merge key by key; arrays, scalars and null replace. */
export function deepMerge(base: JsonObject, patch: JsonObject, path = 'spec'): JsonObject {
  const out: JsonObject = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__')
      throw new PlatformError(E.FORBIDDEN_KEY, `${path}.${key} is not allowed`, { field: `${path}.${key}` })
    const current = out[key]
    out[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value, `${path}.${key}`) : value
  }
  return out
}

/** Rejects prototype-polluting keys anywhere in a value (defence in depth behind the parser). */
export function assertSafeKeys(value: Json | undefined, path: string, depth = 0): void {
  if (depth > 64)
    throw new PlatformError(E.VALIDATION_FAILED, `${path}: nested deeper than 64 levels`, { field: path })
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) assertSafeKeys(v, `${path}[${i}]`, depth + 1)
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__' || (k === 'prototype' && FORBIDDEN.has(path.split('.').pop() ?? ''))) {
        throw new PlatformError(E.FORBIDDEN_KEY, `${path}.${k} is not allowed`, { field: `${path}.${k}` })
      }
      assertSafeKeys(v, `${path}.${k}`, depth + 1)
    }
  }
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
/** Path segments with a meaning of their own in URLs. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'ops',
  'api',
  'v1',
  'v2',
  'healthz',
  'metrics',
  'ws',
  'http',
])

export function assertValidSlug(slug: string): void {
  if (!SLUG_PATTERN.test(slug)) {
    throw new PlatformError(
      E.INVALID_SLUG,
      `slug "${slug.slice(0, 80)}" must be 1-63 characters of a-z, 0-9 and -, not starting or ending with -`,
      {
        field: 'slug',
      },
    )
  }
  if (RESERVED_SLUGS.has(slug)) {
    throw new PlatformError(E.INVALID_SLUG, `slug "${slug}" is reserved`, {
      field: 'slug',
      reserved: [...RESERVED_SLUGS],
    })
  }
}

export function nameFromSlug(slug: string): string {
  return slug
    .split('-')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ')
}

export function deepClone<T extends Json>(v: T): T {
  return structuredClone(v)
}

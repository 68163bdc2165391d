// The cookie jar's spec: only derived fields and the attachment, all maintained by its
// operations. The cookies themselves are sealed outside the spec (see jar-store.ts).
import { type Static, Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { isUuid } from '../../uuid.ts'
import type { SpecRule } from '../element.ts'
import { JAR } from './jar-errors.ts'
import { MAX_COOKIES, WARN_COOKIES } from './jar-state.ts'

export const jarSpec = Type.Object(
  {
    cookie_count: Type.Integer({
      minimum: 0,
      default: 0,
      description: 'Cookies in the jar. Derived: recomputed on every mutation.',
    }),
    domains: Type.Array(Type.String(), {
      default: [],
      description: 'Distinct cookie domains as written (leading dot kept), sorted. Derived.',
    }),
    cookies_version: Type.Integer({
      minimum: 0,
      default: 0,
      description: 'Monotonic counter bumped on every cookie mutation; starts at 0.',
    }),
    cookies_updated_at: Type.String({
      default: '',
      description: 'UTC time of the last durable cookie write ("" before the first).',
    }),
    attached_browser_id: Type.String({
      default: '',
      description: 'The one browser element this jar is attached to; "" when unattached.',
    }),
  },
  { additionalProperties: false },
)

export type JarSpec = Static<typeof jarSpec>

export const JAR_DEFAULTS: JsonObject = {
  cookie_count: 0,
  domains: [],
  cookies_version: 0,
  cookies_updated_at: '',
  attached_browser_id: '',
}

export const jarRules: SpecRule[] = [
  {
    field: 'cookie_count',
    message: `cookie_count exceeds the ${MAX_COOKIES} cookie hard limit — prune expired cookies or split across multiple jars`,
    check: (s) => Number(s['cookie_count'] ?? 0) <= MAX_COOKIES,
  },
  {
    field: 'cookies_version',
    message: 'cookies_version must be a non-negative integer',
    check: (s) => Number(s['cookies_version'] ?? 0) >= 0,
  },
  {
    field: 'attached_browser_id',
    message: 'attached_browser_id must be empty or a valid UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    check: (s) => {
      const id = String(s['attached_browser_id'] ?? '')
      return id === '' || isUuid(id)
    },
  },
]

export const jarAdvisories: SpecRule[] = [
  {
    field: 'cookie_count',
    message: `Cookie jar is near capacity (>${WARN_COOKIES} of ${MAX_COOKIES} limit) — consider pruning expired cookies`,
    check: (s) => Number(s['cookie_count'] ?? 0) <= WARN_COOKIES,
  },
]

/** At create: the spec may only repeat defaults; cookies go in through the operations. */
export function preValidateJarSpec(spec: JsonObject): void {
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'cookies') {
      throw new PlatformError(
        JAR.JAR_SPEC_MANAGED,
        'spec.cookies is not stored in the spec (cookie values are sealed at rest): create the jar, then POST its cookies to ops/import or ops/set',
        { field: 'spec.cookies' },
      )
    }
    if (key in JAR_DEFAULTS && JSON.stringify(value) !== JSON.stringify(JAR_DEFAULTS[key])) {
      throw new PlatformError(
        JAR.JAR_SPEC_MANAGED,
        `spec.${key} is maintained by the jar's operations and cannot be set directly`,
        { field: `spec.${key}` },
      )
    }
  }
}

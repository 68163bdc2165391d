// The websocket element's spec: exposed (`path`) and driven (`url`) modes, auth at upgrade,
// connection limits, heartbeat, rooms, handlers and reconnection, with the rules and advisories.
import { createHash } from 'node:crypto'
import { type Static, Type } from '@sinclair/typebox'
import type { JsonObject } from '../../storage/storage.ts'
import { type SpecRule, specReader } from '../element.ts'

export const REDACTED = '********'
const HASHED = /^sha256:[0-9a-f]{64}$/
const Slug = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'

export const websocketSpec = Type.Object(
  {
    path: Type.String({
      default: '/ws',
      maxLength: 256,
      pattern: '^/[A-Za-z0-9._~/-]*$',
      description: 'Exposed endpoint: clients connect to /ws/{circle}{path} (must start with /).',
    }),
    url: Type.Optional(
      Type.String({
        maxLength: 2048,
        pattern: '^wss?://',
        description: 'Driven mode: the platform keeps one outbound link to this ws:// or wss:// URL.',
      }),
    ),
    protocols: Type.Array(
      Type.String({ minLength: 1, maxLength: 128, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }),
      {
        default: [],
        maxItems: 16,
        description:
          'Subprotocols: offered on the driven link; the first one a client also offers is chosen.',
      },
    ),
    auth: Type.Object(
      {
        mode: Type.Union([Type.Literal('none'), Type.Literal('bearer'), Type.Literal('jwt')], {
          default: 'none',
        }),
        tokens: Type.Array(Type.String({ minLength: 1, maxLength: 512 }), {
          default: [],
          maxItems: 100,
          description: 'Shared tokens for mode bearer; stored as sha256 hashes.',
        }),
        jwt_secret: Type.Optional(
          Type.Union(
            [
              Type.String({ minLength: 16, maxLength: 1024 }),
              Type.Object(
                {
                  sealed: Type.String({
                    maxLength: 4096,
                    pattern: '^[a-z0-9]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
                  }),
                },
                { additionalProperties: false },
              ),
            ],
            {
              description:
                'HS256 secret for mode jwt (16 to 1024 characters); stored sealed under the element’s data key and never shown.',
            },
          ),
        ),
        query_param: Type.String({
          default: 'token',
          pattern: '^[A-Za-z0-9_-]{1,64}$',
          description: 'Query parameter browsers put the token in (they cannot set headers).',
        }),
        header: Type.String({
          default: 'authorization',
          pattern: '^[A-Za-z0-9-]{1,64}$',
          description: 'Header carrying `Bearer <token>`.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    max_connections: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100 }),
    connection: Type.Object(
      {
        max_message_bytes: Type.Integer({ minimum: 16, maximum: 16 * 1024 * 1024, default: 64 * 1024 }),
        max_buffered_bytes: Type.Integer({
          minimum: 1024,
          maximum: 256 * 1024 * 1024,
          default: 1024 * 1024,
          description: 'A client with more unsent bytes than this is skipped by broadcasts.',
        }),
        slow_timeout_ms: Type.Integer({
          minimum: 100,
          maximum: 600_000,
          default: 10_000,
          description: 'A client that stays over max_buffered_bytes this long is disconnected.',
        }),
        max_rooms: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
        welcome: Type.Boolean({
          default: true,
          description: 'Send {"type":"welcome","connection_id","rooms"} once the connection opens.',
        }),
        per_message_deflate: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
    heartbeat: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        interval_ms: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    rooms: Type.Object(
      {
        enabled: Type.Boolean({ default: false }),
        client_join: Type.Boolean({
          default: true,
          description: 'Clients may send {"type":"join"|"leave","room"} frames.',
        }),
        allowed: Type.Optional(
          Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
            maxItems: 1000,
            description: 'When set, only these rooms exist.',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    handlers: Type.Object(
      {
        message: Type.Optional(
          Type.String({ pattern: Slug, description: 'Element invoked per inbound message.' }),
        ),
        connection: Type.Optional(
          Type.String({ pattern: Slug, description: 'Element invoked on connect and disconnect.' }),
        ),
        timeout_ms: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    reconnect: Type.Object(
      {
        initial_delay_ms: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 1000 }),
        max_delay_ms: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 30_000 }),
        backoff_multiplier: Type.Number({ minimum: 1, maximum: 10, default: 2 }),
        jitter_factor: Type.Number({ minimum: 0, maximum: 1, default: 0.3 }),
        max_retries: Type.Integer({ minimum: -1, maximum: 1_000_000, default: -1 }),
      },
      { additionalProperties: false, default: {} },
    ),
    description: Type.String({ default: '', maxLength: 2000 }),
  },
  { additionalProperties: false },
)

export type WebsocketSpec = Static<typeof websocketSpec>

/** A stored websocket element's spec (for the runtime, which gets rows rather than contexts). */
export const websocketSpecOf = specReader<WebsocketSpec>('websocket')

const auth = (s: JsonObject) => (s['auth'] ?? {}) as JsonObject

export const websocketRules: SpecRule[] = [
  {
    field: 'auth.tokens',
    message: 'auth mode bearer needs at least one token in spec.auth.tokens',
    check: (s) => auth(s)['mode'] !== 'bearer' || ((auth(s)['tokens'] as unknown[]) ?? []).length > 0,
  },
  {
    field: 'auth.jwt_secret',
    message: 'auth mode jwt needs spec.auth.jwt_secret (at least 16 characters)',
    check: (s) => auth(s)['mode'] !== 'jwt' || auth(s)['jwt_secret'] !== undefined,
  },
  {
    field: 'auth.jwt_secret',
    message: `"${REDACTED}" is how the secret is shown, not a secret; send the real one`,
    check: (s) => auth(s)['jwt_secret'] !== REDACTED,
  },
  {
    field: 'reconnect.max_delay_ms',
    message: 'reconnect.max_delay_ms cannot be below reconnect.initial_delay_ms',
    check: (s) => {
      const r = (s['reconnect'] ?? {}) as { initial_delay_ms?: number; max_delay_ms?: number }
      return (r.max_delay_ms ?? 30_000) >= (r.initial_delay_ms ?? 1000)
    },
  },
  {
    field: 'path',
    message: 'path must not contain "//", "/./" or "/../" segments',
    check: (s) => !/(\/\/|\/\.\.?(\/|$))/.test(String(s['path'] ?? '/ws')),
  },
]

export const websocketAdvisories: SpecRule[] = [
  {
    field: 'max_connections',
    message: 'High max_connections (>10000) may require resource scaling',
    check: (s) => Number(s['max_connections'] ?? 100) <= 10_000,
  },
  {
    field: 'rooms.enabled',
    message: 'rooms.allowed is set but rooms are disabled, so it has no effect',
    check: (s) => {
      const r = (s['rooms'] ?? {}) as JsonObject
      return r['enabled'] === true || r['allowed'] === undefined
    },
  },
]

export const hashToken = (token: string) => `sha256:${createHash('sha256').update(token).digest('hex')}`

/** Shared tokens are stored hashed; already hashed entries (a later update, a restore) are kept. */
export function finalizeWebsocketSpec(spec: JsonObject): void {
  const a = auth(spec)
  const tokens = a['tokens']
  if (Array.isArray(tokens))
    a['tokens'] = [...new Set(tokens.map((t) => (HASHED.test(String(t)) ? String(t) : hashToken(String(t)))))]
}

/** The JWT secret (sealed, or plaintext in rows older than sealing) is never shown; token hashes are. */
export function presentWebsocketSpec(spec: JsonObject): JsonObject {
  const a = auth(spec)
  if (a['jwt_secret'] === undefined) return spec
  return { ...spec, auth: { ...a, jwt_secret: REDACTED } }
}

/** The elements the platform runs for this websocket: its handlers (wiring them needs execute). */
export function wiredHandlers(spec: JsonObject): string[] {
  const h = (spec['handlers'] ?? {}) as JsonObject
  return [h['message'], h['connection']].filter((s): s is string => typeof s === 'string')
}

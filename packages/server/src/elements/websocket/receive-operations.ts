// receive (external traffic into the message handler, element-level auth) and test_connection
// (the configuration checked locally, without opening any connection).
import type { IncomingMessage } from 'node:http'
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { websocketSpecOf } from './spec.ts'
import { authenticateUpgrade } from './upgrade-auth.ts'
import { WS } from './websocket-errors.ts'
import { websocketOperation } from './websocket-operation.ts'

export const receiveOperation = websocketOperation({
  name: 'receive',
  method: 'POST',
  // It runs code (the handler), so it needs execute like any other way of starting a run.
  auth: 'execute',
  summary: 'Hand one inbound message to the message handler (a run) and return its output',
  description:
    'Needs the `execute` scope; the element’s own spec.auth applies as well: send its token (or JWT) as `token` (it names the `user`). The handler gets {"event":"message","connection_id","user","rooms":[],"data"}.',
  input: Type.Object(
    {
      message: Type.Unknown(),
      connection_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      token: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
    },
    { additionalProperties: false },
  ),
  async handler(ctx) {
    const spec = ctx.spec
    const fakeReq = { headers: {} } as IncomingMessage
    const query = new URLSearchParams(ctx.input.token ? { [spec.auth.query_param]: ctx.input.token } : {})
    const auth = authenticateUpgrade(fakeReq, query, spec)
    if (!auth.ok) throw new PlatformError(WS.WS_UNAUTHORIZED, `element auth: ${auth.reason}`)
    const slug = spec.handlers.message
    if (!slug) return { handled: false, reason: 'spec.handlers.message is not set' }
    const input = {
      event: 'message',
      connection_id: ctx.input.connection_id ?? null,
      user: auth.user,
      rooms: [],
      data: ctx.input.message ?? null,
    } as JsonObject
    const out = await ctx.runtime.invoker.invoke(ctx.element, slug, input, spec.handlers.timeout_ms, {
      connection_id: ctx.input.connection_id ?? null,
      via: 'receive',
    })
    if (out.error?.code === WS.WS_HANDLER_UNAVAILABLE.code)
      throw new PlatformError(WS.WS_HANDLER_UNAVAILABLE, out.error.message, { handler: slug })
    if (out.error?.code === WS.WS_HANDLER_FORBIDDEN.code)
      throw new PlatformError(WS.WS_HANDLER_FORBIDDEN, out.error.message, { handler: slug })
    return { handled: true, succeeded: out.ok, output: out.output, run_id: out.run_id, error: out.error }
  },
})

interface Check {
  check: string
  ok: boolean
  detail: string
}

export const testConnectionOperation = websocketOperation({
  name: 'test_connection',
  path: 'test-connection',
  method: 'POST',
  auth: 'execute',
  summary: 'Check the configuration locally (endpoint, auth, handlers, link URL) without connecting anywhere',
  input: Type.Object({}, { additionalProperties: false }),
  async handler(ctx) {
    const spec = ctx.spec
    const circle = ctx.elementPath.split('/')[0]!
    const checks: Check[] = []
    const add = (check: string, ok: boolean, detail: string) => checks.push({ check, ok, detail })
    const siblings = (await ctx.elements.records.listCircleElements(ctx.element.circle_id)).filter(
      (r) =>
        r.element_type === 'websocket' &&
        !r.deleted_at &&
        r.id !== ctx.element.id &&
        websocketSpecOf(r).path === spec.path &&
        r.created_at < ctx.element.created_at,
    )
    add(
      'endpoint',
      siblings.length === 0,
      siblings.length
        ? `"${siblings[0]!.slug}" already serves ${spec.path}; this element does not receive clients`
        : `clients connect to /ws/${circle}${spec.path}`,
    )
    const auth = spec.auth
    add(
      'auth',
      auth.mode === 'none' || (auth.mode === 'bearer' ? auth.tokens.length > 0 : !!auth.jwt_secret),
      auth.mode === 'none'
        ? 'no auth: anyone who can reach the port can connect'
        : auth.mode === 'bearer'
          ? `${auth.tokens.length} shared token(s), header ${auth.header} or ?${auth.query_param}=`
          : `HS256 JWT (sub becomes the user), header ${auth.header} or ?${auth.query_param}=`,
    )
    if (spec.handlers.message || spec.handlers.connection) {
      const problem = await ctx.runtime.invoker.wiringProblem(ctx.element)
      add('handlers.authority', problem === null, problem ?? 'the key that wired the handlers holds execute')
    }
    for (const which of ['message', 'connection'] as const) {
      const slug = spec.handlers[which]
      if (!slug) continue
      const problem = await ctx.runtime.invoker.problem(ctx.element.circle_id, slug)
      add(
        `handlers.${which}`,
        problem === null,
        problem ?? `"${slug}" is invoked as a run per ${which} event`,
      )
    }
    if (spec.url) {
      let detail = ''
      try {
        const u = new URL(spec.url)
        if (u.protocol !== 'ws:' && u.protocol !== 'wss:') detail = 'url must be ws:// or wss://'
        else if (!u.hostname) detail = 'url has no host'
      } catch {
        detail = 'url does not parse'
      }
      add('url', detail === '', detail || `the platform keeps one link to ${new URL(spec.url).host}`)
    }
    return { success: checks.every((c) => c.ok), mode: spec.url ? 'driven' : 'exposed', checks }
  },
})

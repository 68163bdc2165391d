// Authenticates an engine worker's WebSocket upgrade: `Authorization: Bearer <circle key>`;
// the platform admin key names its circle with `?circle=<slug>`. Scopes carry over. iii-sdk's
// telemetry socket (`/otel`) sends no headers, so the key may also come as the password of the
// worker URL's user-info (`ws://iii:<key>@host:port`), which WebSocket clients send as Basic.
import type { IncomingMessage } from 'node:http'
import type { EngineCaller } from '../engine/engine.ts'
import { E, PlatformError } from '../errors.ts'
import type { Storage } from '../storage/storage.ts'
import { hasScope } from './actor.ts'
import type { Authenticator } from './api-keys.ts'

export function engineWorkerAuth(auth: Authenticator, storage: Storage) {
  return async (req: IncomingMessage): Promise<EngineCaller> => {
    const header = req.headers.authorization
    const actor = await auth.authenticate(bearerOf(Array.isArray(header) ? header[0] : header))
    if (!actor) throw new PlatformError(E.AUTH_REQUIRED, 'send "Authorization: Bearer <circle API key>"')
    let circleId = actor.circleId
    if (circleId === null) {
      const slug = new URL(req.url ?? '/', 'http://engine').searchParams.get('circle')
      const circle = slug ? await storage.findCircle(slug) : undefined
      if (!circle)
        throw new PlatformError(
          E.CIRCLE_NOT_FOUND,
          'the platform admin key names its circle with ?circle=<slug>',
        )
      circleId = circle.id
    }
    const circle = await storage.getElement(circleId)
    if (!circle) throw new PlatformError(E.CIRCLE_NOT_FOUND, 'the key’s circle no longer exists')
    if (!hasScope(actor, 'execute'))
      throw new PlatformError(E.FORBIDDEN, 'an engine worker key needs the "execute" scope', {
        required_scope: 'execute',
      })
    return {
      circleId,
      circleSlug: circle.slug,
      keyId: actor.keyId,
      canRead: hasScope(actor, 'read'),
      canWrite: hasScope(actor, 'write'),
      canExecute: true,
    }
  }
}

/** `Basic base64(user:key)` as `Bearer key` (the user name is ignored); anything else unchanged. */
function bearerOf(header: string | undefined): string | undefined {
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i.exec(header) : null
  if (!basic) return header
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? header : `Bearer ${decoded.slice(colon + 1)}`
}

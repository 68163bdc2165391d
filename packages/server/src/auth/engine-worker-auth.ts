// Authenticates an engine worker's WebSocket upgrade: `Authorization: Bearer <circle key>`;
// the platform admin key names its circle with `?circle=<slug>`. Scopes carry over.
import type { IncomingMessage } from 'node:http'
import type { EngineCaller } from '../engine/engine.ts'
import { E, PlatformError } from '../errors.ts'
import type { Storage } from '../storage/storage.ts'
import { hasScope } from './actor.ts'
import type { Authenticator } from './api-keys.ts'

export function engineWorkerAuth(auth: Authenticator, storage: Storage) {
  return async (req: IncomingMessage): Promise<EngineCaller> => {
    const header = req.headers.authorization
    const actor = await auth.authenticate(Array.isArray(header) ? header[0] : header)
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

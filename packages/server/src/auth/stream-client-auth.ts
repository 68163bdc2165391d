// Authorizes a stream client at `/streams/{circle}` when no stream auth function is configured:
// a circle API key with `read` (the platform admin key too), as a bearer header or `?token=`.
// Answers the key's id, so the connection ends when the key is revoked (key-revocations.ts).

import { E, PlatformError } from '../errors.ts'
import { hasScope } from './actor.ts'
import type { Authenticator } from './api-keys.ts'

export function streamClientKeyCheck(auth: Authenticator) {
  return async (authorization: string | undefined, circleId: string): Promise<string> => {
    const actor = await auth.authenticate(authorization)
    if (!actor)
      throw new PlatformError(
        E.AUTH_REQUIRED,
        'send a circle API key with "read": Authorization: Bearer <key>, or ?token=<key> from a browser',
      )
    if (!actor.platformAdmin && actor.circleId !== circleId)
      throw new PlatformError(E.AUTH_INVALID, 'the API key is not a key of this circle')
    if (!hasScope(actor, 'read'))
      throw new PlatformError(E.FORBIDDEN, 'a stream client key needs the "read" scope', {
        required_scope: 'read',
      })
    return actor.keyId
  }
}

// The two checks every authenticated route makes: who is calling, and may they do this.

import { E, PlatformError } from '../errors.ts'
import { type Actor, hasScope, type Scope } from './actor.ts'
import type { Authenticator } from './api-keys.ts'

export async function requireActor(auth: Authenticator, authorization: string | undefined): Promise<Actor> {
  const actor = await auth.authenticate(authorization)
  if (!actor) throw new PlatformError(E.AUTH_REQUIRED, 'send "Authorization: Bearer <key>"')
  return actor
}

/** FORBIDDEN naming the scope unless the actor has it; `what` names the operation refused. */
export function requireScope(actor: Actor, scope: Scope, what: string): void {
  if (!hasScope(actor, scope)) {
    throw new PlatformError(E.FORBIDDEN, `operation "${what}" needs the "${scope}" scope`, {
      required_scope: scope,
      operation: what,
    })
  }
}

// The scopes a run acts with when it calls other things (a workflow's steps, an agent's tools):
// those of the API key that started it, looked up again at every call, so a key revoked or
// stripped of `execute` mid-run stops the run's next call. Never more than the starter had.
import { type Actor, hasScope, type Scope } from '../auth/actor.ts'
import type { RunRow } from '../storage/storage.ts'
import type { ElementsPort } from './element.ts'

/** Why a starter's key may no longer act: `authentication` (gone, revoked) or `authorization`. */
export class StarterRefused extends Error {
  constructor(
    readonly kind: 'authentication' | 'authorization',
    message: string,
  ) {
    super(message)
    this.name = 'StarterRefused'
  }
}

/** The starter's key as it stands now, holding `execute`; throws StarterRefused otherwise. */
export async function starterActor(elements: ElementsPort, run: RunRow): Promise<Actor> {
  const keyId = String(run.trigger_info?.['key_id'] ?? '')
  if (keyId === 'platform-admin')
    return { keyId, circleId: null, scopes: new Set(['admin']), platformAdmin: true }
  const key = (await elements.apiKeys.listApiKeys(run.circle_id)).find((k) => k.id === keyId)
  if (!key || key.revoked_at !== null)
    throw new StarterRefused(
      'authentication',
      'the API key that started this run no longer exists or was revoked',
    )
  const actor: Actor = {
    keyId,
    circleId: key.circle_id,
    scopes: new Set(key.scopes as Scope[]),
    platformAdmin: false,
  }
  if (!hasScope(actor, 'execute'))
    throw new StarterRefused(
      'authorization',
      'the API key that started this run no longer holds the "execute" scope',
    )
  return actor
}

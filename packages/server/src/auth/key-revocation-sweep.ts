// A backstop for revocations that never arrived: a Redis message lost while a node's
// subscription was reconnecting, a node started without REDIS_URL beside others, a key revoked in
// the database by hand. Every interval the keys and circles of this node's live connections are
// read again; those revoked or deleted end as if the revocation had been announced.
import type { Storage } from '../storage/storage.ts'
import type { KeyRevocations } from './key-revocations.ts'

/** Starts the sweep (`intervalMs` 0: none); returns the stop function. */
export function startRevocationSweep(
  revocations: KeyRevocations,
  storage: Storage,
  intervalMs: number,
  onError: (err: unknown) => void,
): () => void {
  if (intervalMs <= 0) return () => {}
  let running = false
  const timer = setInterval(() => {
    // One sweep at a time: a slow database never piles sweeps up.
    if (running) return
    running = true
    sweepOnce(revocations, storage)
      .catch(onError)
      .finally(() => {
        running = false
      })
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

/** One pass, circle by circle (queries one after another, so a sweep is never a burst). */
export async function sweepOnce(revocations: KeyRevocations, storage: Storage): Promise<number> {
  let ended = 0
  for (const [circleId, keyIds] of revocations.watched()) {
    if (!(await storage.getElement(circleId))) {
      ended += revocations.apply({ circle_id: circleId })
      continue
    }
    if (keyIds.size === 0) continue
    // The platform admin key and port identities have no row here: only a revoked row ends anything.
    for (const row of await storage.listApiKeys(circleId))
      if (row.revoked_at !== null && keyIds.has(row.id)) ended += revocations.apply({ key_id: row.id })
  }
  return ended
}

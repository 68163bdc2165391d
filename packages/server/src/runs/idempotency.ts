// Idempotency-Key for POST /api/v1/runs: for 24 h per circle, the same key with the same body
// answers with the run the first request created; another body is refused (422), and a
// duplicate arriving while the first request is still creating its run is told to retry (409).
import { createHash } from 'node:crypto'
import { PlatformError, validationError } from '../errors.ts'
import type { IdempotencyRecords, Json } from '../storage/storage.ts'
import { RUN } from './run-errors.ts'

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000
const KEY = /^[\x21-\x7e]{1,255}$/

/** JSON with object keys sorted, so the same body hashes the same whatever its key order. */
function canonical(v: Json | undefined): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null)
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
    .join(',')}}`
}

export function requestHash(body: { target: string; operation: string; input: Json }): string {
  return createHash('sha256').update(canonical(body)).digest('hex')
}

/** The header's key, or undefined when none was sent; VALIDATION_FAILED when it is malformed. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined
  if (typeof header !== 'string' || !KEY.test(header))
    throw validationError('Idempotency-Key', 'must be 1 to 255 visible ASCII characters, sent once')
  return header
}

/**
 * Runs `create` once per (circle, key): returns its run id, or the id a previous request with
 * the same body created (`replayed`). A failed `create` releases the key for a retry.
 */
export async function withIdempotencyKey(
  storage: IdempotencyRecords,
  circleId: string,
  key: string,
  hash: string,
  create: () => Promise<string>,
): Promise<{ runId: string; replayed: boolean }> {
  const now = new Date()
  const { claimed, row } = await storage.claimIdempotencyKey(
    {
      circle_id: circleId,
      key,
      request_hash: hash,
      run_id: null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
    },
    now.toISOString(),
  )
  if (!claimed) {
    if (row.request_hash !== hash)
      throw new PlatformError(
        RUN.IDEMPOTENCY_KEY_REUSED,
        'this Idempotency-Key was used with a different body',
        {
          idempotency_key: key,
        },
      )
    if (!row.run_id)
      throw new PlatformError(
        RUN.IDEMPOTENCY_KEY_IN_USE,
        'a request with this Idempotency-Key is still running',
        {
          idempotency_key: key,
        },
      )
    return { runId: row.run_id, replayed: true }
  }
  let runId: string
  try {
    runId = await create()
  } catch (err) {
    await storage.releaseIdempotencyKey(circleId, key).catch(() => {})
    throw err
  }
  await storage.setIdempotencyRun(circleId, key, runId)
  return { runId, replayed: false }
}

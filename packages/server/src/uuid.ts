// The one spelling of "this is an id we issued" (randomUUID's lower-case form): element ids,
// run ids (time-ordered, below), upload tokens. A string that is not one is looked up as a slug, or is not found.
import { randomFillSync } from 'node:crypto'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const isUuid = (s: string): boolean => UUID.test(s)

const pool = Buffer.alloc(16 * 256)
let poolAt = pool.length

/**
 * A time-ordered UUID (RFC 9562 version 7: 48 bits of Unix ms, then 74 random bits). Run ids are
 * these: a new run's key lands at the end of the runs table's B-tree instead of on a random
 * page, which made a run's insert several times cheaper on SQLite (bench/python-warm.ts).
 */
export function uuidv7(): string {
  if (poolAt === pool.length) {
    randomFillSync(pool)
    poolAt = 0
  }
  const b = pool.subarray(poolAt, poolAt + 16)
  poolAt += 16
  const ms = Date.now()
  b.writeUIntBE(ms, 0, 6)
  b[6] = (b[6]! & 0x0f) | 0x70
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

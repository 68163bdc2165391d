// The Redis multi-node suites talk to: PERIODIC_TEST_REDIS_URL or the local default. In CI its
// absence is an error, never a silent skip.
import { Redis } from 'ioredis'

export const TEST_REDIS_URL = process.env['PERIODIC_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'

/** True when Redis answers; false (with a warning naming `suite`) outside CI when it does not. */
export async function redisAnswers(suite: string): Promise<boolean> {
  const r = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  r.on('error', () => {})
  try {
    await r.connect()
    return (await r.ping()) === 'PONG'
  } catch {
    if (process.env['CI']) throw new Error(`Redis is not reachable at ${TEST_REDIS_URL}`)
    console.warn(`Redis not reachable at ${TEST_REDIS_URL}: the ${suite} suite is skipped`)
    return false
  } finally {
    r.disconnect()
  }
}

// A run always ends in a final state: a result too deep to store fails it with
// PYTHON_RESULT_TOO_DEEP, a NUL in its logs is stored (PostgreSQL text cannot hold one), and any
// outcome the store refuses is replaced by a failed RUN_OUTCOME_UNSTORABLE, never left running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { createPython, pollRun, startRun } from '../../http/runs-api/runs-api-helpers.ts'
import type { Storage } from '../../storage/storage.ts'

const DEEP = [
  'import sys',
  'sys.setrecursionlimit(100000)',
  'def handler(input):',
  '    v = 1',
  '    for i in range(input.get("depth", 10000)):',
  '        v = [v]',
  '    return v',
  '',
].join('\n')

const NUL = 'def handler(input):\n    print("a\\x00b")\n    return {"s": "x\\x00y", **input}\n'

describe.each(storageKinds())('run outcomes on %s', (storage) => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    await createPython(s, 'acme', 'deep', DEEP)
    await createPython(s, 'acme', 'nul', NUL)
  }, 60_000)
  afterAll(async () => s?.close())

  it('fails a run whose handler returns 10,000-deep JSON, and the next run still works', async () => {
    const run = await pollRun(s, await startRun(s, 'acme/deep'))
    expect(run).toMatchObject({ status: 'failed', error: { code: 'PYTHON_RESULT_TOO_DEEP' } })
    const ok = await pollRun(s, await startRun(s, 'acme/deep', { depth: 10 }))
    expect(ok.status).toBe('succeeded')
  })

  it('stores a run whose handler prints a NUL byte', async () => {
    const run = await pollRun(s, await startRun(s, 'acme/nul'))
    expect(run).toMatchObject({ status: 'succeeded', output: { s: 'x\u0000y' } })
    const logs = await s.api('GET', '/api/acme/nul/ops/logs?limit=5')
    expect(JSON.stringify(logs.body)).toContain('a\uFFFDb')
  })

  it('records a failed outcome when the store refuses the real one', async () => {
    // Fault injection: the store refuses any run update carrying {"poison": true} in its output,
    // on the synchronous SQLite path of the run writer and in a transaction.
    const db = s.platform.storage as Storage
    const poisoned = (patch: unknown) =>
      (patch as { output?: { poison?: boolean } } | undefined)?.output?.poison
    const originalNow = db.writeRunsNow?.bind(db)
    db.writeRunsNow = (writes) => {
      if (writes.some((w) => poisoned(w.patch))) throw new Error('refused by the test')
      return originalNow?.(writes) ?? false
    }
    const original = db.transaction.bind(db)
    db.transaction = ((fn: (tx: Storage) => Promise<unknown>) =>
      original((tx) =>
        fn(
          new Proxy(tx, {
            get(target, prop, receiver) {
              if (prop !== 'updateRun') return Reflect.get(target, prop, receiver)
              return (id: string, patch: { output?: { poison?: boolean } }) => {
                if (poisoned(patch)) throw new Error('refused by the test')
                return target.updateRun(id, patch as never)
              }
            },
          }),
        ),
      )) as Storage['transaction']
    try {
      const run = await pollRun(s, await startRun(s, 'acme/nul', { poison: true }))
      expect(run).toMatchObject({ status: 'failed', output: null, error: { code: 'RUN_OUTCOME_UNSTORABLE' } })
      expect(run.error.message).toContain('refused by the test')
    } finally {
      db.transaction = original
      db.writeRunsNow = originalNow
    }
  })
})

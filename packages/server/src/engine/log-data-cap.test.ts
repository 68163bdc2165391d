// engine::log::* through a real worker: a line's `data` is bounded in the server log as it is in
// the in-memory log buffer, so a worker cannot write megabytes per call into the log files.
import { Writable } from 'node:stream'
import { type IIIClient, registerWorker } from 'iii-sdk'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

let server: TestServer
let iii: IIIClient
let written = 0
const lines: string[] = []

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      written += chunk.length
      lines.push(chunk.toString())
      done()
    },
  })
  server = await startTestServer({
    env: { PERIODIC_RATE_LIMIT: '0' },
    start: { logger: pino({ level: 'info' }, sink) },
  })
  await server.createCircle('acme')
  const key = await server.createKey('acme', ['read', 'write', 'execute'])
  iii = registerWorker(server.platform.engineUrl, {
    headers: { authorization: `Bearer ${key}` },
    otel: { enabled: false },
    enableMetricsReporting: false,
  })
})
afterAll(async () => {
  await iii?.shutdown().catch(() => {})
  await server?.close()
})

describe('engine::log::* data cap', () => {
  it('writes a note of the size instead of 3 MB of data to the server log', async () => {
    const before = written
    const blob = 'x'.repeat(1024 * 1024)
    for (let i = 0; i < 3; i++)
      await iii.trigger({
        function_id: 'engine::log::info',
        payload: { message: `big ${i}`, data: { blob } },
      })
    expect(written - before).toBeLessThan(16 * 1024)
    const line = JSON.parse(lines.find((l) => l.includes('"big 2"'))!)
    expect(line).toMatchObject({ circle: 'acme', data: { truncated: true, bytes: 1024 * 1024 + 11 } })
  })

  it('keeps small data as it is and cuts a long string to 16 KiB', async () => {
    await iii.trigger({ function_id: 'engine::log::warn', payload: { message: 'small', data: { id: 7 } } })
    await iii.trigger({
      function_id: 'engine::log::warn',
      payload: { message: 'long string', data: 'y'.repeat(100_000) },
    })
    expect(JSON.parse(lines.find((l) => l.includes('"small"'))!)).toMatchObject({ data: { id: 7 } })
    const long = JSON.parse(lines.find((l) => l.includes('"long string"'))!)
    expect(long.data).toHaveLength(16 * 1024)
  })
})

// Data channels with the real iii-sdk: createChannel, bytes and text streamed from one worker to
// another, buffering for a late reader (with a small buffer_size), and refused channel upgrades.
import { createHash, randomBytes } from 'node:crypto'
import type { IIIClient } from 'iii-sdk'
import { createChannel } from 'iii-sdk/helpers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type EngineKit, startEngineKit, waitForFunction } from './engine-test-kit.ts'

let kit: EngineKit
let producer: IIIClient
let consumer: IIIClient

beforeAll(async () => {
  kit = await startEngineKit()
  consumer = kit.worker()
  producer = kit.worker()
  consumer.registerFunction('files::digest', async (input: any) => {
    const messages: string[] = []
    input.reader.onMessage((m: string) => messages.push(m))
    const bytes: Buffer = await input.reader.readAll()
    return { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), messages }
  })
  await waitForFunction(producer, 'files::digest')
})
afterAll(async () => kit?.close())

function upgradeStatus(path: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(kit.url + path)
    ws.on('open', () => resolve(101))
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => {})
  })
}

describe('engine::channels::create', () => {
  it('streams bytes and text messages from one worker to a function of another, in order', async () => {
    const ch = await createChannel(producer)
    const data = randomBytes(300 * 1024)
    const result = producer.trigger<unknown, any>({
      function_id: 'files::digest',
      payload: { reader: ch.readerRef },
    })
    ch.writer.sendMessage('start')
    ch.writer.stream.write(data.subarray(0, 100_000))
    ch.writer.stream.write(data.subarray(100_000))
    ch.writer.sendMessage('end')
    ch.writer.stream.end()
    expect(await result).toEqual({
      length: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      messages: ['start', 'end'],
    })
  })

  it('holds what the writer sent for a reader that connects after the writer finished', async () => {
    // buffer_size 2: the writer is paused while the reader is away, and nothing is lost.
    const ch = await createChannel(producer, 2)
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000, i))
    for (const c of chunks) ch.writer.stream.write(c)
    const finished = new Promise((r) => ch.writer.stream.on('close', r))
    ch.writer.stream.end()
    const got = producer.trigger<unknown, any>({
      function_id: 'files::digest',
      payload: { reader: ch.readerRef },
    })
    await finished
    const all = Buffer.concat(chunks)
    expect(await got).toMatchObject({
      length: all.length,
      sha256: createHash('sha256').update(all).digest('hex'),
    })
  })

  it('refuses a wrong key, a wrong direction, an unknown channel and a second reader', async () => {
    const refs = await producer.trigger<unknown, any>({
      function_id: 'engine::channels::create',
      payload: {},
    })
    const { channel_id: id, access_key: readKey } = refs.reader
    const q = (key: string, dir: string) => `/ws/channels/${id}?key=${encodeURIComponent(key)}&dir=${dir}`
    expect(await upgradeStatus(q('nope', 'read'))).toBe(401)
    expect(await upgradeStatus(q(readKey, 'write'))).toBe(401)
    expect(await upgradeStatus(q(readKey, 'sideways'))).toBe(401)
    expect(await upgradeStatus(`/ws/channels/unknown?key=${readKey}&dir=read`)).toBe(404)
    expect(await upgradeStatus(q(readKey, 'read'))).toBe(101)
    expect(await upgradeStatus(q(readKey, 'read'))).toBe(409)
    const bad = await producer
      .trigger({ function_id: 'engine::channels::create', payload: { buffer_size: 'big' } })
      .catch((e) => e)
    expect(bad.code).toBe('invalid_payload')
  })
})

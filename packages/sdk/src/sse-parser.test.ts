// The event-stream parser: field rules, line endings, and chunks split anywhere.
import { describe, expect, it } from 'vitest'
import { readServerSentEvents, SseParser } from './sse-parser.ts'

const sample =
  'id: 1\nevent: log\ndata: {"line":"a"}\n\n: keep-alive\n\nid: 2\nevent: status\ndata: {"status":"succeeded"}\n\n'

describe('SseParser', () => {
  it('parses id, event and data, and skips comments', () => {
    const events = new SseParser().push(sample)
    expect(events).toEqual([
      { id: '1', event: 'log', data: '{"line":"a"}', retry: undefined },
      { id: '2', event: 'status', data: '{"status":"succeeded"}', retry: undefined },
    ])
  })

  it('gives the same events whatever the chunk boundaries, CRLF included', () => {
    const crlf = sample.replaceAll('\n', '\r\n')
    for (const text of [sample, crlf]) {
      for (let size = 1; size <= 7; size++) {
        const parser = new SseParser()
        const events = []
        for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)))
        events.push(...parser.end())
        expect(events.map((e) => e.id)).toEqual(['1', '2'])
        expect(events[1]?.data).toBe('{"status":"succeeded"}')
      }
    }
  })

  it('joins data lines, defaults the event to message, keeps the last id, and handles bare CR', () => {
    const parser = new SseParser()
    expect(parser.push('id: 7\ndata: one\ndata:two\n\ndata: three\r\r:')).toEqual([
      { id: '7', event: 'message', data: 'one\ntwo', retry: undefined },
      { id: '7', event: 'message', data: 'three', retry: undefined },
    ])
  })

  it('does not dispatch an event without data, nor one cut off by the end of the stream', () => {
    const parser = new SseParser()
    expect(parser.push('event: ping\n\ndata: half')).toEqual([])
    expect(parser.end()).toEqual([])
  })

  it('dispatches an event whose final blank line is a lone CR at the end of the stream', () => {
    const parser = new SseParser()
    expect(parser.push('data: x\r\r')).toEqual([])
    expect(parser.end().map((e) => e.data)).toEqual(['x'])
  })
})

describe('readServerSentEvents', () => {
  it('reads events from a byte stream split inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n')
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(new Uint8Array([b]))
        controller.close()
      },
    })
    const events = []
    for await (const e of readServerSentEvents(body)) events.push(e.data)
    expect(events).toEqual(['héllo ✓'])
  })
})

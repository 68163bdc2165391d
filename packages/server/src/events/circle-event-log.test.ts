// The in-memory circle event log and its feed, without a server: ids in order per circle, replay
// after an id, reset once the id fell out of the history (by count or by age), and the
// throttled websocket.connections count (the latest count wins).
import { describe, expect, it } from 'vitest'
import { feedEventLog } from './circle-event-feed.ts'
import { compareEventIds, type LoggedEvent, MemoryEventLog } from './circle-event-log.ts'
import { EventBus, type PlatformEvent } from './event-bus.ts'

const ev = (type: string, circle = 'c1', data: PlatformEvent['data'] = {}): PlatformEvent => ({
  type,
  circle_id: circle,
  element_id: 'e1',
  actor: null,
  at: new Date().toISOString(),
  data,
})

function collect() {
  const got: LoggedEvent[] = []
  const resets: string[] = []
  return {
    got,
    resets,
    sink: { event: (e: LoggedEvent) => got.push(e), reset: (r: string) => resets.push(r) },
  }
}

describe('memory event log', () => {
  it('numbers events per circle and replays after an id', async () => {
    const log = new MemoryEventLog()
    const live = collect()
    await log.subscribe('c1', undefined, live.sink)
    for (const t of ['a', 'b', 'c']) log.append(ev(t))
    log.append(ev('other', 'c2'))
    expect(live.got.map((e) => e.event.type)).toEqual(['a', 'b', 'c'])
    const ids = live.got.map((e) => e.id)
    expect(compareEventIds(ids[0]!, ids[1]!)).toBeLessThan(0)
    const again = collect()
    await log.subscribe('c1', ids[0], again.sink)
    expect(again.got.map((e) => e.id)).toEqual(ids.slice(1))
    const atEnd = collect()
    await log.subscribe('c1', ids[2], atEnd.sink)
    expect([atEnd.got, atEnd.resets]).toEqual([[], []])
  })

  it('resets for ids beyond the history, by count and by age', async () => {
    let now = 1_000_000
    const log = new MemoryEventLog({ maxEvents: 3, maxAgeMs: 60_000 }, () => now)
    const live = collect()
    await log.subscribe('c1', undefined, live.sink)
    for (let i = 0; i < 5; i++) log.append(ev(`t${i}`))
    const old = collect()
    await log.subscribe('c1', live.got[0]!.id, old.sink)
    expect(old.resets).toHaveLength(1)
    const kept = collect()
    await log.subscribe('c1', live.got[1]!.id, kept.sink)
    expect(kept.got.map((e) => e.event.type)).toEqual(['t2', 't3', 't4'])
    now += 120_000
    log.append(ev('late'))
    const aged = collect()
    await log.subscribe('c1', live.got[3]!.id, aged.sink)
    expect(aged.resets).toHaveLength(1)
    const unknown = collect()
    await log.subscribe('c1', 'nope', unknown.sink)
    expect(unknown.resets).toEqual(['unknown event id'])
  })

  it('feeds the log from the bus, leaving ws.message.* out and throttling connection counts', async () => {
    const bus = new EventBus()
    const log = new MemoryEventLog()
    const stop = feedEventLog(bus, log)
    const live = collect()
    await log.subscribe('c1', undefined, live.sink)
    bus.publish(ev('ws.message.received'))
    for (let n = 1; n <= 5; n++) bus.publish(ev('ws.connection.opened', 'c1', { count: n, node: 'n1' }))
    const counts = () =>
      live.got.filter((e) => e.event.type === 'websocket.connections').map((e) => e.event.data)
    await expect.poll(() => counts().at(-1), { timeout: 5000 }).toEqual({ count: 5, node: 'n1' })
    expect(counts().length).toBeLessThanOrEqual(2)
    expect(live.got.some((e) => e.event.type.startsWith('ws.message.'))).toBe(false)
    stop()
  })
})

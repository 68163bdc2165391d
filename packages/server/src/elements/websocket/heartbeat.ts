// One shared timer for every connection on this node: each element's connections are pinged
// every heartbeat.interval_ms, and those that did not answer the previous ping are terminated.
import type { ConnectionRegistry, LocalConnection } from './connection-registry.ts'

export interface HeartbeatSettings {
  enabled: boolean
  intervalMs: number
  slowTimeoutMs: number
}

/** The timer ticks this often and pings the elements that are due (interval_ms >= 1000). */
const TICK_MS = 250

export class Heartbeat {
  private readonly lastPing = new Map<string, number>()
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly settingsOf: (elementId: string) => HeartbeatSettings | undefined,
    private readonly onEvict: (c: LocalConnection, why: 'heartbeat' | 'slow') => void,
  ) {
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS)
    this.timer.unref()
  }

  tick(now: number): void {
    for (const elementId of this.registry.elementIds()) {
      const s = this.settingsOf(elementId)
      if (!s) continue
      for (const c of this.registry.ofElement(elementId)) {
        // A client that stayed over its buffer cap is dropped even when no broadcast notices.
        if (c.slowSince && now - c.slowSince > s.slowTimeoutMs) this.onEvict(c, 'slow')
      }
      if (!s.enabled) continue
      const last = this.lastPing.get(elementId)
      if (last === undefined) {
        this.lastPing.set(elementId, now)
        continue
      }
      if (now - last < s.intervalMs) continue
      this.lastPing.set(elementId, now)
      for (const c of this.registry.ofElement(elementId)) {
        if (!c.alive) {
          this.onEvict(c, 'heartbeat')
          continue
        }
        c.alive = false
        try {
          c.ws.ping()
        } catch {
          // The socket closed under us; its close handler cleans up.
        }
      }
    }
    for (const id of this.lastPing.keys()) if (this.registry.count(id) === 0) this.lastPing.delete(id)
  }

  close(): void {
    clearInterval(this.timer)
  }
}

// Finds the websocket element serving /ws/{circle}{path}, with a short-lived cache per circle so
// an upgrade costs no query in the common case; writes invalidate it at once (other nodes' writes
// through the cluster), and a miss always reads storage again.
import type { ElementReads, ElementRow } from '../../storage/storage.ts'
import { websocketSpecOf } from './spec.ts'

const TTL_MS = 2000

interface CircleEntry {
  at: number
  circleId: string | null
  byPath: Map<string, ElementRow>
}

export class ElementDirectory {
  private readonly circles = new Map<string, CircleEntry>()
  /** The latest row seen per element id (heartbeat and limits read specs from here). */
  private readonly rows = new Map<string, ElementRow>()

  constructor(private readonly storage: ElementReads) {}

  invalidate(): void {
    this.circles.clear()
  }

  remember(row: ElementRow): void {
    this.rows.set(row.id, row)
  }

  row(elementId: string): ElementRow | undefined {
    return this.rows.get(elementId)
  }

  forget(elementId: string): void {
    this.rows.delete(elementId)
  }

  /** The live, enabled websocket element of `circleSlug` whose spec.path is `path`. */
  async find(circleSlug: string, path: string): Promise<ElementRow | undefined> {
    let entry = this.circles.get(circleSlug)
    // A miss is read again: the element may have been created a moment ago on another node.
    if (!entry || Date.now() - entry.at > TTL_MS || !entry.byPath.has(path)) {
      entry = await this.load(circleSlug)
      if (this.circles.size > 10_000) this.circles.clear()
      this.circles.set(circleSlug, entry)
    }
    return entry.byPath.get(path)
  }

  private async load(circleSlug: string): Promise<CircleEntry> {
    const circle = /^[a-z0-9-]{1,63}$/.test(circleSlug)
      ? await this.storage.findCircle(circleSlug)
      : undefined
    const byPath = new Map<string, ElementRow>()
    if (!circle) return { at: Date.now(), circleId: null, byPath }
    const rows = (await this.storage.listCircleElements(circle.id))
      .filter((r) => r.element_type === 'websocket' && !r.deleted_at && r.enabled)
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
    for (const r of rows) {
      const spec = websocketSpecOf(r)
      // Two elements on one path: the older keeps it.
      if (!byPath.has(spec.path)) byPath.set(spec.path, r)
      this.rows.set(r.id, r)
    }
    return { at: Date.now(), circleId: circle.id, byPath }
  }
}

// Bounded in-memory buffers of the observability stores, and the list helpers of their queries
// (the query, paging, the merge of two span lists).
import type { Json } from '../storage/storage.ts'

/** A fixed-size buffer that overwrites its oldest entry when full. */
export class Ring<T> {
  private items: Array<T | undefined>
  private next = 0
  size = 0

  constructor(readonly capacity: number) {
    this.items = new Array(Math.max(1, capacity))
  }

  push(x: T): void {
    this.items[this.next] = x
    this.next = (this.next + 1) % this.items.length
    if (this.size < this.items.length) this.size++
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = []
    const n = this.items.length
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.next - this.size + i + n) % n] as T)
    return out
  }

  /** A ring of another capacity holding the newest entries of this one. */
  resized(capacity: number): Ring<T> {
    const r = new Ring<T>(capacity)
    for (const x of this.toArray()) r.push(x)
    return r
  }
}

/** Two lists each ordered by end time, merged (the first list wins ties, keeping its order). */
export function mergeByEnd(a: Json[], b: Json[]): Json[] {
  if (b.length === 0) return a
  const end = (x: Json) => (x as { end_time_ms: number }).end_time_ms
  const out: Json[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && end(a[i]!) <= end(b[j]!))) out.push(a[i++]!)
    else out.push(b[j++]!)
  }
  return out
}

export interface ListQuery {
  trace_id?: string | null
  function_id?: string | null
  level?: string | null
  /** iii's span filters: case-insensitive substrings of the span's name, service and status. */
  name?: string | null
  service_name?: string | null
  status?: string | null
  /** iii's log filters: span id, minimum severity number, severity text. */
  span_id?: string | null
  severity_min?: number | null
  severity_text?: string | null
  limit: number
  offset: number
}

/** Newest first, after `offset`, at most `limit`. */
export function page<T>(all: T[], q: ListQuery): T[] {
  const end = all.length - q.offset
  return end <= 0 ? [] : all.slice(Math.max(0, end - q.limit), end).reverse()
}

// Rows for the storage contract suites: strictly increasing timestamps, elements and runs with
// every field set, so each test states only what it is about.
import { randomUUID } from 'node:crypto'
import type { ElementRow, RunRow } from './storage.ts'

let clock = Date.parse('2026-01-01T00:00:00.000Z')
/** Strictly increasing ISO timestamps, so ordering assertions never depend on the real clock. */
export function tick(): string {
  clock += 1000
  return new Date(clock).toISOString()
}

export function element(over: Partial<ElementRow> & { circle_id: string }): ElementRow {
  const at = tick()
  return {
    id: randomUUID(),
    parent_id: over.circle_id,
    slug: `e-${randomUUID().slice(0, 8)}`,
    name: 'An element',
    element_type: 'variable',
    state: 'active',
    state_reason: null,
    enabled: true,
    intention: '',
    spec: {},
    meta: {},
    readme: '',
    version: 1,
    created_at: at,
    updated_at: at,
    deleted_at: null,
    ...over,
  }
}

export function circle(slug: string): ElementRow {
  const id = randomUUID()
  return element({ id, circle_id: id, parent_id: null, slug, element_type: 'circle' })
}

export function run(el: ElementRow, over: Partial<RunRow> = {}): RunRow {
  return {
    id: randomUUID(),
    circle_id: el.circle_id,
    element_id: el.id,
    element_version: el.version,
    operation: 'invoke',
    trigger: 'api',
    status: 'queued',
    input: { n: 1 },
    output: null,
    error: null,
    attempts: 0,
    created_at: tick(),
    started_at: null,
    completed_at: null,
    duration_ms: null,
    cold_start: false,
    memory_used_mb: null,
    logs_truncated: false,
    trigger_info: null,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    parent_span_id: null,
    node_id: 'node-a',
    cancel_requested_at: null,
    source_commit: '0725f0883fe3ec786abb7f26660fd59639f2ee14',
    source_ref: 'live',
    source: 'api',
    triggered_by: null,
    batch_id: null,
    example_id: null,
    ...over,
  }
}

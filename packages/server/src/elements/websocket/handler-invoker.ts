// Invokes the elements named in spec.handlers through the platform's run path (each call is a
// run of that element, e.g. a Python invoke), and returns the output of a run that succeeded.

import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import type { PlatformContext } from '../element.ts'
import { WiringAuthority } from '../wiring-authority.ts'
import { WS } from './websocket-errors.ts'

export interface HandlerOutcome {
  ok: boolean
  output: Json
  run_id: string | null
  error: { code: string; message: string } | null
}

const CACHE_MS = 2000

export class HandlerInvoker {
  private readonly cache = new Map<string, { row: ElementRow | undefined; at: number }>()
  private readonly authority: WiringAuthority

  constructor(private readonly p: PlatformContext) {
    this.authority = new WiringAuthority(p.elements.records, p.elements.apiKeys)
  }

  /** Forgets cached handler rows (an element changed). */
  forget(): void {
    this.cache.clear()
  }

  private async find(circleId: string, slug: string): Promise<ElementRow | undefined> {
    const key = `${circleId}/${slug}`
    const hit = this.cache.get(key)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.row
    const row = await this.p.elements.records.findElementBySlug(circleId, slug)
    if (this.cache.size > 10_000) this.cache.clear()
    this.cache.set(key, { row, at: Date.now() })
    return row
  }

  /** Why the handlers of `element` may not run on its wirer's authority now, or null. */
  async wiringProblem(element: ElementRow): Promise<string | null> {
    const grant = await this.authority.grant(element)
    return grant.ok ? null : grant.reason
  }

  /** Why `slug` cannot handle messages, or null when it can. */
  async problem(circleId: string, slug: string): Promise<string | null> {
    const row = await this.find(circleId, slug)
    if (!row || row.deleted_at) return `no element "${slug}" in this circle`
    const runtime = this.p.elements.registry.runtimeOf(row.element_type)
    if (!runtime?.startRun || !runtime.runnableOperations?.length)
      return `${row.element_type} element "${slug}" cannot be invoked (it has no runnable operation)`
    if (!row.enabled) return `"${slug}" is disabled`
    return null
  }

  async invoke(
    element: ElementRow,
    slug: string,
    input: JsonObject,
    timeoutMs: number,
    info: JsonObject,
  ): Promise<HandlerOutcome> {
    const fail = (code: string, message: string, run_id: string | null = null): HandlerOutcome => ({
      ok: false,
      output: null,
      run_id,
      error: { code, message },
    })
    // Handlers run as the key that wired them, never as the (possibly anonymous) client.
    const grant = await this.authority.grant(element)
    if (!grant.ok) return fail(WS.WS_HANDLER_FORBIDDEN.code, grant.reason)
    const problem = await this.problem(element.circle_id, slug)
    if (problem) return fail(WS.WS_HANDLER_UNAVAILABLE.code, problem)
    const row = (await this.find(element.circle_id, slug))!
    const runtime = this.p.elements.registry.runtimeOf(row.element_type)!
    let run: RunRow
    try {
      run = await runtime.startRun!(row, runtime.runnableOperations![0]!, input, 'websocket', {
        websocket_element_id: element.id,
        websocket_slug: element.slug,
        ...info,
        // The handler's own engine calls get no more than its wirer's scopes (handler-calls.ts).
        wired_by: grant.keyId,
        scopes: grant.scopes,
      })
    } catch (err) {
      const e = err as { code?: string; message?: string }
      return fail(e.code ?? 'INTERNAL', e.message ?? String(err))
    }
    const final = await this.p.runs.wait(run, timeoutMs)
    if (final.status === 'succeeded') return { ok: true, output: final.output, run_id: run.id, error: null }
    const err = (final.error ?? {}) as JsonObject
    if (final.status === 'queued' || final.status === 'running')
      return fail('WS_HANDLER_TIMEOUT', `no result within handlers.timeout_ms (${timeoutMs} ms)`, run.id)
    return fail(String(err['code'] ?? 'RUN_FAILED'), String(err['message'] ?? final.status), run.id)
  }
}

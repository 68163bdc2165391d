// The python type's own events (the seed's observability list), beside the generic run.*
// events: python.invoked, python.completed, python.failed, python.cold_start, python.build.*.
// Every one goes on the event bus. The rare ones that say something about the element — a
// failure, a cold start, a build — also become activity rows; invoked/completed, one pair per
// run, stay on the bus (the run itself is the record: ops/runs lists them), so the warm path
// writes no more rows than the run's own.
import { SYSTEM_ACTOR } from '../../auth/actor.ts'
import type { EventBus } from '../../events/event-bus.ts'
import type { RunOutcome } from '../../runs/run-service.ts'
import type { ElementRow, JsonObject, RunRow } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import type { BuildRecord, Layer } from './layer-builder.ts'

export const PYTHON_EVENTS = [
  'python.invoked',
  'python.completed',
  'python.failed',
  'python.cold_start',
  'python.build.started',
  'python.build.succeeded',
  'python.build.failed',
] as const

type Log = { warn(o: object, msg?: string): void }

export class PythonEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly elements: ElementsPort,
    private readonly log: Log,
  ) {}

  /** A run of the handler begins (once per run, whatever its attempts). */
  invoked(element: ElementRow, run: RunRow): void {
    this.publish('python.invoked', element, {
      run_id: run.id,
      trigger: run.trigger,
      version: run.element_version,
    })
  }

  /** A run ended: python.completed on success, python.failed (also as activity) on failure. */
  async ended(element: ElementRow, run: RunRow, o: RunOutcome): Promise<void> {
    const data: JsonObject = {
      run_id: run.id,
      trigger: run.trigger,
      status: o.status,
      duration_ms: Math.round(o.duration_ms * 1000) / 1000,
      cold_start: o.cold_start,
    }
    if (o.status === 'succeeded') return this.publish('python.completed', element, data)
    // A cancelled run is the caller's doing, not the handler's: run.cancelled says it.
    if (o.status !== 'failed') return
    const error = o.error ?? {}
    await this.note('python.failed', element, {
      ...data,
      code: error['code'] ?? null,
      message: error['message'] ?? null,
    })
  }

  /** A worker was started for the run (not a warm one taken from the pool). */
  coldStart(element: ElementRow, run: RunRow, ms: number): Promise<void> {
    return this.note('python.cold_start', element, {
      run_id: run.id,
      cold_start_ms: Math.round(ms * 1000) / 1000,
    })
  }

  /**
   * A dependency build for `element`: started when pip actually runs (a cache hit is a lone
   * succeeded with cached: true), then succeeded or failed when it ends.
   */
  build(element: ElementRow, b: { record: BuildRecord; done: Promise<Layer> }): void {
    const { record } = b
    const base = { build_id: record.build_id, layer_key: record.layer_key }
    if (record.status !== 'building') {
      void this.note(`python.build.${record.status}`, element, { ...base, cached: record.cached })
      return
    }
    void this.note('python.build.started', element, { ...base, requirements: record.requirements })
    b.done.then(
      () =>
        this.note('python.build.succeeded', element, {
          ...base,
          cached: false,
          duration_ms: record.duration_ms,
        }),
      (err: Error) =>
        this.note('python.build.failed', element, {
          ...base,
          message: String(err?.message ?? err).slice(0, 800),
        }),
    )
  }

  private publish(type: string, element: ElementRow, data: JsonObject): void {
    this.bus.publish({
      type,
      circle_id: element.circle_id,
      element_id: element.id,
      actor: null,
      at: new Date().toISOString(),
      data: { ...data, slug: element.slug, element_type: element.element_type },
    })
  }

  /** Activity row and bus event; a failed write is logged, never the run's failure. */
  private async note(type: string, element: ElementRow, data: JsonObject): Promise<void> {
    try {
      await this.elements.note(element, SYSTEM_ACTOR, type, data)
    } catch (err) {
      this.log.warn({ err, type, element: element.id }, 'python event not recorded')
    }
  }
}

// A python element's state as its runs teach it: `deployed` after a success, `error` after
// repeated failures (until the next update or success), and the last error for diagnostics.
import { SYSTEM_ACTOR } from '../../auth/actor.ts'
import type { RunOutcome } from '../../runs/run-service.ts'
import type { ElementRow } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'

const FAILURES_BEFORE_ERROR_STATE = 5

export class ElementHealth {
  private readonly failures = new Map<string, number>()
  lastError: string | null = null

  constructor(private readonly elements: ElementsPort) {}

  /** Starts the count of failures afresh (the element was moved back to draft or ready). */
  forget(elementId: string): void {
    this.failures.delete(elementId)
  }

  /** Moves the element to `deployed` or `error` after a run of its current version ended. */
  async settle(element: ElementRow, o: RunOutcome): Promise<void> {
    if (o.status === 'failed') this.lastError = String(o.error?.['message'] ?? '')
    const failures = o.status === 'failed' ? (this.failures.get(element.id) ?? 0) + 1 : 0
    this.failures.set(element.id, failures)
    const next =
      o.status === 'succeeded' ? 'deployed' : failures >= FAILURES_BEFORE_ERROR_STATE ? 'error' : undefined
    // The element row of this run is recent enough to skip a read when nothing changes.
    if (!next || element.state === next) return
    const current = await this.elements.records.getElement(element.id)
    if (current?.enabled && current.state !== next && current.version === element.version) {
      await this.elements
        .patch(current, { state: next }, SYSTEM_ACTOR, 'element.state_changed', { state: next })
        .catch(() => {})
    }
  }
}

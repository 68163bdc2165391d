// Invoke runs this node executes now, per element: its `concurrency.max` bounds them, and a
// slot is counted from the moment a start or a queue claim decides to run here, so two of them
// at the same moment cannot both take the last one.
import type { ElementRow } from '../../storage/storage.ts'
import { pythonSpecOf } from './spec.ts'

export class ElementSlots {
  private readonly used = new Map<string, number>()

  /** Free slots of `element` on this node. */
  free(element: ElementRow): number {
    return pythonSpecOf(element).concurrency.max - (this.used.get(element.id) ?? 0)
  }

  add(element: ElementRow, delta: number): void {
    const n = (this.used.get(element.id) ?? 0) + delta
    if (n > 0) this.used.set(element.id, n)
    else this.used.delete(element.id)
  }
}

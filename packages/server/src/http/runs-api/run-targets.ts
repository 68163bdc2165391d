// Elements as the runs API names them: a target path (`acme/project/hello`) resolved for a
// caller, and the path and type shown with each run.
import type { Actor } from '../../auth/actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { validationError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'

/** The element at `target` if the actor's circle holds it (404 as the element routes answer). */
export async function resolveTarget(
  elements: ElementService,
  actor: Actor,
  target: string,
  field = 'target',
): Promise<ElementRow> {
  const [circle, ...segments] = target.split('/').filter(Boolean)
  if (!circle || segments.length === 0)
    throw validationError(field, 'must be an element path such as "acme/hello"', {
      got: target.slice(0, 100),
    })
  return elements.resolve(actor, circle, segments)
}

export interface ElementSummary {
  target: string | null
  element_type: string | null
}

/** Path and type of the elements runs belong to, read once per element for one response. */
export class ElementSummaries {
  private readonly seen = new Map<string, Promise<ElementSummary>>()

  constructor(private readonly elements: ElementService) {}

  of(elementId: string): Promise<ElementSummary> {
    let s = this.seen.get(elementId)
    if (!s) {
      s = this.load(elementId)
      this.seen.set(elementId, s)
    }
    return s
  }

  private async load(elementId: string): Promise<ElementSummary> {
    const row = await this.elements.records.getElement(elementId)
    if (!row) return { target: null, element_type: null } // deleted since
    const json = await this.elements.present(row)
    return { target: json.path, element_type: row.element_type }
  }
}

// "The element `ref` names in this circle": its id or its slug, live, of the expected type.
// Operations that take another element as an argument (a jar's browser, a diff's other jar)
// resolve it here, so an id from another circle and a slug of the wrong type are both "not
// found" the same way.
import type { ElementRow } from '../storage/storage.ts'
import { isUuid } from '../uuid.ts'
import type { ElementsPort } from './element.ts'

export async function elementOfCircle(
  elements: ElementsPort,
  circleId: string,
  ref: string,
  type: string,
): Promise<ElementRow | undefined> {
  const row = isUuid(ref)
    ? await elements.records.getElement(ref)
    : await elements.records.findElementBySlug(circleId, ref)
  if (!row || row.deleted_at !== null || row.circle_id !== circleId || row.element_type !== type)
    return undefined
  return row
}

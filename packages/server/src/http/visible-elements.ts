// Which elements of one type an `/api/v1/<type>s` API shows an actor: one by id, path or (for a
// circle key) bare slug, and the circles a list reads. Another circle's element is "not found",
// never 403 (no leak of what other circles hold).
import { type Actor, canSeeCircle } from '../auth/actor.ts'
import type { ElementService } from '../elements/element-service.ts'
import { PlatformError } from '../errors.ts'
import type { ElementRow } from '../storage/storage.ts'
import { isUuid } from '../uuid.ts'

/**
 * The element `id` names — an element id, a path (`acme/extract-invoice`, `acme/project/x`) or,
 * for a circle key, a bare slug — when it is of `type` and the actor's circle holds it; the
 * error `notFound` gives otherwise.
 */
export async function visibleElementOfType(
  elements: ElementService,
  actor: Actor,
  id: string,
  type: string,
  notFound: (id: string) => PlatformError,
): Promise<ElementRow> {
  let row: ElementRow | undefined
  if (isUuid(id)) row = await elements.records.getElement(id)
  else if (id.includes('/')) {
    const [circle, ...segments] = id.split('/').filter(Boolean)
    if (circle && segments.length)
      row = await elements.resolve(actor, circle, segments).catch((err: unknown) => {
        if (err instanceof PlatformError && err.status === 404) return undefined
        throw err
      })
  } else if (actor.circleId) row = await elements.records.findElementBySlug(actor.circleId, id)
  if (!row || row.deleted_at || row.element_type !== type || !canSeeCircle(actor, row.circle_id))
    throw notFound(id)
  return row
}

/** The circles a list reads: the key's own; the platform admin's every circle, or ?circle=. */
export async function listedCircles(
  elements: ElementService,
  actor: Actor,
  circle: string | undefined,
): Promise<string[]> {
  if (!actor.platformAdmin) {
    if (!actor.circleId) return []
    if (circle && (await elements.circleSlug(actor.circleId)) !== circle) return []
    return [actor.circleId]
  }
  if (circle) {
    const row = await elements.records.findCircle(circle)
    return row ? [row.id] : []
  }
  return (await elements.records.listCircles()).map((c) => c.id)
}

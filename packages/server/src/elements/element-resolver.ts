// Finds elements by path (`/api/{circle}/{...segments}`) and walks their ancestry, caching what
// never changes after creation (slugs, parents, circle slugs) so the hot path reads one row.

import { type Actor, canSeeCircle } from '../auth/actor.ts'
import { E, PlatformError } from '../errors.ts'
import type { ElementReads, ElementRow } from '../storage/storage.ts'

export class ElementResolver {
  private readonly circleSlugs = new Map<string, string>()
  private readonly lineageCache = new Map<string, { slug: string; parent_id: string | null }>()

  constructor(private readonly storage: ElementReads) {}

  /** Resolves `/api/{circle}/{...segments}`; intermediate segments must be ancestors, in order. */
  async resolve(actor: Actor | null, circleSlug: string, segments: string[]): Promise<ElementRow> {
    const circleNotFound = () =>
      new PlatformError(E.CIRCLE_NOT_FOUND, `circle "${circleSlug.slice(0, 80)}" not found`)
    if (segments.length === 0) {
      const circle = await this.storage.findCircle(circleSlug)
      if (!circle || (actor && !canSeeCircle(actor, circle.id))) throw circleNotFound()
      this.remember(circle)
      return circle
    }
    const row = await this.storage.findElementInCircle(circleSlug, segments[segments.length - 1]!)
    const notFound = () =>
      new PlatformError(
        E.ELEMENT_NOT_FOUND,
        `element "${[circleSlug, ...segments].join('/').slice(0, 200)}" not found`,
      )
    if (!row) {
      // Only the failure path pays for telling a missing circle from a missing element.
      const circle = await this.storage.findCircle(circleSlug)
      throw !circle || (actor && !canSeeCircle(actor, circle.id)) ? circleNotFound() : notFound()
    }
    if (actor && !canSeeCircle(actor, row.circle_id)) throw circleNotFound()
    this.circleSlugs.set(row.circle_id, circleSlug)
    this.remember(row)
    if (segments.length > 1) {
      const chain = await this.lineage(row)
      let i = 0
      for (const seg of segments.slice(0, -1)) {
        while (i < chain.length && chain[i] !== seg) i++
        if (i === chain.length) throw notFound()
        i++
      }
    }
    return row
  }

  private remember(row: ElementRow): void {
    // Slugs and parents never change after creation, so this cache is never stale for live
    // elements; it is bounded and simply dropped when full.
    if (this.lineageCache.size > 50_000) this.lineageCache.clear()
    this.lineageCache.set(row.id, { slug: row.slug, parent_id: row.parent_id })
  }

  /** Slugs of the ancestors below the circle, top first (from cache; misses read storage). */
  async lineage(row: ElementRow): Promise<string[]> {
    const chain: string[] = []
    let parentId = row.parent_id
    for (let depth = 0; parentId && depth < 64; depth++) {
      let entry = this.lineageCache.get(parentId)
      if (!entry) {
        const parent = await this.storage.getElement(parentId)
        if (!parent) break
        this.remember(parent)
        entry = { slug: parent.slug, parent_id: parent.parent_id }
      }
      if (entry.parent_id === null) break
      chain.unshift(entry.slug)
      parentId = entry.parent_id
    }
    return chain
  }

  /** Ancestor rows from the circle's first child down to the parent (the circle excluded). */
  async ancestors(row: ElementRow): Promise<ElementRow[]> {
    const chain: ElementRow[] = []
    let parentId = row.parent_id
    for (let depth = 0; parentId && depth < 64; depth++) {
      const parent = await this.storage.getElement(parentId)
      if (!parent || parent.parent_id === null) break
      chain.unshift(parent)
      parentId = parent.parent_id
    }
    return chain
  }

  async circleSlug(circleId: string): Promise<string> {
    let slug = this.circleSlugs.get(circleId)
    if (!slug) {
      slug = (await this.storage.getElement(circleId))?.slug ?? '?'
      this.circleSlugs.set(circleId, slug)
    }
    return slug
  }
}

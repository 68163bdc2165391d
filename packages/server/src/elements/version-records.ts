// What every versioned element write records — the version row and who wrote it (the key a
// wired handler later runs as), the one path that writes a version, and the two errors a write
// can meet.

import type { Actor } from '../auth/actor.ts'
import { E, PlatformError } from '../errors.ts'
import type { ElementPatch, ElementRow, JsonObject } from '../storage/storage.ts'
import type { ElementsPort, PendingEvent } from './element.ts'

export function versionOf(row: ElementRow, message: string, actor: Actor | null) {
  return {
    element_id: row.id,
    version: row.version,
    name: row.name,
    intention: row.intention,
    spec: row.spec,
    message,
    created_by: actor?.keyId ?? null,
    created_at: row.updated_at,
  }
}

export function slugTaken(slug: string) {
  return new PlatformError(E.SLUG_TAKEN, `an element with slug "${slug}" already exists here`, {
    field: 'slug',
    slug,
  })
}

export function versionConflict(expected: number, current: number) {
  return new PlatformError(
    E.VERSION_CONFLICT,
    `expected version ${expected} but the element is at version ${current}`,
    {
      expected_version: expected,
      current_version: current,
    },
  )
}

/**
 * The one path for versioned writes: recompute from the latest row, write at version+1 only
 * if nobody else wrote meanwhile (retrying when the caller gave no expected_version).
 */
export async function writeVersion(
  elements: ElementsPort,
  start: ElementRow,
  actor: Actor,
  event: string,
  expected: number | undefined,
  /** False when the version's commit already exists (a push being applied). */
  commit: boolean,
  build: (row: ElementRow) => { patch: ElementPatch; message: string; data: JsonObject },
): Promise<ElementRow> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const events: PendingEvent[] = []
    const result = await elements.transaction(async (tx) => {
      const row = attempt === 0 ? start : await tx.getElement(start.id)
      if (!row) throw new PlatformError(E.ELEMENT_NOT_FOUND, `element "${start.slug}" no longer exists`)
      if (expected !== undefined && row.version !== expected) throw versionConflict(expected, row.version)
      const { patch, message, data } = build(row)
      const next: ElementRow = {
        ...row,
        ...patch,
        version: row.version + 1,
        updated_at: new Date().toISOString(),
      }
      const type = elements.registry.get(next.element_type)
      if (type?.deriveState && next.enabled) next.state = type.deriveState(next.spec, next)
      const ok = await tx.updateElement(
        row.id,
        { ...patch, state: next.state, version: next.version, updated_at: next.updated_at },
        row.version,
      )
      if (!ok) return undefined
      if (commit) await elements.source.commit(next, actor, message)
      await tx.insertVersion(versionOf(next, message, actor))
      await elements.record(tx, events, event, next, actor, { ...data, version: next.version })
      return next
    })
    if (result) {
      elements.flush(events)
      await elements.registry
        .get(result.element_type)
        ?.afterWrite?.(result, elements)
        .catch((err: unknown) =>
          elements.note(result, actor, 'element.after_write_failed', { error: String(err).slice(0, 500) }),
        )
      return result
    }
    if (expected !== undefined) {
      const fresh = await elements.records.getElement(start.id)
      throw versionConflict(expected, fresh?.version ?? -1)
    }
  }
  throw new PlatformError(
    E.VERSION_CONFLICT,
    'the element kept changing while this update was applied; retry',
    { retryable: true },
  )
}

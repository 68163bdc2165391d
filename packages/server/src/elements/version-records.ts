// What every versioned element write records — the version row and who wrote it (the key a
// wired handler later runs as) — and the two errors a write can meet.

import type { Actor } from '../auth/actor.ts'
import { E, PlatformError } from '../errors.ts'
import type { ElementRow } from '../storage/storage.ts'

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

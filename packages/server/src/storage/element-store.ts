// The elements half of KyselyStorage (elements and their versions), kept apart so
// kysely-storage.ts stays readable; each function takes the same Kysely handle.
import type { Kysely } from 'kysely'
import type { DB } from './db-schema.ts'
import { json, parse } from './row-codec.ts'
import type { ElementPatch, ElementRow, JsonObject, VersionRow } from './storage.ts'

function toElement(r: DB['elements']): ElementRow {
  return {
    ...r,
    enabled: Boolean(r.enabled),
    spec: parse<JsonObject>(r.spec),
    meta: parse<JsonObject>(r.meta),
  }
}

function fromElementPatch(p: ElementPatch): Partial<DB['elements']> {
  const { spec, meta, enabled, ...rest } = p
  const out: Partial<DB['elements']> = { ...rest }
  if (spec !== undefined) out.spec = json(spec)
  if (meta !== undefined) out.meta = json(meta)
  if (enabled !== undefined) out.enabled = enabled ? 1 : 0
  return out
}

export async function insertElement(db: Kysely<DB>, row: ElementRow): Promise<void> {
  await db
    .insertInto('elements')
    .values({ ...row, spec: json(row.spec), meta: json(row.meta), enabled: row.enabled ? 1 : 0 })
    .execute()
}

export async function getElement(db: Kysely<DB>, id: string): Promise<ElementRow | undefined> {
  const r = await db
    .selectFrom('elements')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return r && toElement(r)
}

export async function findElementBySlug(
  db: Kysely<DB>,
  circleId: string,
  slug: string,
): Promise<ElementRow | undefined> {
  const r = await db
    .selectFrom('elements')
    .selectAll()
    .where('circle_id', '=', circleId)
    .where('slug', '=', slug)
    .where('parent_id', 'is not', null)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return r && toElement(r)
}

export async function findCircle(db: Kysely<DB>, slug: string): Promise<ElementRow | undefined> {
  const r = await db
    .selectFrom('elements')
    .selectAll()
    .where('slug', '=', slug)
    .where('parent_id', 'is', null)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return r && toElement(r)
}

export async function findElementInCircle(
  db: Kysely<DB>,
  circleSlug: string,
  slug: string,
): Promise<ElementRow | undefined> {
  const r = await db
    .selectFrom('elements as e')
    .innerJoin('elements as c', 'c.id', 'e.circle_id')
    .selectAll('e')
    .where('c.slug', '=', circleSlug)
    .where('c.parent_id', 'is', null)
    .where('c.deleted_at', 'is', null)
    .where('e.slug', '=', slug)
    .where('e.parent_id', 'is not', null)
    .where('e.deleted_at', 'is', null)
    .executeTakeFirst()
  return r && toElement(r)
}

export async function listCircles(db: Kysely<DB>): Promise<ElementRow[]> {
  const rows = await db
    .selectFrom('elements')
    .selectAll()
    .where('parent_id', 'is', null)
    .where('deleted_at', 'is', null)
    .orderBy('slug')
    .execute()
  return rows.map(toElement)
}

export async function listChildren(
  db: Kysely<DB>,
  parentId: string,
  opts: { limit?: number; offset?: number; types?: string[] } = {},
): Promise<ElementRow[]> {
  let q = db
    .selectFrom('elements')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('deleted_at', 'is', null)
  if (opts.types?.length) q = q.where('element_type', 'in', opts.types)
  q = q
    .orderBy('slug')
    .limit(opts.limit ?? 10_000)
    .offset(opts.offset ?? 0)
  return (await q.execute()).map(toElement)
}

export async function countChildren(db: Kysely<DB>, parentId: string): Promise<number> {
  const r = await db
    .selectFrom('elements')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('parent_id', '=', parentId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export async function listCircleElements(db: Kysely<DB>, circleId: string): Promise<ElementRow[]> {
  const rows = await db
    .selectFrom('elements')
    .selectAll()
    .where('circle_id', '=', circleId)
    .where('deleted_at', 'is', null)
    .orderBy('slug')
    .execute()
  return rows.map(toElement)
}

export async function updateElement(
  db: Kysely<DB>,
  id: string,
  patch: ElementPatch,
  expectedVersion?: number,
): Promise<boolean> {
  let q = db
    .updateTable('elements')
    .set(fromElementPatch(patch))
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion)
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function insertVersion(db: Kysely<DB>, row: VersionRow): Promise<void> {
  await db
    .insertInto('element_versions')
    .values({ ...row, spec: json(row.spec) })
    .execute()
}

export async function getVersion(
  db: Kysely<DB>,
  elementId: string,
  version: number,
): Promise<VersionRow | undefined> {
  const r = await db
    .selectFrom('element_versions')
    .selectAll()
    .where('element_id', '=', elementId)
    .where('version', '=', version)
    .executeTakeFirst()
  return r && { ...r, spec: parse<JsonObject>(r.spec) }
}

export async function listVersions(db: Kysely<DB>, elementId: string, limit: number): Promise<VersionRow[]> {
  const rows = await db
    .selectFrom('element_versions')
    .selectAll()
    .where('element_id', '=', elementId)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, spec: parse<JsonObject>(r.spec) }))
}

export async function countVersions(db: Kysely<DB>, elementId: string): Promise<number> {
  const r = await db
    .selectFrom('element_versions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('element_id', '=', elementId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

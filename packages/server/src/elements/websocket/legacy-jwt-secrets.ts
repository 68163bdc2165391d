// Rows written before JWT secrets were sealed hold them in clear, in the element row and in its
// versions. At start the websocket runtime seals those in place (no new version: the history
// says the same, minus the plaintext). Each write is a compare-and-set on the spec text, so two
// nodes starting together never overwrite each other.
import type { Kysely } from 'kysely'
import type { JsonObject } from '../../storage/storage.ts'
import type { TypeTables } from '../../storage/type-tables.ts'
import type { ElementsPort } from '../element.ts'
import { sealJwtSecret } from './jwt-secret.ts'

interface Tables {
  elements: { id: string; element_type: string; spec: string }
  element_versions: { element_id: string; version: number; spec: string }
}

/** The spec columns of websocket rows this one-off rewrite reaches (no tables of its own). */
const specColumns: TypeTables<Kysely<Tables>> = {
  name: 'websocket_specs',
  migrations: () => ({}),
  store: (db) => db as Kysely<Tables>,
}

/** A spec stored as JSON text with its secret in clear (sealed ones are objects). */
const PLAIN = '%"jwt_secret":"%'

/** Seals every plaintext JWT secret of websocket elements and their versions; returns how many. */
export async function sealLegacyJwtSecrets(elements: ElementsPort): Promise<number> {
  const db = elements.storeOf(specColumns)
  let sealed = 0
  const seal = async (elementId: string, text: string): Promise<string | null> => {
    const spec = JSON.parse(text) as JsonObject
    const next = await sealJwtSecret(spec, elementId, elements)
    return next === spec ? null : JSON.stringify(next)
  }
  const rows = await db
    .selectFrom('elements')
    .select(['id', 'spec'])
    .where('element_type', '=', 'websocket')
    .where('spec', 'like', PLAIN)
    .execute()
  for (const row of rows) {
    const next = await seal(row.id, row.spec)
    if (next === null) continue
    const r = await db
      .updateTable('elements')
      .set({ spec: next })
      .where('id', '=', row.id)
      .where('spec', '=', row.spec)
      .executeTakeFirst()
    sealed += Number(r.numUpdatedRows)
  }
  const versions = await db
    .selectFrom('element_versions')
    .innerJoin('elements', 'elements.id', 'element_versions.element_id')
    .select(['element_versions.element_id', 'element_versions.version', 'element_versions.spec'])
    .where('elements.element_type', '=', 'websocket')
    .where('element_versions.spec', 'like', PLAIN)
    .execute()
  for (const v of versions) {
    const next = await seal(v.element_id, v.spec)
    if (next === null) continue
    const r = await db
      .updateTable('element_versions')
      .set({ spec: next })
      .where('element_id', '=', v.element_id)
      .where('version', '=', v.version)
      .where('spec', '=', v.spec)
      .executeTakeFirst()
    sealed += Number(r.numUpdatedRows)
  }
  return sealed
}

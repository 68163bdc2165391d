// The run annotations half of KyselyStorage (feedback and expected output), kept apart so
// kysely-storage.ts stays readable; each function takes the same Kysely handle.
import type { Kysely } from 'kysely'
import type { DB } from './db-schema.ts'
import type { Json, RunExpectedInfo, RunExpectedRow, RunFeedbackRow } from './storage.ts'
import { isUniqueViolation } from './unique-violation.ts'

export async function getRunFeedback(db: Kysely<DB>, runId: string): Promise<RunFeedbackRow | undefined> {
  const r = await db.selectFrom('run_feedback').selectAll().where('run_id', '=', runId).executeTakeFirst()
  return r && { ...r, rating: r.rating === null ? null : Number(r.rating), labels: JSON.parse(r.labels) }
}

export async function putRunFeedback(db: Kysely<DB>, row: RunFeedbackRow): Promise<void> {
  const { run_id: _id, circle_id: _circle, created_at: _created, ...changes } = row
  await db
    .insertInto('run_feedback')
    .values({ ...row, labels: JSON.stringify(row.labels) })
    .onConflict((oc) => oc.column('run_id').doUpdateSet({ ...changes, labels: JSON.stringify(row.labels) }))
    .execute()
}

export async function deleteRunFeedback(db: Kysely<DB>, runId: string): Promise<boolean> {
  const r = await db.deleteFrom('run_feedback').where('run_id', '=', runId).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}

export async function listRunExpected(db: Kysely<DB>, runId: string): Promise<RunExpectedInfo[]> {
  const rows = await db
    .selectFrom('run_expected')
    .select(['run_id', 'name', 'size_bytes', 'created_at', 'updated_at'])
    .where('run_id', '=', runId)
    .orderBy('name')
    .execute()
  return rows.map((r) => ({ ...r, size_bytes: Number(r.size_bytes) }))
}

export async function getRunExpected(
  db: Kysely<DB>,
  runId: string,
  name: string,
): Promise<RunExpectedRow | undefined> {
  const r = await db
    .selectFrom('run_expected')
    .selectAll()
    .where('run_id', '=', runId)
    .where('name', '=', name)
    .executeTakeFirst()
  return r && { ...r, size_bytes: Number(r.size_bytes), content: JSON.parse(r.content) as Json }
}

export async function putRunExpected(db: Kysely<DB>, row: RunExpectedRow): Promise<void> {
  const content = JSON.stringify(row.content)
  await db
    .insertInto('run_expected')
    .values({ ...row, content })
    .onConflict((oc) =>
      oc
        .columns(['run_id', 'name'])
        .doUpdateSet({ content, size_bytes: row.size_bytes, updated_at: row.updated_at }),
    )
    .execute()
}

export async function renameRunExpected(
  db: Kysely<DB>,
  runId: string,
  from: string,
  to: string,
  at: string,
): Promise<'renamed' | 'missing' | 'taken'> {
  if (from === to) return (await getRunExpected(db, runId, from)) ? 'renamed' : 'missing'
  const taken = await db
    .selectFrom('run_expected')
    .select('name')
    .where('run_id', '=', runId)
    .where('name', '=', to)
    .executeTakeFirst()
  if (taken) return 'taken'
  try {
    const r = await db
      .updateTable('run_expected')
      .set({ name: to, updated_at: at })
      .where('run_id', '=', runId)
      .where('name', '=', from)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1 ? 'renamed' : 'missing'
  } catch (err) {
    // A concurrent upload of `to` between the check and the update.
    if (isUniqueViolation(err)) return 'taken'
    throw err
  }
}

export async function deleteRunExpected(db: Kysely<DB>, runId: string, name: string): Promise<boolean> {
  const r = await db
    .deleteFrom('run_expected')
    .where('run_id', '=', runId)
    .where('name', '=', name)
    .executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}

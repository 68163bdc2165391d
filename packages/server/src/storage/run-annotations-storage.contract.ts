// The run annotations part of the storage contract: a run's feedback (one row, replaced and
// cleared) and its named expected-output documents (upsert, list, rename, delete).
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { element, run, tick } from './contract-fixtures.ts'
import type { ElementRow, RunExpectedRow, RunRow, Storage } from './storage.ts'

export function describeRunAnnotationsStorageContract(get: () => { db: Storage; acme: ElementRow }): void {
  describe('run annotations', () => {
    let db: Storage
    let r: RunRow
    beforeAll(async () => {
      const { db: d, acme } = get()
      db = d
      const el = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      r = run(el)
      await db.insertRun(r)
    })

    it('stores, replaces and clears a run’s feedback, keeping its first created_at', async () => {
      expect(await db.getRunFeedback(r.id)).toBeUndefined()
      const first = {
        run_id: r.id,
        circle_id: r.circle_id,
        rating: -1,
        comment: 'wrong total ✗',
        labels: ['billing', 'regression'],
        updated_by: 'key-1',
        created_at: tick(),
        updated_at: tick(),
        resolved_at: null,
        resolved_by: null,
        resolution_note: null,
      }
      await db.putRunFeedback(first)
      expect(await db.getRunFeedback(r.id)).toEqual(first)
      const second = {
        ...first,
        rating: null,
        comment: null,
        labels: [],
        created_at: tick(),
        updated_at: tick(),
      }
      await db.putRunFeedback(second)
      expect(await db.getRunFeedback(r.id)).toEqual({ ...second, created_at: first.created_at })
      const resolved = {
        ...second,
        resolved_at: tick(),
        resolved_by: 'key-2',
        resolution_note: 'fixed in v3',
      }
      await db.putRunFeedback(resolved)
      expect(await db.getRunFeedback(r.id)).toEqual({ ...resolved, created_at: first.created_at })
      await db.putRunFeedback({ ...resolved, resolved_at: null, resolved_by: null, resolution_note: null })
      expect((await db.getRunFeedback(r.id))?.resolved_at).toBeNull()
      expect(await db.deleteRunFeedback(r.id)).toBe(true)
      expect(await db.deleteRunFeedback(r.id)).toBe(false)
      expect(await db.getRunFeedback(r.id)).toBeUndefined()
    })

    it('upserts, lists by name, renames and deletes expected documents', async () => {
      const doc = (name: string, content: RunExpectedRow['content']): RunExpectedRow => {
        const at = tick()
        return {
          run_id: r.id,
          name,
          content,
          size_bytes: JSON.stringify(content).length,
          created_at: at,
          updated_at: at,
        }
      }
      const output = doc('output', { total: 3, items: [1, 'two', null, { deep: true }] })
      const notes = doc('notes.json', 'just a string ✓')
      await db.putRunExpected(output)
      await db.putRunExpected(notes)
      expect(await db.getRunExpected(r.id, 'output')).toEqual(output)
      expect(await db.getRunExpected(r.id, 'notes.json')).toEqual(notes)
      const { content: _c, ...info } = notes
      expect((await db.listRunExpected(r.id))[0]).toEqual(info)
      expect((await db.listRunExpected(r.id)).map((e) => e.name)).toEqual(['notes.json', 'output'])

      const replaced = { ...doc('output', null), created_at: tick() }
      await db.putRunExpected(replaced)
      expect(await db.getRunExpected(r.id, 'output')).toEqual({ ...replaced, created_at: output.created_at })

      expect(await db.renameRunExpected(r.id, 'notes.json', 'output', tick())).toBe('taken')
      expect(await db.renameRunExpected(r.id, 'missing', 'other', tick())).toBe('missing')
      const at = tick()
      expect(await db.renameRunExpected(r.id, 'notes.json', 'notes-v2', at)).toBe('renamed')
      expect(await db.getRunExpected(r.id, 'notes.json')).toBeUndefined()
      expect(await db.getRunExpected(r.id, 'notes-v2')).toEqual({
        ...notes,
        name: 'notes-v2',
        updated_at: at,
      })

      expect(await db.deleteRunExpected(r.id, 'notes-v2')).toBe(true)
      expect(await db.deleteRunExpected(r.id, 'notes-v2')).toBe(false)
      expect((await db.listRunExpected(r.id)).map((e) => e.name)).toEqual(['output'])
      expect(await db.listRunExpected(randomUUID())).toEqual([])
    })
  })
}

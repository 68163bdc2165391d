// The versions of an agent: its element versions (every write stores one), newest first, each
// with the Source commit it was written as and the release tags (`v1`, `v2` …, one per promotion
// to live) naming it.
import type { ElementService } from '../../elements/element-service.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { sourceIndex } from '../element-versions.ts'

export async function agentVersions(
  elements: ElementService,
  row: ElementRow,
  q: { limit: number; offset: number },
) {
  const [rows, total, index] = await Promise.all([
    elements.records.listVersions(row.id, q.offset + q.limit),
    elements.records.countVersions(row.id),
    sourceIndex(elements, row),
  ])
  const page = rows.slice(q.offset, q.offset + q.limit)
  const versions = page.map((v) => {
    const tags = index.tags.get(v.version) ?? []
    const commit = index.commits.get(v.version) ?? null
    const model = v.spec['model']
    return {
      version: v.version,
      tags,
      ref: tags[0] ?? commit,
      commit,
      model: model && typeof model === 'object' && !Array.isArray(model) ? String(model['model'] ?? '') : '',
      message: v.message,
      created_by: v.created_by,
      created_at: v.created_at,
      current: v.version === row.version,
    }
  })
  return { versions, total, limit: q.limit, offset: q.offset, has_more: q.offset + page.length < total }
}

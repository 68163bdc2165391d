// The versions of a workflow: its element versions (every write stores one, with the spec it
// wrote), newest first, each with the Source commit it was written as and the release tags
// (`v1`, `v2` …, one per promotion to live) that name it — so any listed version can be run
// with POST /api/v1/runs {version: <ref>}.
import type { ElementService } from '../../elements/element-service.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { sourceIndex } from '../element-versions.ts'
import { headerOf } from './workflows-present.ts'

export async function versionsOf(
  elements: ElementService,
  row: ElementRow,
  q: { limit: number; offset: number; include?: 'definition' },
) {
  const [rows, total, index] = await Promise.all([
    elements.records.listVersions(row.id, q.offset + q.limit),
    elements.records.countVersions(row.id),
    sourceIndex(elements, row),
  ])
  const page = rows.slice(q.offset, q.offset + q.limit)
  const versions = page.map((v) => {
    const definition = typeof v.spec['definition'] === 'string' ? v.spec['definition'] : ''
    const { document } = headerOf(definition)
    const tags = index.tags.get(v.version) ?? []
    const commit = index.commits.get(v.version) ?? null
    return {
      version: v.version,
      tags,
      ref: tags[0] ?? commit ?? (v.version === row.version ? 'draft' : null),
      commit,
      name: typeof document?.['name'] === 'string' ? document['name'] : row.slug,
      document_version: typeof document?.['version'] === 'string' ? document['version'] : null,
      message: v.message,
      created_by: v.created_by,
      created_at: v.created_at,
      current: v.version === row.version,
      ...(q.include === 'definition' ? { definition } : {}),
    }
  })
  return {
    versions,
    total,
    limit: q.limit,
    offset: q.offset,
    has_more: q.offset + page.length < total,
  }
}

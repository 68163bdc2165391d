// The versions of a workflow: its element versions (every write stores one, with the spec it
// wrote), newest first, each with the Source commit it was written as and the release tags
// (`v1`, `v2` …, one per promotion to live) that name it — so any listed version can be run
// with POST /api/v1/runs {version: <ref>}.
import type { ElementService } from '../../elements/element-service.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { headerOf } from './workflows-present.ts'

const VERSION_TRAILER = /^Periodic-Version: (\d+)$/m
/** Commits of the draft branch read to find each version's commit. */
const LOG_DEPTH = 1000

/** version → commit (from the draft branch's Periodic-Version trailers) and version → tags. */
async function sourceIndex(elements: ElementService, row: ElementRow) {
  const commits = new Map<number, string>()
  const tags = new Map<number, string[]>()
  const { store } = elements.source
  try {
    for (const c of await store.log(row.id, 'draft', LOG_DEPTH)) {
      const v = Number(VERSION_TRAILER.exec(c.message)?.[1] ?? Number.NaN)
      if (Number.isSafeInteger(v) && !commits.has(v)) commits.set(v, c.commit)
    }
    const byCommit = new Map([...commits].map(([v, c]) => [c, v]))
    for (const [name, commit] of Object.entries(await store.tags(row.id))) {
      const v = byCommit.get(commit) ?? (await store.versionOf(row.id, commit))
      if (v === undefined) continue
      tags.set(v, [...(tags.get(v) ?? []), name])
    }
  } catch {
    // An element from before Source has no repository yet: versions without commits or tags.
  }
  const rank = (t: string) => (/^v\d+$/.test(t) ? Number(t.slice(1)) : -1)
  for (const list of tags.values()) list.sort((a, b) => rank(b) - rank(a) || (a < b ? -1 : 1))
  return { commits, tags }
}

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

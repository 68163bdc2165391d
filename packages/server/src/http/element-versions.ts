// The Source side of an element's versions, shared by the /api/v1/<type>s APIs: which draft
// commit wrote each element version (its `Periodic-Version` trailer) and which release tags
// (`v1`, `v2` …, one per promotion to live) name it.
import type { ElementService } from '../elements/element-service.ts'
import type { ElementRow } from '../storage/storage.ts'

const VERSION_TRAILER = /^Periodic-Version: (\d+)$/m
/** Commits of the draft branch read to find each version's commit. */
const LOG_DEPTH = 1000

/** version → commit (from the draft branch's Periodic-Version trailers) and version → tags. */
export async function sourceIndex(elements: ElementService, row: ElementRow) {
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

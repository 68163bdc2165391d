// Every write that changes an element's definition (create, update, restore, README) is a commit
// on its Source `draft` branch, made inside the write's transaction: the row lock orders the
// commits of one element as it orders its versions, and a write whose commit fails is rolled
// back. (A crash after the commit and before the row commits leaves draft one commit ahead;
// `source/repair` finds and fixes that.) The author is the API key that wrote.
import type { Actor } from '../../auth/actor.ts'
import { type Author, type Branch, type GitStore, RefMovedError } from '../../source/git-store.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import { elementFiles, FIXTURES_DIR, type SourceMapping, specFromFiles } from './element-files.ts'

export function authorOf(actor: Actor | null): Author {
  const id = actor?.keyId ?? 'system'
  return { name: id === 'platform-admin' ? 'platform admin' : `key ${id}`, email: `${id}@periodic.local` }
}

export class ElementSource {
  constructor(
    readonly store: GitStore,
    /** The type of an element type name (the registry's `get`). */
    private readonly typeOf: (type: string) => SourceMapping | undefined,
  ) {}

  /** Commits `row`'s whole tree on draft; returns the commit. */
  async commit(row: ElementRow, actor: Actor | null, message: string): Promise<string> {
    const type = this.typeOf(row.element_type)
    if (!type) throw new Error(`element type ${row.element_type} is not registered`)
    const files = elementFiles(type, row)
    const text = `${message}\n\nPeriodic-Version: ${row.version}`
    for (let attempt = 0; ; attempt++) {
      const parent = await this.store.head(row.id, 'draft')
      // Fixtures are Source-only files (pushed, never in the row): each commit keeps them.
      const fixtures = parent ? await this.store.subtree(row.id, parent, FIXTURES_DIR) : null
      try {
        const commit = await this.store.commit(row.id, 'draft', files, {
          parent,
          author: authorOf(actor),
          message: text,
          circleId: row.circle_id,
          ...(fixtures ? { carry: { [FIXTURES_DIR]: fixtures } } : {}),
        })
        this.store.rememberSubtree(commit, FIXTURES_DIR, fixtures)
        return commit
      } catch (err) {
        // Another writer's commit landed between the read and the lock: build on it.
        if (!(err instanceof RefMovedError) || attempt >= 4) throw err
      }
    }
  }

  /** The draft head, committing the current state first for an element from before Source. */
  async ensure(row: ElementRow): Promise<string> {
    return (await this.store.head(row.id, 'draft')) ?? this.commit(row, null, 'Imported into Source')
  }

  /** The spec the tree at `commit` describes (not yet validated). */
  async specAt(row: ElementRow, commit: string): Promise<JsonObject> {
    const type = this.typeOf(row.element_type)
    if (!type) throw new Error(`element type ${row.element_type} is not registered`)
    return specFromFiles(type, await this.store.files(row.id, commit))
  }

  /** Paths whose content differs between the element (as files) and its draft tree. */
  async drift(row: ElementRow): Promise<{ draft: string; paths: string[] }> {
    const type = this.typeOf(row.element_type)
    if (!type) throw new Error(`element type ${row.element_type} is not registered`)
    const draft = await this.ensure(row)
    const expected = elementFiles(type, row)
    const actual = await this.store.files(row.id, draft)
    const paths = Object.keys(expected)
      .filter((p) => Buffer.compare(Buffer.from(expected[p]!), Buffer.from(actual[p] ?? [])) !== 0)
      .sort()
    return { draft, paths }
  }

  /** The branch that runs when a caller names none: live once promoted, draft before. */
  async defaultBranch(elementId: string): Promise<Branch> {
    return (await this.store.branches(elementId)).live ? 'live' : 'draft'
  }
}

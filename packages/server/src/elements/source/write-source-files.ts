// Writing files of an element's Source through the API (the deprecated files endpoints of
// /api/v1/agents): the draft tree with the given files in place of theirs, checked as a push is
// (validateTree) and applied as a push is (applySourceFiles: the definition read back from the
// tree, validated, in one version) — except that the write makes its commit itself, inside the
// version's transaction, so a refused write leaves the element and draft as they were. Only the
// files Source keeps for the element may be written: any other would vanish at the next commit.
import type { Actor } from '../../auth/actor.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { applySourceFiles } from './apply-push.ts'
import { elementFiles } from './element-files.ts'
import { SOURCE } from './source-errors.ts'
import { checkedPath } from './source-operations.ts'
import { validateTree } from './source-validate.ts'

export interface WrittenFiles {
  row: ElementRow
  /** The draft commit holding the write. */
  commit: string
  paths: string[]
}

/** The paths a Source tree keeps for `row` (what its commits write). */
export function keptPaths(elements: ElementsPort, row: ElementRow): string[] {
  return Object.keys(elementFiles(elements.typeOf(row), row)).sort()
}

export async function writeSourceFiles(
  elements: ElementsPort,
  row: ElementRow,
  actor: Actor,
  edits: Record<string, string>,
  o: { message: string; expected_version?: number },
): Promise<WrittenFiles> {
  const paths = Object.keys(edits).map(checkedPath).sort()
  const kept = keptPaths(elements, row)
  const foreign = paths.filter((p) => !kept.includes(p))
  if (foreign.length)
    throw new PlatformError(
      SOURCE.SOURCE_FILE_NOT_KEPT,
      `${foreign.slice(0, 5).join(', ')}: not a file of the element’s definition (${kept.join(', ')})`,
      { paths: foreign.slice(0, 20), kept },
    )
  const encoded = Object.fromEntries(paths.map((p) => [p, new TextEncoder().encode(edits[p] ?? '')]))
  const problems = validateTree(
    paths.map((path) => ({ path, mode: '100644', size: encoded[path]!.length, content: encoded[path] })),
  )
  if (problems.length)
    throw new PlatformError(
      SOURCE.SOURCE_TREE_REFUSED,
      problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; '),
      { problems: problems.slice(0, 20).map((p) => ({ ...p })) },
    )
  const { store } = elements.source
  const head = await elements.source.ensure(row)
  const files = { ...(await store.files(row.id, head)), ...encoded }
  const next = await applySourceFiles(elements, row, actor, files, {
    message: o.message,
    fromSource: false,
    expected_version: o.expected_version ?? row.version,
  })
  return { row: next, commit: (await store.head(row.id, 'draft')) ?? head, paths }
}

// A push to an element's Source, judged before Git moves any branch (its pre-receive hook asks):
// only `draft` accepts pushes, by fast-forward from the head it has now; the tree must pass
// validateTree; and its definition is applied to the element as an `update` would (schema,
// rules, wiring, sealing), in one version whose commit is the pushed one. Anything refused
// leaves the element and every branch as they were.
import { parse } from 'yaml'
import type { Actor } from '../../auth/actor.ts'
import { PlatformError, validationError } from '../../errors.ts'
import type { ElementRow, Json, JsonObject } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { ELEMENT_FILE, README_FILE, specFromFiles, textOf } from './element-files.ts'
import { type TreeEntry, validateTree } from './source-validate.ts'

export interface PushUpdate {
  ref: string
  old: string
  new: string
  /** Whether `old` is an ancestor of `new` (the hook asks git). */
  fast_forward?: boolean
  deleted?: boolean
  message?: string
  entries?: TreeEntry[]
}

export interface PushVerdict {
  ok: boolean
  message: string
}

const ZERO = /^0{40}$/
const refuse = (message: string): PushVerdict => ({ ok: false, message })

export async function judgePush(
  elements: ElementsPort,
  row: ElementRow,
  actor: Actor,
  updates: PushUpdate[],
): Promise<PushVerdict> {
  for (const u of updates) {
    if (u.ref === 'refs/heads/demo' || u.ref === 'refs/heads/live')
      return refuse(`${u.ref.slice(11)} moves only by promotion: POST …/ops/source/promote`)
    if (u.ref !== 'refs/heads/draft') return refuse(`only draft accepts pushes, not ${u.ref}`)
  }
  const u = updates[0]
  if (!u) return { ok: true, message: '' }
  if (u.deleted || ZERO.test(u.new)) return refuse('draft cannot be deleted')
  const head = (await elements.source.store.branches(row.id)).draft
  if ((head ?? '') !== (ZERO.test(u.old) ? '' : u.old) || u.fast_forward === false)
    return refuse(
      'draft has moved since you fetched: fetch, rebase or merge, and push again (no force pushes)',
    )
  const entries = u.entries ?? []
  const problems = validateTree(entries)
  if (problems.length)
    return refuse(
      [
        'the tree was refused:',
        ...problems.slice(0, 20).map((p) => `  ${p.path || '(tree)'}: ${p.message}`),
      ].join('\n'),
    )
  try {
    const next = await applyTree(elements, row, actor, entries, u.message ?? 'Pushed')
    await elements.source.store.recordVersion(row.id, u.new, next.version)
    return { ok: true, message: `applied as version ${next.version} of ${row.slug}` }
  } catch (err) {
    if (err instanceof PlatformError) return refuse(`${err.code}: ${err.message}`)
    throw err
  }
}

async function applyTree(
  elements: ElementsPort,
  row: ElementRow,
  actor: Actor,
  entries: TreeEntry[],
  message: string,
): Promise<ElementRow> {
  const files: Record<string, Uint8Array> = {}
  for (const e of entries) if (e.content) files[e.path] = e.content
  return applySourceFiles(elements, row, actor, files, { message, fromSource: true })
}

/**
 * Applies a tree's definition to the element as an `update` would, in one version. A push's
 * commit exists already (`fromSource`); otherwise the write commits the element's tree itself
 * (the files API), at `expected_version` when given.
 */
export async function applySourceFiles(
  elements: ElementsPort,
  row: ElementRow,
  actor: Actor,
  files: Record<string, Uint8Array>,
  o: { message: string; fromSource: boolean; expected_version?: number },
): Promise<ElementRow> {
  const { message } = o
  const type = elements.typeOf(row)
  let spec: JsonObject
  let identity: JsonObject
  try {
    spec = specFromFiles(type, files)
    const text = textOf(files, ELEMENT_FILE) ?? ''
    identity = (text.trim() ? parse(text) : {}) as JsonObject
  } catch (err) {
    throw validationError('source', (err as Error).message)
  }
  for (const key of ['element_type', 'slug'] as const)
    if (identity[key] !== undefined && identity[key] !== row[key])
      throw validationError(
        ELEMENT_FILE,
        `${ELEMENT_FILE}: ${key} is ${row[key]} and cannot change by a push`,
      )
  const shown = type.presentSpec ? type.presentSpec(row.spec) : row.spec
  return elements.update(
    row,
    {
      spec: unredact(spec, shown, row.spec) as JsonObject,
      deep: false,
      ...(typeof identity['name'] === 'string' ? { name: identity['name'] } : {}),
      ...(typeof identity['intention'] === 'string' ? { intention: identity['intention'] } : {}),
      readme: textOf(files, README_FILE) ?? row.readme,
      message: message.trim().split('\n')[0]!.slice(0, 500) || 'Pushed',
      fromSource: o.fromSource,
      ...(o.expected_version === undefined ? {} : { expected_version: o.expected_version }),
    },
    actor,
  )
}

/** The pushed spec with every value left as `get` shows it (a redacted secret) kept as stored. */
export function unredact(pushed: Json, shown: Json, actual: Json): Json {
  if (JSON.stringify(pushed) === JSON.stringify(shown)) return actual
  if (!isObject(pushed) || !isObject(shown) || !isObject(actual)) return pushed
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(pushed))
    out[k] = k in shown && k in actual ? unredact(v, shown[k]!, actual[k]!) : v
  return out
}

const isObject = (v: Json): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v)

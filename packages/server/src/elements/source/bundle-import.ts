// Importing Git bundles as elements. Every bundle is first staged — fetched, every object
// checked, into a fresh repository under a new element id — and only when all of them read as
// Periodic elements is anything applied (a corrupt bundle anywhere refuses the whole request).
// Each element is then created through the element service (validation, sealing, the row and
// its version), its "Created" commit building on the imported draft, so the history travels
// with it; with `overwrite`, an existing element of the same slug is updated instead and the
// imported branches are kept under `refs/imported/<id>/`. A failed element leaves nothing.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { Actor } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import { BundleInvalidError, bundleHeads, fetchBundle, initBare } from '../../source/git-bundle.ts'
import { BRANCHES } from '../../source/git-store.ts'
import { mapLimit } from '../../source/map-limit.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { ELEMENT_FILE, README_FILE, specFromFiles, textOf } from './element-files.ts'
import { remapEnvironments } from './project-environments.ts'
import { SOURCE } from './source-errors.ts'

/** The largest bundle, or sum of an envelope's bundles, decoded (bodies are smaller by default). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024
const MAX_README_BYTES = 1024 * 1024
/** Bundles fetched at once (each is a few `git` processes). */
const STAGE_CONCURRENCY = 4
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export interface BundleInput {
  /** Where the element sat below the exporting container, e.g. `project/hello` ('' = directly). */
  path: string
  base64: string
}

export interface ImportReport {
  imported: number
  skipped: number
  errors: Array<{ slug: string; path: string; code: string; message: string }>
  /** What was imported with a gap (a project's environments naming a member not imported). */
  warnings: Array<{ slug: string; path: string; message: string }>
  elements: Array<{ slug: string; path: string; id: string; action: 'created' | 'updated' | 'skipped' }>
}

interface Staged {
  id: string
  /** Slugs of the containers between the import target and the element. */
  parents: string[]
  path: string
  identity: { element_type: string; slug: string; name?: string; intention?: string }
  files: Record<string, Uint8Array>
}

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new PlatformError(SOURCE.SOURCE_BUNDLE_INVALID, message, details)

/** Decodes strict base64 (whitespace allowed), refusing anything else. */
export function decodeBundle(text: string, field: string): Buffer {
  const compact = text.replace(/\s+/g, '')
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw invalid(`${field} is not base64`, { field })
  return Buffer.from(compact, 'base64')
}

export async function importBundles(
  elements: ElementsPort,
  target: ElementRow,
  inputs: BundleInput[],
  overwrite: boolean,
  actor: Actor,
): Promise<ImportReport> {
  const decoded = inputs.map((b, i) => decodeBundle(b.base64, inputs.length > 1 ? `bundles[${i}]` : 'bundle'))
  const total = decoded.reduce((n, b) => n + b.length, 0)
  if (total > MAX_BUNDLE_BYTES)
    throw new PlatformError(
      SOURCE.SOURCE_BUNDLE_TOO_LARGE,
      `the bundles are ${total} bytes; the limit is ${MAX_BUNDLE_BYTES}`,
      { limit_bytes: MAX_BUNDLE_BYTES, bytes: total },
    )
  const scratch = await mkdtemp(join(tmpdir(), 'periodic-bundle-'))
  const pending = new Set<string>()
  try {
    const ids = decoded.map(() => randomUUID())
    for (const id of ids) pending.add(id)
    const staged = await mapLimit(decoded, STAGE_CONCURRENCY, async (bundle, i) => {
      const file = join(scratch, `${i}.bundle`)
      await writeFile(file, bundle)
      return stage(
        elements,
        ids[i]!,
        target.circle_id,
        file,
        inputs[i]!.path,
        inputs.length > 1 ? i : undefined,
      )
    })
    // Containers first, so a project exists before the elements inside it.
    staged.sort((a, b) => a.parents.length - b.parents.length)
    const report: ImportReport = { imported: 0, skipped: 0, errors: [], warnings: [], elements: [] }
    for (const s of staged) {
      pending.delete(s.id)
      await apply(elements, target, s, overwrite, actor, report)
    }
    await remapProjects(elements, report, actor)
    return report
  } finally {
    for (const id of pending) await elements.source.store.remove(id).catch(() => {})
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Fetches one bundle into a fresh repository at `id` and reads the element it describes. */
async function stage(
  elements: ElementsPort,
  id: string,
  circleId: string,
  file: string,
  path: string,
  index: number | undefined,
): Promise<Staged> {
  const { store } = elements.source
  const gitdir = store.gitdir(id)
  const where = index === undefined ? {} : { index, path }
  try {
    await initBare(gitdir)
    // Marked at once: a crash before the element's row commits leaves a repository repair finds.
    store.markCircle(id, circleId)
    const heads = await bundleHeads(gitdir, file)
    const branches = Object.keys(heads)
      .filter((r) => r.startsWith('refs/heads/'))
      .map((r) => r.slice('refs/heads/'.length))
    if (!branches.length) throw invalid('the bundle has no branch', where)
    const known = BRANCHES.filter((b) => branches.includes(b))
    const refspecs = known.map((b) => `refs/heads/${b}:refs/heads/${b}`)
    // A bundle of another repository (say `main` only): its newest branch becomes draft.
    if (!known.includes('draft'))
      refspecs.push(`refs/heads/${known[0] ?? branches.sort()[0]}:refs/heads/draft`)
    if (Object.keys(heads).some((r) => r.startsWith('refs/tags/'))) refspecs.push('refs/tags/*:refs/tags/*')
    await fetchBundle(gitdir, file, refspecs)
    const draft = await store.resolve(id, 'draft')
    if (!draft) throw invalid('the bundle’s draft is not a commit', where)
    const files = await store.files(id, draft)
    const text = textOf(files, ELEMENT_FILE)
    let identity: unknown
    try {
      identity = text ? parse(text) : undefined
    } catch {
      identity = undefined
    }
    const o = identity as Record<string, unknown> | undefined
    if (!o || typeof o !== 'object' || typeof o['element_type'] !== 'string' || typeof o['slug'] !== 'string')
      throw invalid(`the bundle has no ${ELEMENT_FILE} naming element_type and slug`, where)
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
    const parents = path.split('/').filter(Boolean).slice(0, -1)
    return {
      id,
      parents,
      path: path || o['slug'],
      identity: {
        element_type: o['element_type'],
        slug: o['slug'],
        name: str(o['name']),
        intention: str(o['intention']),
      },
      files,
    }
  } catch (err) {
    if (err instanceof BundleInvalidError) throw invalid(`not a valid Git bundle: ${err.message}`, where)
    throw err
  }
}

/** Creates (or, with `overwrite`, updates) the element one staged bundle describes. */
async function apply(
  elements: ElementsPort,
  target: ElementRow,
  s: Staged,
  overwrite: boolean,
  actor: Actor,
  report: ImportReport,
): Promise<void> {
  const { store } = elements.source
  const slug = s.identity.slug
  let created = false
  try {
    const parent = await parentOf(elements, target, s.parents)
    const type = elements.registry.get(s.identity.element_type)
    if (!type)
      throw new PlatformError(
        E.UNKNOWN_ELEMENT_TYPE,
        `unknown element_type "${s.identity.element_type.slice(0, 80)}" in ${ELEMENT_FILE}`,
      )
    let spec: JsonObject
    try {
      spec = specFromFiles(type, s.files)
    } catch (err) {
      throw invalid(err instanceof Error ? err.message : String(err))
    }
    const readme = textOf(s.files, README_FILE)
    if (readme === undefined || Buffer.byteLength(readme) > MAX_README_BYTES)
      throw invalid(`${README_FILE} must be UTF-8 text of at most ${MAX_README_BYTES} bytes`)
    const existing = await elements.records.findElementBySlug(target.circle_id, slug)
    if (existing && !overwrite) {
      await store.remove(s.id)
      report.skipped++
      report.elements.push({ slug, path: s.path, id: existing.id, action: 'skipped' })
      return
    }
    let row: ElementRow
    if (existing) {
      if (existing.element_type !== type.type || existing.parent_id !== parent.id)
        throw new PlatformError(
          SOURCE.SOURCE_BUNDLE_CONFLICT,
          `"${slug}" is a ${existing.element_type} ${existing.parent_id === parent.id ? 'here' : 'elsewhere in the circle'}; the bundle holds a ${type.type} for ${parent.slug}`,
          { slug, element_type: existing.element_type },
        )
      // The imported history stays reachable beside the element's own.
      await elements.source.ensure(existing)
      await fetchBundle(store.gitdir(existing.id), store.gitdir(s.id), [
        `refs/heads/*:refs/imported/${s.id}/heads/*`,
      ])
      await store.remove(s.id)
      row = await elements.update(
        existing,
        {
          spec,
          name: s.identity.name,
          intention: s.identity.intention,
          deep: false,
          message: 'Imported from a bundle',
        },
        actor,
      )
    } else {
      // The repository staged under s.id becomes the element's: "Created" builds on its draft,
      // and a failed create removes it.
      row = await elements.create(
        parent,
        {
          element_type: type.type,
          slug,
          name: s.identity.name,
          intention: s.identity.intention,
          spec,
        },
        actor,
        { id: s.id, readme, message: 'Imported from a bundle' },
      )
      created = true
    }
    if (row.readme !== readme)
      row = await elements.patch(row, { readme }, actor, 'element.readme_updated', {
        bytes: Buffer.byteLength(readme),
      })
    report.imported++
    report.elements.push({ slug, path: s.path, id: row.id, action: existing ? 'updated' : 'created' })
  } catch (err) {
    if (!created) await store.remove(s.id).catch(() => {})
    if (!(err instanceof PlatformError)) throw err
    report.errors.push({ slug, path: s.path, code: err.code, message: err.message })
  }
}

/** The container at `slugs` below `target`, each a child of the one before. */
async function parentOf(elements: ElementsPort, target: ElementRow, slugs: string[]): Promise<ElementRow> {
  let parent = target
  for (const slug of slugs) {
    const child = await elements.records.findElementBySlug(target.circle_id, slug)
    if (!child || child.parent_id !== parent.id)
      throw new PlatformError(
        E.ELEMENT_NOT_FOUND,
        `the container "${slug}" is not in ${parent.slug}: import it with this element`,
        { slug },
      )
    parent = child
  }
  return parent
}

/** Imported projects' environments, pointed at the imported members (project-environments.ts). */
async function remapProjects(elements: ElementsPort, report: ImportReport, actor: Actor): Promise<void> {
  for (const e of report.elements) {
    if (e.action === 'skipped') continue
    const row = await elements.records.getElement(e.id)
    if (!row || elements.typeOf(row).form !== 'manifest') continue
    try {
      const dropped = await remapEnvironments(elements, row, actor)
      for (const path of dropped)
        report.warnings.push({
          slug: e.slug,
          path: e.path,
          message: `the environments' member "${path}" was not imported; it was left out of them`,
        })
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err
      report.errors.push({
        slug: e.slug,
        path: e.path,
        code: err.code,
        message: `environments not imported: ${err.message}`,
      })
    }
  }
}

// Project environments: dev → demo → live. Promoting a project freezes its members' versions —
// each member's draft commit for dev → demo, the demo snapshot as is for demo → live — into a
// snapshot in the project's `spec.environments`, which is the record (versioned and committed
// like any spec). What serves it is an index derived from that record: a ref
// `refs/environments/<env>` in each member's repository, read by the run path as cheaply as a
// branch (see element-at-ref.ts). The refs are re-derived after every write of the project's
// spec (promote, update, restore, push) and by `source/repair`, so the two never disagree for
// long: a crash between them is one repair away.
import { type Static, Type } from '@sinclair/typebox'
import type { Actor } from '../../auth/actor.ts'
import { requireScope } from '../../auth/require-actor.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import { defineOperation, type ElementsPort } from '../element.ts'
import { SOURCE } from './source-errors.ts'

export const ENVIRONMENTS = ['dev', 'demo', 'live'] as const
/** The environments a promotion writes (dev is the members' drafts, never frozen). */
const FROZEN = ['demo', 'live'] as const
type Frozen = (typeof FROZEN)[number]

const Member = Type.Object(
  {
    element_id: Type.String({ pattern: '^[0-9a-f-]{36}$' }),
    path: Type.String({ minLength: 1, maxLength: 1024 }),
    element_type: Type.String({ maxLength: 64 }),
    version: Type.Integer({ minimum: 1 }),
    commit: Type.String({ pattern: '^[0-9a-f]{40}$' }),
  },
  { additionalProperties: false },
)

export const EnvironmentSnapshot = Type.Object(
  {
    snapshot: Type.Integer({ minimum: 1, description: 'Numbered by each dev → demo promotion.' }),
    from: Type.String({ maxLength: 16 }),
    promoted_at: Type.String({ maxLength: 40 }),
    promoted_by: Type.String({ maxLength: 128 }),
    members: Type.Array(Member, { maxItems: 10_000 }),
  },
  { additionalProperties: false },
)
type Snapshot = Static<typeof EnvironmentSnapshot>

/** `spec.environments` of a project: written by `promote`, served to its members' runs. */
export const Environments = Type.Object(
  { demo: Type.Optional(EnvironmentSnapshot), live: Type.Optional(EnvironmentSnapshot) },
  {
    default: {},
    additionalProperties: false,
    description: 'Frozen member versions per environment; written by `promote`.',
  },
)

const envRef = (env: Frozen) => `refs/environments/${env}`

function environmentsOf(project: ElementRow): Partial<Record<Frozen, Snapshot>> {
  return (project.spec['environments'] ?? {}) as Partial<Record<Frozen, Snapshot>>
}

/** The elements below `project` that run (containers hold, they do not run), with their paths. */
async function membersOf(
  elements: ElementsPort,
  project: ElementRow,
): Promise<Array<{ row: ElementRow; path: string }>> {
  const all = await elements.records.listCircleElements(project.circle_id)
  const byId = new Map(all.map((r) => [r.id, r]))
  const out: Array<{ row: ElementRow; path: string }> = []
  for (const row of all) {
    if (elements.typeOf(row).container) continue
    const path = [row.slug]
    let p = row.parent_id
    for (let depth = 0; p && p !== project.id && depth < 64; depth++) {
      const parent = byId.get(p)
      path.unshift(parent?.slug ?? '')
      p = parent?.parent_id ?? null
    }
    if (p === project.id) out.push({ row, path: path.join('/') })
  }
  return out.sort((a, b) => a.path.localeCompare(b.path))
}

export interface RefDifference {
  element_id: string
  path: string
  environment: Frozen
  expected: string | null
  actual: string | null
}

/**
 * Compares each member's environment refs with the project's snapshots and (unless `dryRun`)
 * moves them to match. A snapshot member no longer in the project, or whose commit its
 * repository lacks, is reported in `missing` and serves nothing.
 */
export async function syncEnvironmentRefs(
  elements: ElementsPort,
  project: ElementRow,
  dryRun = false,
): Promise<{ differences: RefDifference[]; missing: Array<{ element_id: string; path: string }> }> {
  const { store } = elements.source
  const envs = environmentsOf(project)
  const members = await membersOf(elements, project)
  const present = new Set(members.map((m) => m.row.id))
  const differences: RefDifference[] = []
  const missing: Array<{ element_id: string; path: string }> = []
  for (const env of FROZEN) {
    const frozen = new Map<string, string>()
    for (const m of envs[env]?.members ?? []) {
      const known = present.has(m.element_id) && (await store.resolve(m.element_id, m.commit)) === m.commit
      if (known) frozen.set(m.element_id, m.commit)
      else if (!missing.some((x) => x.element_id === m.element_id))
        missing.push({ element_id: m.element_id, path: m.path })
    }
    for (const { row, path } of members) {
      if (!(await store.exists(row.id))) continue
      const expected = frozen.get(row.id) ?? null
      const actual = await store.ref(row.id, envRef(env))
      if (expected === actual) continue
      differences.push({ element_id: row.id, path, environment: env, expected, actual })
      if (!dryRun) await store.setRef(row.id, envRef(env), expected)
    }
  }
  return { differences, missing }
}

/**
 * After a bundle import: the project's snapshots name the exporting installation's element ids.
 * Each member is found again by its path below the project (its history, commits included,
 * travelled with it); members not found are dropped. Returns the paths dropped.
 */
export async function remapEnvironments(
  elements: ElementsPort,
  project: ElementRow,
  actor: Actor,
): Promise<string[]> {
  const envs = environmentsOf(project)
  if (!envs.demo && !envs.live) return []
  const byPath = new Map((await membersOf(elements, project)).map((m) => [m.path, m.row.id]))
  const dropped = new Set<string>()
  const remapped: Partial<Record<Frozen, Snapshot>> = {}
  for (const env of FROZEN) {
    const snap = envs[env]
    if (!snap) continue
    const members = []
    for (const m of snap.members) {
      const id = byPath.get(m.path)
      if (id && (await elements.source.store.resolve(id, m.commit)) === m.commit)
        members.push({ ...m, element_id: id })
      else dropped.add(m.path)
    }
    remapped[env] = { ...snap, members }
  }
  await elements.update(
    project,
    {
      spec: { environments: remapped } as unknown as JsonObject,
      message: 'Environments remapped after import',
    },
    actor,
  )
  return [...dropped]
}

async function frozenMembers(elements: ElementsPort, project: ElementRow): Promise<Snapshot['members']> {
  const out: Snapshot['members'] = []
  for (const { row, path } of await membersOf(elements, project)) {
    // Draft always holds the row (every write commits on it), so its head is version `row.version`.
    const commit = await elements.source.ensure(row)
    out.push({ element_id: row.id, path, element_type: row.element_type, version: row.version, commit })
  }
  return out
}

export const promoteOperation = defineOperation({
  name: 'promote',
  method: 'POST',
  auth: 'write',
  summary: 'Promote a project dev → demo → live, freezing its members’ versions',
  description:
    'Only projects (manifest-form elements) have environments. dev → demo freezes each member’s current draft commit into a snapshot; demo → live (admin scope) makes the demo snapshot live. Snapshots are kept in `spec.environments`; a member of a project with a live environment runs its frozen version unless a run names a `ref` (`environments/demo` runs the demo one).',
  input: Type.Object(
    {
      to: Type.Union([Type.Literal('demo'), Type.Literal('live')]),
      from: Type.Optional(Type.Union(ENVIRONMENTS.map((e) => Type.Literal(e)))),
      message: Type.Optional(Type.String({ maxLength: 500 })),
    },
    { additionalProperties: false },
  ),
  async handler(ctx) {
    if (ctx.type.form !== 'manifest')
      throw new PlatformError(
        SOURCE.SOURCE_NOT_A_PROJECT,
        `${ctx.type.type} elements have no environments; promote a project, or use source/promote for this element’s branches`,
        { element_type: ctx.type.type },
      )
    const to = ctx.input.to as Frozen
    const from = ctx.input.from ?? (to === 'demo' ? 'dev' : 'demo')
    if (ENVIRONMENTS.indexOf(from) + 1 !== ENVIRONMENTS.indexOf(to))
      throw new PlatformError(
        SOURCE.SOURCE_PROMOTION_INVALID,
        'promote a project dev → demo or demo → live',
        {
          from,
          to,
        },
      )
    if (to === 'live') requireScope(ctx.actor, 'admin', 'promote (to live)')
    const envs = environmentsOf(ctx.element)
    const demo = envs.demo
    if (from === 'demo' && !demo)
      throw new PlatformError(
        SOURCE.SOURCE_ENVIRONMENT_EMPTY,
        'demo has no snapshot yet: promote dev → demo first',
        {
          environment: 'demo',
        },
      )
    const members = from === 'dev' ? await frozenMembers(ctx.elements, ctx.element) : demo!.members
    if (!members.length)
      throw new PlatformError(SOURCE.SOURCE_ENVIRONMENT_EMPTY, 'the project has no members to promote', {
        environment: from,
      })
    const snapshot: Snapshot = {
      snapshot:
        from === 'dev' ? Math.max(0, envs.demo?.snapshot ?? 0, envs.live?.snapshot ?? 0) + 1 : demo!.snapshot,
      from,
      promoted_at: new Date().toISOString(),
      promoted_by: ctx.actor.keyId,
      members,
    }
    const next = await ctx.elements.update(
      ctx.element,
      {
        spec: { environments: { [to]: snapshot } } as unknown as JsonObject,
        message: ctx.input.message ?? `Promoted ${from} → ${to} (snapshot ${snapshot.snapshot})`,
      },
      ctx.actor,
    )
    const { missing } = await syncEnvironmentRefs(ctx.elements, next)
    await ctx.elements.note(next, ctx.actor, 'project.promoted', {
      from,
      to,
      snapshot: snapshot.snapshot,
      members: members.length,
    })
    return { from, to, version: next.version, environment: snapshot, missing }
  },
})

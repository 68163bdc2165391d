// The Source operations every element has: read a file at a branch, tag or commit; the branches
// and what each is ahead of the next; status (clone URL, health); promotion (draft → demo →
// live, fast-forward only; a release tag `vN` on each promotion to live); release versions.
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { countBetween, promotion } from '../../source/git-history.ts'
import { BRANCHES, type Branch, RefMovedError } from '../../source/git-store.ts'
import { defineOperation, type OperationContext } from '../element.ts'
import { SOURCE } from './source-errors.ts'

const Ref = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9._/-]+$' })
const decoder = new TextDecoder('utf-8', { fatal: true })

/** A tree path: relative, no `..` segment, no NUL (else SOURCE_PATH_INVALID). */
export function checkedPath(path: string): string {
  const parts = path.split('/')
  if (path === '' || path.startsWith('/') || path.includes('\0') || parts.some((p) => p === '..' || p === ''))
    throw new PlatformError(
      SOURCE.SOURCE_PATH_INVALID,
      `"${path.slice(0, 200)}" is not a path inside the tree`,
      {
        path: path.slice(0, 200),
      },
    )
  return path
}

/** The commit `ref` names (a branch, tag or commit id) for the context's element, or 404. */
export async function commitOf(ctx: OperationContext<unknown>, ref: string): Promise<string> {
  await ctx.elements.source.ensure(ctx.element)
  const commit = await ctx.elements.source.store.resolve(ctx.element.id, ref)
  if (!commit)
    throw new PlatformError(SOURCE.SOURCE_REF_NOT_FOUND, `no branch, tag or commit "${ref}"`, { ref })
  return commit
}

async function branchesOf(ctx: OperationContext<unknown>) {
  await ctx.elements.source.ensure(ctx.element)
  const { store } = ctx.elements.source
  const heads = await store.branches(ctx.element.id)
  const out = []
  for (const [i, name] of BRANCHES.entries()) {
    const commit = heads[name]
    const next = BRANCHES[i + 1]
    const ahead =
      next && commit ? await countBetween(store.gitdir(ctx.element.id), commit, heads[next] ?? null) : null
    out.push({ name, commit, ...(next ? { promotes_to: next, ahead_of_next: ahead } : {}) })
  }
  return out
}

function cloneUrl(ctx: OperationContext<unknown>): string {
  const proto = String(ctx.headers['x-forwarded-proto'] ?? 'http')
    .split(',')[0]!
    .trim()
  return `${proto}://${String(ctx.headers.host ?? 'localhost')}/git/${ctx.elementPath}.git`
}

export const sourceOperations = [
  defineOperation({
    name: 'source',
    method: 'GET',
    auth: 'read',
    summary: 'Read a file of the element’s Source tree (empty content when it does not exist)',
    description:
      '`path` is relative to the tree (`main.py`, `.periodic/spec.yaml`, `README.md`); `ref` a branch, tag or commit (default: draft). Text comes back as `utf8`, anything else as `base64`.',
    input: Type.Object(
      { path: Type.String({ minLength: 1, maxLength: 1024 }), ref: Type.Optional(Ref) },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const path = checkedPath(ctx.input.path)
      const ref = ctx.input.ref ?? 'draft'
      const commit = await commitOf(ctx, ref)
      const bytes = await ctx.elements.source.store.read(ctx.element.id, commit, path)
      let content = ''
      let encoding = 'utf8'
      if (bytes) {
        try {
          content = decoder.decode(bytes)
        } catch {
          content = Buffer.from(bytes).toString('base64')
          encoding = 'base64'
        }
      }
      return { path, ref, commit, exists: bytes !== undefined, size: bytes?.length ?? 0, encoding, content }
    },
  }),
  defineOperation({
    name: 'source_branches',
    path: 'source/branches',
    method: 'GET',
    auth: 'read',
    summary: 'The draft, demo and live branches, their commits, and what each is ahead of the next',
    input: Type.Object({}, { additionalProperties: false }),
    allowWhenDisabled: true,
    async handler(ctx) {
      return { branches: await branchesOf(ctx), promotion: ['draft', 'demo', 'live'] }
    },
  }),
  defineOperation({
    name: 'source_status',
    path: 'source/status',
    method: 'GET',
    auth: 'read',
    summary: 'Clone URL, checkout commands, the draft commit, Source health and warnings',
    input: Type.Object({}, { additionalProperties: false }),
    allowWhenDisabled: true,
    async handler(ctx) {
      const branches = await branchesOf(ctx)
      const { draft, paths: differs } = await ctx.elements.source.drift(ctx.element)
      const warnings = differs.length
        ? [`draft differs from the element in ${differs.join(', ')}: run source/repair`]
        : []
      const url = cloneUrl(ctx)
      const dir = ctx.element.slug
      return {
        clone_url: url,
        checkout: [`git clone ${url}`, `cd ${dir}`, 'git checkout draft'],
        draft_commit: draft,
        branches,
        health: differs.length ? 'diverged' : 'ok',
        warnings,
        runs_from: branches[2]!.commit ? 'live' : 'draft',
        auth: 'HTTP basic auth: any user name, an API key of the circle as the password (read scope to fetch, write to push to draft).',
      }
    },
  }),
  defineOperation({
    name: 'source_promote',
    path: 'source/promote',
    method: 'POST',
    auth: 'write',
    summary: 'Promote draft → demo or demo → live (fast-forward only; a release tag on live)',
    input: Type.Object(
      {
        from: Type.Optional(Type.Union(BRANCHES.map((b) => Type.Literal(b)))),
        to: Type.Union(BRANCHES.map((b) => Type.Literal(b))),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const to = ctx.input.to as Branch
      const from = (ctx.input.from ?? BRANCHES[BRANCHES.indexOf(to) - 1]) as Branch | undefined
      if (!from || BRANCHES.indexOf(to) !== BRANCHES.indexOf(from) + 1)
        throw new PlatformError(SOURCE.SOURCE_PROMOTION_INVALID, 'promote draft → demo or demo → live', {
          from: from ?? null,
          to,
        })
      await ctx.elements.source.ensure(ctx.element)
      const { store } = ctx.elements.source
      const heads = await store.branches(ctx.element.id)
      const source = heads[from]
      const target = heads[to]
      if (!source)
        throw new PlatformError(SOURCE.SOURCE_REF_NOT_FOUND, `${from} has no commit to promote yet`, {
          ref: from,
        })
      const { behind, promoted } = await promotion(store.gitdir(ctx.element.id), target, source)
      if (behind > 0)
        throw new PlatformError(SOURCE.SOURCE_NOT_FAST_FORWARD, `${to} has commits ${from} lacks`, {
          from,
          to,
          from_commit: source,
          to_commit: target,
        })
      try {
        if (target !== source)
          await store.moveRef(store.gitdir(ctx.element.id), `refs/heads/${to}`, target, source)
      } catch (err) {
        if (err instanceof RefMovedError)
          throw new PlatformError(SOURCE.SOURCE_BUSY, `${to} moved while it was promoted; retry`, { to })
        throw err
      }
      let tag: string | null = null
      if (to === 'live' && promoted) tag = await releaseTag(ctx, source)
      await ctx.elements.note(ctx.element, ctx.actor, 'source.promoted', {
        from,
        to,
        commit: source,
        previous: target,
        commits: promoted,
        tag,
      })
      return { from, to, commit: source, previous: target, commits: promoted, tag }
    },
  }),
  defineOperation({
    name: 'source_versions',
    path: 'source/versions',
    method: 'GET',
    auth: 'read',
    summary: 'Releases: the tags `v1`, `v2` … made by each promotion to live',
    input: Type.Object({}, { additionalProperties: false }),
    allowWhenDisabled: true,
    async handler(ctx) {
      const tags = await ctx.elements.source.store.tags(ctx.element.id)
      const versions = Object.entries(tags)
        .filter(([name]) => /^v\d+$/.test(name))
        .map(([name, commit]) => ({ version: name, commit }))
        .sort((a, b) => Number(b.version.slice(1)) - Number(a.version.slice(1)))
      return { versions }
    },
  }),
]

/** Tags `commit` as the next release `vN`; a concurrent promotion taking N gets N+1. */
async function releaseTag(ctx: OperationContext<unknown>, commit: string): Promise<string> {
  const { store } = ctx.elements.source
  for (let attempt = 0; attempt < 8; attempt++) {
    const tags = Object.keys(await store.tags(ctx.element.id)).filter((t) => /^v\d+$/.test(t))
    const name = `v${Math.max(0, ...tags.map((t) => Number(t.slice(1)))) + 1}`
    try {
      await store.tag(ctx.element.id, name, commit)
      return name
    } catch (err) {
      if (!(err instanceof RefMovedError)) throw err
    }
  }
  throw new PlatformError(SOURCE.SOURCE_BUSY, 'the release tag kept being taken; retry', {})
}

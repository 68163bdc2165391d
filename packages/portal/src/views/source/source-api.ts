// The calls the Source panel makes (docs/source.md): status (clone URL, branches and how far
// each is ahead of the next, which one runs), the element's versions (every definition write is
// a commit on draft), its `source.promoted` activity (who moved demo/live and when), promotion,
// files at a commit (for the diff shown before a promotion) and restore.
import { api } from '../../lib/api.ts'
import { opUrl } from '../panels/common/ops.ts'

export type BranchName = 'draft' | 'demo' | 'live'

export interface BranchInfo {
  name: BranchName
  commit: string | null
  promotes_to?: BranchName
  ahead_of_next?: number | null
}

export interface SourceStatus {
  clone_url: string
  checkout: string[]
  draft_commit: string
  branches: BranchInfo[]
  health: 'ok' | 'diverged'
  warnings: string[]
  runs_from: BranchName
  auth: string
}

export interface VersionRow {
  version: number
  message?: string | null
  created_by?: string | null
  created_at: string
}

export interface PromotionEvent {
  actor: string | null
  created_at: string
  from: string
  to: string
  commit: string
  commits: number
  tag: string | null
}

interface ActivityRow {
  action: string
  actor?: unknown
  details?: Record<string, unknown>
  created_at: string
}

export const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : '—')

export function fetchStatus(circle: string, path: string): Promise<SourceStatus> {
  return api('GET', opUrl(circle, path, 'source/status'))
}

export function fetchVersions(
  circle: string,
  path: string,
  limit: number,
): Promise<{ history: VersionRow[]; total: number }> {
  return api('GET', opUrl(circle, path, 'version', { history: 'true', limit: String(limit) }))
}

function actorName(actor: unknown): string | null {
  if (typeof actor === 'string') return actor
  if (actor && typeof actor === 'object') {
    const a = actor as Record<string, unknown>
    return String(a['key_id'] ?? a['keyId'] ?? a['name'] ?? a['id'] ?? '') || null
  }
  return null
}

/** The element's recent promotions, newest first (from its activity). */
export async function fetchPromotions(circle: string, path: string): Promise<PromotionEvent[]> {
  const page = await api<{ events: ActivityRow[] }>('GET', opUrl(circle, path, 'activity', { limit: '200' }))
  return page.events
    .filter((e) => e.action === 'source.promoted' && e.details)
    .map((e) => ({
      actor: actorName(e.actor),
      created_at: e.created_at,
      from: String(e.details!['from']),
      to: String(e.details!['to']),
      commit: String(e.details!['commit']),
      commits: Number(e.details!['commits'] ?? 0),
      tag: (e.details!['tag'] as string | null) ?? null,
    }))
}

/** Release tags (`v1`, `v2` … one per promotion to live that brought commits), newest first. */
export async function fetchReleases(
  circle: string,
  path: string,
): Promise<Array<{ version: string; commit: string }>> {
  return (
    await api<{ versions: Array<{ version: string; commit: string }> }>(
      'GET',
      opUrl(circle, path, 'source/versions'),
    )
  ).versions
}

export interface PromotionResult {
  from: BranchName
  to: BranchName
  commit: string
  previous: string | null
  commits: number
  tag: string | null
}

export function promote(circle: string, path: string, to: BranchName): Promise<PromotionResult> {
  return api('POST', opUrl(circle, path, 'source/promote'), { to })
}

/** Commits the element's state on draft where the two disagree (`source/repair`, write scope). */
export function repair(circle: string, path: string): Promise<unknown> {
  return api('POST', opUrl(circle, path, 'source/repair'), { dry_run: false })
}

export function restoreVersion(circle: string, path: string, version: number): Promise<unknown> {
  return api('POST', opUrl(circle, path, 'restore'), { version })
}

/**
 * The paths every element's tree has, plus a Python element's code. (The API reads a file at a
 * ref but does not list a tree, so a layer's own files and fixtures are not in the diff.)
 */
export const DIFF_PATHS = [
  '.periodic/element.yaml',
  '.periodic/spec.yaml',
  'README.md',
  'main.py',
  'test_main.py',
]

/** A file's text at a commit ('' when absent or binary, or when there is no commit yet). */
export async function readAt(
  circle: string,
  path: string,
  file: string,
  commit: string | null,
): Promise<string> {
  if (!commit) return ''
  const r = await api<{ exists: boolean; encoding: string; content: string }>(
    'GET',
    opUrl(circle, path, 'source', { path: file, ref: commit }),
  )
  return r.exists && r.encoding === 'utf8' ? r.content : ''
}

/** What a stage's commit is, as far as the API tells: the version it holds and its promotion. */
export interface StageDetail {
  version: VersionRow | null
  promotion: PromotionEvent | null
}

/**
 * For each branch: the promotion that put its commit there (latest to that branch with that
 * commit), and the version that commit holds — for draft the newest version, for demo/live the
 * newest version written before the commit first reached demo (draft's head at that moment).
 */
export function stageDetails(
  branches: BranchInfo[],
  versions: VersionRow[],
  promotions: PromotionEvent[],
): Record<string, StageDetail> {
  const out: Record<string, StageDetail> = {}
  const versionAt = (iso: string) => versions.find((v) => Date.parse(v.created_at) <= Date.parse(iso)) ?? null
  for (const b of branches) {
    if (!b.commit) {
      out[b.name] = { version: null, promotion: null }
      continue
    }
    if (b.name === 'draft') {
      out[b.name] = { version: versions[0] ?? null, promotion: null }
      continue
    }
    const promotion = promotions.find((p) => p.to === b.name && p.commit === b.commit) ?? null
    const firstDemo = [...promotions].reverse().find((p) => p.to === 'demo' && p.commit === b.commit)
    const when = firstDemo?.created_at ?? promotion?.created_at
    out[b.name] = { version: when ? versionAt(when) : null, promotion }
  }
  return out
}

// What the code runner reads from and writes to a python element: its files as the spec holds
// them (spec.source.code is main.py, spec.source.tests the pytest file, spec.source.requirements
// requirements.txt), the spec patch a save sends, and the run JSON the runs API answers with.
import type { ElementJson } from '../../lib/types.ts'

export interface RunnerFile {
  name: string
  /** The spec.source field that holds it. */
  field: 'code' | 'tests' | 'requirements'
  language: 'python' | 'text'
  /** Shown when the file is empty. */
  hint: string
}

export const FILES: RunnerFile[] = [
  { name: 'main.py', field: 'code', language: 'python', hint: 'The handler: def handler(input): …' },
  {
    name: 'test_main.py',
    field: 'tests',
    language: 'python',
    hint: 'pytest tests for “Run tests”: from main import handler',
  },
  {
    name: 'requirements.txt',
    field: 'requirements',
    language: 'text',
    hint: 'pip requirements, one per line (e.g. requests>=2.31)',
  },
]

export type FileTexts = Record<RunnerFile['field'], string>

interface SourceSpec {
  type?: string
  code?: string
  tests?: string
  path?: string
  repository?: string
  ref?: string
  requirements?: string[] | string
}

export function sourceOf(element: ElementJson): SourceSpec {
  return (element.spec['source'] ?? {}) as SourceSpec
}

/** The editable texts of `element` (requirements as lines of text). */
export function textsOf(element: ElementJson): FileTexts {
  const s = sourceOf(element)
  const req = s.requirements
  return {
    code: s.code ?? '',
    tests: s.tests ?? '',
    requirements: Array.isArray(req) ? req.join('\n') : (req ?? ''),
  }
}

/** The spec patch (deep-merged by `update`) for the files that differ from `saved`. */
export function specPatch(draft: FileTexts, saved: FileTexts): Record<string, unknown> | null {
  const source: Record<string, string> = {}
  for (const f of FILES) if (draft[f.field] !== saved[f.field]) source[f.field] = draft[f.field]
  return Object.keys(source).length ? { source } : null
}

/** Requirements the element declares, from both places the spec allows. */
export function requirementsOf(element: ElementJson): string[] {
  const lines = (v: unknown): string[] => {
    if (Array.isArray(v)) return v.map(String)
    if (typeof v === 'string')
      return v
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean)
    if (v && typeof v === 'object')
      return Object.entries(v).map(([k, spec]) => (spec === '*' ? k : `${k}${spec}`))
    return []
  }
  return [...lines(sourceOf(element).requirements), ...lines(element.spec['requirements'])]
}

/** A run as GET /api/v1/runs/{id} shows it (the fields the runner reads). */
export interface RunJson {
  id: string
  operation: string
  status: string
  finished: boolean
  output: unknown
  error: (Record<string, unknown> & { code?: string; message?: string; traceback?: string }) | null
  attempts: number
  cold_start: boolean
  duration_ms: number | null
  memory_used_mb: number | null
  created_at: string
  started_at: string | null
  completed_at: string | null
  element_version: number
  source_ref: string | null
}

export function statusClass(status: string): string {
  if (status === 'succeeded') return 'ok'
  if (status === 'failed') return 'danger'
  if (status === 'cancelled') return 'warn'
  return ''
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return d.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

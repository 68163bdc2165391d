// The PERIODIC_QUOTA_* flags and variables, and the defaults derived from this machine: the
// memory Python workers may reserve is 75 % of RAM (or of the cgroup limit when lower), leaving
// the rest to the server, Chromium and the OS; every per-circle default is half the server's,
// so no single circle can take the host and two busy ones still both get work done.
import { availableParallelism, totalmem } from 'node:os'
import type { Amounts, QuotaLimits } from './resource-budget.ts'

const HALF = "half the server's"

export const QUOTA_OPTIONS = {
  'quota-memory-mb': {
    type: 'string',
    env: 'PERIODIC_QUOTA_MEMORY_MB',
    default: '75% of RAM',
    help: 'Memory all Python workers reserve together, MB (each reserves its memory_mb); runs queue beyond',
    doc: "Memory all Python workers reserve together, MB, from 75 % of RAM or of the cgroup limit (each worker reserves its element's `memory_mb` while it lives); worker starts beyond it wait and their runs stay `queued` (see [quotas](limits.md#quotas))",
  },
  'quota-workers': {
    type: 'string',
    env: 'PERIODIC_QUOTA_WORKERS',
    default: '16 per core, at least 64',
    help: 'Python worker processes on this server; runs queue beyond',
  },
  'quota-runs-in-flight': {
    type: 'string',
    env: 'PERIODIC_QUOTA_RUNS_IN_FLIGHT',
    default: '4000',
    help: 'Runs queued or running on this server (429 QUOTA_EXCEEDED beyond)',
    doc: 'Runs this server executes or holds for a waiting caller; an async run beyond waits in the durable queue, a synchronous one gets `429 QUOTA_EXCEEDED`',
  },
  'quota-circle-memory-mb': {
    type: 'string',
    env: 'PERIODIC_QUOTA_CIRCLE_MEMORY_MB',
    default: HALF,
    help: 'Memory the Python workers of one circle reserve together, MB',
  },
  'quota-circle-workers': {
    type: 'string',
    env: 'PERIODIC_QUOTA_CIRCLE_WORKERS',
    default: HALF,
    help: 'Python worker processes of one circle',
  },
  'quota-circle-browser-sessions': {
    type: 'string',
    env: 'PERIODIC_QUOTA_CIRCLE_BROWSER_SESSIONS',
    default: "half the server's, at least 2",
    help: 'Live browser sessions of one circle (429 QUOTA_EXCEEDED beyond)',
  },
  'quota-circle-runs-in-flight': {
    type: 'string',
    env: 'PERIODIC_QUOTA_CIRCLE_RUNS_IN_FLIGHT',
    default: HALF,
    help: 'Runs queued or running in one circle (429 QUOTA_EXCEEDED beyond)',
  },
} as const

export type QuotaOption = keyof typeof QUOTA_OPTIONS

export interface Machine {
  memoryMb: number
  cores: number
}

/** RAM, or the cgroup's limit when that is lower (a container sees the host's RAM in totalmem). */
export function thisMachine(): Machine {
  const constrained = process.constrainedMemory?.() || Number.POSITIVE_INFINITY
  return {
    memoryMb: Math.floor(Math.min(totalmem(), constrained) / 1024 / 1024),
    cores: availableParallelism(),
  }
}

type IntParser = (name: string, raw: string, min: number, max: number) => number

/** Server and circle limits from the options; `browserSessions` is PERIODIC_BROWSER_MAX_SESSIONS. */
export function quotaLimits(
  get: (k: QuotaOption) => string,
  int: IntParser,
  browserSessions: number,
  machine: Machine = thisMachine(),
): QuotaLimits {
  const value = (k: QuotaOption, name: string, derived: number, max: number) =>
    get(k) === QUOTA_OPTIONS[k].default ? derived : int(name, get(k), 0, max)
  const server: Amounts = {
    memory_mb: value('quota-memory-mb', 'quota memory', Math.floor(machine.memoryMb * 0.75), 1 << 30),
    workers: value('quota-workers', 'quota workers', Math.max(64, 16 * machine.cores), 1_000_000),
    browser_sessions: browserSessions,
    runs_in_flight: value('quota-runs-in-flight', 'quota runs in flight', 4000, 100_000_000),
  }
  const half = (n: number) => Math.floor(n / 2)
  const circle: Amounts = {
    memory_mb: value('quota-circle-memory-mb', 'quota circle memory', half(server.memory_mb), 1 << 30),
    workers: value('quota-circle-workers', 'quota circle workers', half(server.workers), 1_000_000),
    browser_sessions: value(
      'quota-circle-browser-sessions',
      'quota circle browser sessions',
      Math.min(server.browser_sessions, Math.max(2, half(server.browser_sessions))),
      1000,
    ),
    runs_in_flight: value(
      'quota-circle-runs-in-flight',
      'quota circle runs in flight',
      half(server.runs_in_flight),
      100_000_000,
    ),
  }
  return { server, circle }
}

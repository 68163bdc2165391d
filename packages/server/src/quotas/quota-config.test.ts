// PERIODIC_QUOTA_*: defaults derived from the machine, each overridable by variable or flag.
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../config.ts'
import { QUOTA_OPTIONS, quotaLimits } from './quota-config.ts'

const int = (_: string, raw: string) => Number(raw)
const defaults = (k: keyof typeof QUOTA_OPTIONS) => QUOTA_OPTIONS[k].default

describe('quota configuration', () => {
  it('derives the defaults from RAM and cores: 75 % of memory, 16 workers a core (64 at least), half per circle', () => {
    expect(quotaLimits(defaults, int, 4, { memoryMb: 16_000, cores: 8 })).toEqual({
      server: { memory_mb: 12_000, workers: 128, browser_sessions: 4, runs_in_flight: 4000 },
      circle: { memory_mb: 6000, workers: 64, browser_sessions: 2, runs_in_flight: 2000 },
    })
    const small = quotaLimits(defaults, int, 1, { memoryMb: 1000, cores: 1 })
    expect(small.server.workers).toBe(64)
    expect(small.circle).toMatchObject({ memory_mb: 375, workers: 32, browser_sessions: 1 })
  })

  it('takes every quota from its variable, a flag winning, and derives circle defaults from a set server budget', () => {
    const c = parseConfig(['--quota-circle-workers', '3'], {
      PERIODIC_QUOTA_MEMORY_MB: '2048',
      PERIODIC_QUOTA_WORKERS: '10',
      PERIODIC_QUOTA_RUNS_IN_FLIGHT: '100',
      PERIODIC_QUOTA_CIRCLE_WORKERS: '7',
      PERIODIC_QUOTA_CIRCLE_BROWSER_SESSIONS: '1',
      PERIODIC_QUOTA_CIRCLE_RUNS_IN_FLIGHT: '30',
      PERIODIC_BROWSER_MAX_SESSIONS: '6',
    })
    expect(c.quotas).toEqual({
      server: { memory_mb: 2048, workers: 10, browser_sessions: 6, runs_in_flight: 100 },
      circle: { memory_mb: 1024, workers: 3, browser_sessions: 1, runs_in_flight: 30 },
    })
  })

  it('refuses a quota that is not a whole number', () => {
    for (const bad of ['-1', 'lots', '1.5', ''])
      expect(() => parseConfig([], { PERIODIC_QUOTA_CIRCLE_MEMORY_MB: bad }), bad).toThrow(ConfigError)
  })
})

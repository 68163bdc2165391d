// Helpers shared by the browser tests: is Chromium here, create a browser, find its process.
import { readdirSync, readFileSync } from 'node:fs'
import type { TestServer } from '../../../test/test-server.ts'
import { BrowserRuntime } from './browser-runtime.ts'
import { chromiumExists } from './browser-session.ts'

export const CHROMIUM = process.env['PERIODIC_CHROMIUM_PATH'] || '/usr/bin/chromium'

/**
 * The server settings of the browser suites: their test sites listen on 127.0.0.1, which the
 * outbound policy refuses unless the operator allow-lists it — as these tests do.
 */
export const BROWSER_TEST_ENV = { PERIODIC_CHROMIUM_PATH: CHROMIUM, PERIODIC_OUTBOUND_ALLOW: '127.0.0.1' }

/** Chromium tests skip only when no executable exists, and say so in the test name. */
export const HAVE_CHROMIUM = chromiumExists(CHROMIUM)
export const SKIP_REASON = HAVE_CHROMIUM ? '' : ` (SKIPPED: no Chromium executable at ${CHROMIUM})`

export async function createBrowser(s: TestServer, circle: string, slug: string, spec: object = {}) {
  const r = await s.api('POST', `/api/${circle}`, { element_type: 'browser', slug, spec })
  if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; slug: string; state: string }
}

export function browserRuntime(s: TestServer): BrowserRuntime {
  const runtime = s.platform.elements.registry.runtimeOf('browser')
  if (!(runtime instanceof BrowserRuntime)) throw new Error('the browser runtime is not running')
  return runtime
}

/** The pid of the main Chromium process using `profileDir` (renderers carry --type=). */
export function chromiumPid(profileDir: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let args: string[]
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
    } catch {
      continue
    }
    if (args.includes(`--user-data-dir=${profileDir}`) && !args.some((a) => a.startsWith('--type=')))
      return Number(entry)
  }
  return undefined
}

/** Polls `check` until it holds (a deadline of 20 s only bounds a broken run; nothing is timed). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const end = Date.now() + 20_000
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`never happened: ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

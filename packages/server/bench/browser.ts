// Benchmark of the browser element over real HTTP with a real Chromium (SQLite): start, navigate
// to a local page, stop, and load / save / capture of 1 000 cookies. The issue names no anchors
// for these; the figures say what a caller should expect. Run: npx tsx packages/server/bench/browser.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { chromiumExists } from '../src/elements/browser/browser-session.ts'
import { startLoginSite } from '../src/elements/browser/test-login-site.ts'
import { startPlatform } from '../src/main.ts'

const ROUNDS = 5
const COOKIES = 1000
const chromium = process.env['PERIODIC_CHROMIUM_PATH'] || '/usr/bin/chromium'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`

async function main() {
  if (!chromiumExists(chromium)) {
    console.log(`no Chromium at ${chromium}: nothing to measure`)
    return
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-bench-browser-'))
  const site = await startLoginSite()
  const config = parseConfig(['--port', '0', '--data-dir', dataDir, '--rate-limit', '0'], {
    PERIODIC_CHROMIUM_PATH: chromium,
  })
  const p = await startPlatform(config, { logger: pino({ level: 'silent' }) })
  const h = { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }
  const call = async (method: string, path: string, body?: unknown) => {
    const t0 = performance.now()
    const r = await fetch(p.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await r.json()) as Record<string, unknown>
    if (r.status >= 300)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json).slice(0, 300)}`)
    return { ms: performance.now() - t0, json }
  }
  const times: Record<string, number[]> = {
    start: [],
    navigate: [],
    stop: [],
    load: [],
    save: [],
    capture: [],
  }
  try {
    await call('POST', '/api', { element_type: 'circle', slug: 'bench' })
    await call('POST', '/api/bench', { element_type: 'browser', slug: 'b' })
    await call('POST', '/api/bench', { element_type: 'cookie-jar', slug: 'j' })
    await call('POST', '/api/bench/j/ops/attach', { browser_id: 'b' })
    // 100 cookies on each of 10 sites: under Chromium's 180-per-site limit, so none is evicted.
    const cookies = Array.from({ length: COOKIES }, (_, i) => ({
      name: `c${i}`,
      value: `v-${i}-${'x'.repeat(100)}`,
      domain: `.bench-site${i % 10}.com`,
      path: '/',
      secure: true,
      httpOnly: i % 2 === 0,
      sameSite: 'lax',
      expirationDate: 1_900_000_000 + i,
    }))
    await call('POST', '/api/bench/j/ops/import', { cookies, mode: 'replace' })
    for (let i = 0; i < ROUNDS; i++) {
      times['start']!.push((await call('POST', '/api/bench/b/ops/start', {})).ms)
      times['navigate']!.push((await call('POST', '/api/bench/b/ops/navigate', { url: `${site.url}/` })).ms)
      const load = await call('POST', '/api/bench/b/ops/load-cookies-from-jar', {})
      if (load.json['applied'] !== COOKIES) throw new Error(`applied ${load.json['applied']} of ${COOKIES}`)
      times['load']!.push(load.ms)
      times['save']!.push((await call('POST', '/api/bench/b/ops/save-cookies-to-jar', {})).ms)
      times['capture']!.push((await call('POST', '/api/bench/b/ops/capture-cookies', {})).ms)
      times['stop']!.push((await call('POST', '/api/bench/b/ops/stop', {})).ms)
    }
    const label: Record<string, string> = {
      start: 'start (launch Chromium, fresh profile)',
      navigate: 'navigate to a local page',
      load: `load-cookies-from-jar, ${COOKIES} cookies (validate, set, read back, seal)`,
      save: `save-cookies-to-jar, ${COOKIES} cookies (read, validate, seal jar + capture)`,
      capture: `capture-cookies, ${COOKIES} cookies`,
      stop: 'stop (Chromium exits, profile removed)',
    }
    console.log(`browser element, median of ${ROUNDS} (no anchors in the issue)`)
    for (const [k, xs] of Object.entries(times)) console.log(`  ${label[k]!.padEnd(72)} ${fmt(median(xs))}`)
  } finally {
    await p.close()
    await site.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()

// Benchmark of the portal against the anchors, in Debian's Chromium (playwright-core):
//   - initial JavaScript, gzipped (anchor < 200 KB): what index.html loads before any view;
//   - the circle view with 1,000 elements interactive after navigation (anchor < 1 s): from
//     navigation start to the first cards drawn, and to the end of the last long task after it;
//   - a run's log lines in the code runner after the handler prints them (anchor < 100 ms):
//     each line carries the handler's clock, a MutationObserver in the page the arrival time.
// Run: npm run bench:portal. Prints figures; asserts nothing.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildPortalIfStale, portalDist } from '@periodic/portal/build-if-stale.mjs'
import { type Browser, chromium, type Page } from 'playwright-core'
import { type BenchPlatform, startBenchPlatform } from './bench-platform.ts'

const ELEMENTS = 1000
const RUNS = 5
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`

/** The files index.html loads up front (entry script, module preloads, stylesheets). */
function initialAssets(): { js: number; jsGz: number; css: number; cssGz: number; files: string[] } {
  const html = readFileSync(join(portalDist, 'index.html'), 'utf8')
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!)
  const out = { js: 0, jsGz: 0, css: 0, cssGz: 0, files: refs }
  for (const ref of refs) {
    const data = readFileSync(join(portalDist, ref))
    const gz = gzipSync(data, { level: 9 }).length
    if (ref.endsWith('.js')) {
      out.js += data.length
      out.jsGz += gz
    } else {
      out.css += data.length
      out.cssGz += gz
    }
  }
  return out
}

async function signedInPage(browser: Browser, b: BenchPlatform): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } })
  // The key goes where the portal keeps it (sessionStorage), before any of its scripts run.
  await context.addInitScript((key) => sessionStorage.setItem('periodic.key', key), b.p.adminKey)
  return context.newPage()
}

async function seedCircle(b: BenchPlatform, circle: string, n: number): Promise<void> {
  await b.api('POST', '/api', { element_type: 'circle', slug: circle })
  for (let i = 0; i < n; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, (_, j) =>
        b.api('POST', `/api/${circle}`, {
          element_type: 'variable',
          slug: `v${String(i + j).padStart(4, '0')}`,
          spec: { value: i + j },
        }),
      ),
    )
  }
}

/** ms from navigation start to the first card, and to the end of the last long task. */
async function circleViewTiming(page: Page, url: string): Promise<{ cards: number; interactive: number }> {
  await page.goto('about:blank')
  await page.goto(url)
  await page.waitForFunction(
    () => document.querySelectorAll('.el-card[data-element-id]').length > 0,
    undefined,
    {
      polling: 'raf',
      timeout: 30_000,
    },
  )
  const cards = await page.evaluate(() => performance.now())
  // Long tasks after the first paint of cards delay input; wait a quiet 500 ms to see them.
  const interactive = await page.evaluate(
    (first) =>
      new Promise<number>((resolve) => {
        let last = first
        const seen = performance.getEntriesByType('longtask') as PerformanceEntry[]
        for (const t of seen) last = Math.max(last, t.startTime + t.duration)
        const obs = new PerformanceObserver((list) => {
          for (const t of list.getEntries()) last = Math.max(last, t.startTime + t.duration)
        })
        obs.observe({ type: 'longtask', buffered: true })
        setTimeout(() => {
          obs.disconnect()
          resolve(last)
        }, 500)
      }),
    cards,
  )
  return { cards, interactive }
}

const TICKER = [
  'import time',
  '',
  'def handler(input):',
  '    for i in range(input.get("lines", 3)):',
  '        print(f"tick {i} {time.time():.6f}", flush=True)',
  '        time.sleep(input.get("gap", 0.05))',
  '    return {"lines": input.get("lines", 3)}',
  '',
].join('\n')

/** Delays (ms) from each line's print in the handler to its node in the runner's log. */
async function logLineDelays(page: Page, lines: number): Promise<number[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __seen: Array<[string, number]>; __obs?: MutationObserver }
    w.__seen = []
    w.__obs?.disconnect()
    w.__obs = new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now()
      for (const r of records)
        for (const n of r.addedNodes)
          if (n instanceof HTMLElement && n.classList.contains('line'))
            w.__seen.push([n.textContent ?? '', at])
    })
    w.__obs.observe(document.body, { childList: true, subtree: true })
  })
  const input = page.getByRole('textbox', { name: 'Input JSON' })
  await input.click()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.insertText(JSON.stringify({ lines, gap: 0.05 }))
  await page.getByRole('button', { name: 'Run', exact: true }).click()
  await page.waitForFunction((n) => (window as unknown as { __seen: unknown[] }).__seen.length >= n, lines, {
    timeout: 60_000,
  })
  const seen = await page.evaluate(() => (window as unknown as { __seen: Array<[string, number]> }).__seen)
  return seen.flatMap(([text, at]) => {
    const m = /tick \d+ (\d+\.\d+)/.exec(text)
    return m ? [at - Number(m[1]) * 1000] : []
  })
}

async function main() {
  await buildPortalIfStale()
  const assets = initialAssets()
  console.log('portal: initial load')
  console.log(
    `  JavaScript ${kb(assets.js)} raw, ${kb(assets.jsGz)} gzipped   (anchor < 200 KB gzipped)` +
      `; CSS ${kb(assets.cssGz)} gzipped; ${assets.files.length} files`,
  )

  const b = await startBenchPlatform('portal')
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  })
  try {
    await seedCircle(b, 'bench', ELEMENTS)
    const page = await signedInPage(browser, b)
    const url = `${b.p.url}/#/circles/bench`
    await circleViewTiming(page, url) // warm: the server's caches and Chromium's
    const cards: number[] = []
    const interactive: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t = await circleViewTiming(page, url)
      cards.push(t.cards)
      interactive.push(t.interactive)
    }
    console.log(`portal: circle view with ${ELEMENTS} elements (median of ${RUNS} loads)`)
    console.log(`  first cards drawn ${median(cards).toFixed(0)} ms after navigation`)
    console.log(
      `  interactive (last long task ended) ${median(interactive).toFixed(0)} ms   (anchor < 1000 ms)`,
    )

    await b.api('POST', '/api/bench', {
      element_type: 'python',
      slug: 'ticker',
      spec: { source: { type: 'inline', code: TICKER } },
    })
    await page.goto(`${b.p.url}/#/circles/bench/ticker`)
    await page.getByRole('textbox', { name: 'Input JSON' }).waitFor()
    await logLineDelays(page, 3) // the cold start
    const delays = (await logLineDelays(page, 40)).sort((x, y) => x - y)
    const q = (f: number) => delays[Math.min(delays.length - 1, Math.floor(f * delays.length))]!
    console.log(`portal: run log lines in the code runner (${delays.length} lines, 50 ms apart)`)
    console.log(
      `  print → on screen p50 ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${delays.at(-1)!.toFixed(1)} ms   (anchor < 100 ms)`,
    )
  } finally {
    await browser.close()
    await b.close()
  }
}

await main()

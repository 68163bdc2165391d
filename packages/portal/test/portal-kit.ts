// The portal's browser-test kit: a real Periodic server (with the built portal) and Debian's
// Chromium through playwright-core, signed in; screenshots saved under test-output/ and checked
// not blank; an axe-core pass that reports serious and critical violations; and every
// Content-Security-Policy violation or uncaught page error collected so a test can assert none.
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'

export const OUTPUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output')
const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export interface PortalKit {
  server: TestServer
  browser: Browser
  context: BrowserContext
  page: Page
  /** CSP violations and uncaught errors seen by any page so far. */
  problems: string[]
  /** Opens `hash` (e.g. `#/circles/acme`) signed in with `key` (default: the admin key). */
  open(hash?: string, key?: string): Promise<Page>
  close(): Promise<void>
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export async function startPortal(
  opts: { server?: TestServer; viewport?: { width: number; height: number } } = {},
): Promise<PortalKit> {
  const server = opts.server ?? (await startTestServer())
  const browser = await launchChromium()
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1360, height: 860 } })
  const problems: string[] = []
  const watch = (page: Page) => {
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
        problems.push(m.text())
    })
  }
  context.on('page', watch)
  const page = await context.newPage()
  const kit: PortalKit = {
    server,
    browser,
    context,
    page,
    problems,
    async open(hash = '#/', key = server.adminKey) {
      await page.goto(`${server.url}/${hash}`)
      const signIn = page.getByLabel('API key')
      if (await signIn.isVisible().catch(() => false)) {
        await signIn.fill(key)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.getByRole('button', { name: 'Sign out' }).waitFor()
      }
      return page
    },
    async close() {
      await browser.close().catch(() => {})
      if (!opts.server) await server.close()
    },
  }
  return kit
}

/**
 * Saves a full-page screenshot as test-output/<name>.png and returns how many distinct colours
 * it has (counted in the browser from the PNG itself): a blank page has one or two.
 */
export async function screenshot(page: Page, name: string): Promise<{ path: string; colours: number }> {
  mkdirSync(OUTPUT_DIR, { recursive: true })
  const path = join(OUTPUT_DIR, `${name}.png`)
  const png = await page.screenshot({ path, fullPage: true })
  const probe = await page.context().newPage()
  try {
    const colours = await probe.evaluate(async (b64) => {
      const img = new Image()
      img.src = `data:image/png;base64,${b64}`
      await img.decode()
      const canvas = document.createElement('canvas')
      canvas.width = img.width
      canvas.height = img.height
      const ctx = canvas.getContext('2d')!
      ctx.drawImage(img, 0, 0)
      const data = ctx.getImageData(0, 0, img.width, img.height).data
      const seen = new Set<number>()
      for (let i = 0; i < data.length && seen.size < 1000; i += 4 * 7)
        seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)
      return seen.size
    }, png.toString('base64'))
    return { path, colours }
  } finally {
    await probe.close()
  }
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: string[]
}

/** axe-core on the page as it is; the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE)
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: Document): Promise<unknown> } }).axe
    return (await axe.run(document)) as {
      violations: Array<{
        id: string
        impact: string | null
        help: string
        nodes: Array<{ target: string[] }>
      }>
    }
  })
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))
}

// The cookie jar panel in a real Chromium against a real server: the summary, domains and
// cookie names without any value; export only after a confirmation and refused to a read-only
// key; import of a Netscape cookies.txt through the file input; and the live refresh (count,
// freshness, dirty badge) when the jar changes through the API — that last one rides on the
// circle events stream (GET /api/{circle}/ops/events with cookie_jar.changed / element.updated)
// and is skipped, saying so in its name, on a server without that endpoint.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

const SECRET = 'sekret-value-AQEDA-1234'
const JAR = '#/circles/acme/session'

describe('cookie jar panel', () => {
  let server: TestServer
  let kit: PortalKit
  let eventsAvailable = false
  beforeAll(async () => {
    server = await startTestServer()
    await server.createCircle('acme')
    const created = await server.api('POST', '/api/acme', { element_type: 'cookie-jar', slug: 'session' })
    expect(created.status).toBe(201)
    const imported = await server.api('POST', '/api/acme/session/ops/import', {
      cookies: [
        {
          name: 'li_at',
          value: SECRET,
          domain: '.linkedin.com',
          secure: true,
          httpOnly: true,
          sameSite: 'none',
        },
        { name: 'lang', value: `${SECRET}-2`, domain: 'www.linkedin.com', expirationDate: 4102444800 },
        { name: 'gh_sess', value: `${SECRET}-3`, domain: 'github.com' },
      ],
    })
    expect(imported.status).toBe(200)
    // Is the circle events stream there? Asked of the OpenAPI document, since opening the stream
    // itself would leave a connection the server waits for at close.
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json()
    eventsAvailable = Object.keys(doc.paths).some((p) => p.endsWith('/ops/events'))
    kit = await startPortal({ server })
  }, 60_000)
  afterAll(async () => {
    await kit?.close()
    await server?.close()
  })

  it('shows count, domains and cookie names, never a value', async () => {
    const page = await kit.open(JAR)
    await page.getByRole('heading', { name: /session/i, level: 1 }).waitFor()
    await expect.poll(() => page.getByTestId('jar-count').textContent()).toBe('3')
    const table = page.getByRole('table', { name: 'Cookies (values hidden)' })
    for (const name of ['li_at', 'lang', 'gh_sess']) await table.getByText(name, { exact: true }).waitFor()
    const domains = page.getByRole('table', { name: 'Domains' })
    await domains.getByText('.linkedin.com', { exact: true }).waitFor()
    await domains.getByText('github.com').waitFor()
    await expect
      .poll(() => page.getByTestId('jar-freshness').textContent())
      .toMatch(/synced (just now|\d+s ago)/)
    expect(await page.content()).not.toContain(SECRET)
    const shot = await screenshot(page, 'panel-cookie-jar')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Switch to dark theme' }).click()
    const dark = await screenshot(page, 'panel-cookie-jar-dark')
    expect(dark.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Switch to light theme' }).click()
  })

  it('exports values only after a confirmation', async () => {
    const page = await kit.open(JAR)
    await page.getByRole('button', { name: 'Export cookies…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Show cookie values?' })
    await dialog.waitFor()
    expect(await page.content()).not.toContain(SECRET)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await page.getByLabel('Exported cookies (with values)').count()).toBe(0)

    await page.getByRole('button', { name: 'Export cookies…' }).click()
    await dialog.getByRole('button', { name: 'Export with values' }).click()
    const values = page.getByLabel('Exported cookies (with values)')
    await expect.poll(() => values.inputValue()).toContain(SECRET)
    await screenshot(page, 'panel-cookie-jar-export')
    await page.getByRole('button', { name: 'Hide values' }).click()
    await values.waitFor({ state: 'detached' })
    expect(await page.content()).not.toContain(SECRET)
  })

  it('shows a read-only key no export, and the API refuses it with its code', async () => {
    const made = await server.api('POST', '/api/acme/ops/api_keys', { name: 'viewer', scopes: ['read'] })
    expect(made.status).toBe(201)
    await kit.page.getByRole('button', { name: 'Sign out' }).click()
    const page = await kit.open(JAR, made.body.key)
    await expect.poll(() => page.getByTestId('jar-count').textContent()).toBe('3')
    // The portal knows the key's scopes (GET /api/v1/whoami) and offers no export.
    await expect.poll(() => page.getByRole('button', { name: 'Export cookies…' }).count()).toBe(0)
    await page.getByRole('heading', { name: 'Import' }).waitFor()
    expect(await page.getByRole('heading', { name: 'Export' }).count()).toBe(0)
    const direct = await fetch(`${server.url}/api/acme/${JAR.split('/').pop()}/ops/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${made.body.key}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(direct.status).toBe(403)
    expect((await direct.json()).error.code).toBe('FORBIDDEN')
    expect(await page.content()).not.toContain(SECRET)
    await page.getByRole('button', { name: 'Sign out' }).click()
  })

  it('imports a Netscape cookies.txt chosen with the file input', async () => {
    const page = await kit.open(JAR)
    await expect.poll(() => page.getByTestId('jar-count').textContent()).toBe('3')
    const dir = mkdtempSync(join(tmpdir(), 'jar-import-'))
    const file = join(dir, 'cookies.txt')
    writeFileSync(
      file,
      [
        '# Netscape HTTP Cookie File',
        `.example.org\tTRUE\t/\tTRUE\t4102444800\tnetscape_one\t${SECRET}-n1`,
        `#HttpOnly_www.example.org\tFALSE\t/app\tFALSE\t0\tnetscape_two\t${SECRET}-n2`,
        '',
      ].join('\n'),
    )
    await page.getByLabel('Or choose a file').setInputFiles(file)
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Imported' }).textContent())
      .toContain('2 added')
    await expect.poll(() => page.getByTestId('jar-count').textContent()).toBe('5')
    await page.getByRole('table', { name: 'Cookies (values hidden)' }).getByText('netscape_two').waitFor()
    expect(await page.content()).not.toContain(SECRET)
    const listed = await server.api('GET', '/api/acme/session/ops/list?domain=example.org')
    expect(listed.body.cookies.map((c: { name: string }) => c.name).sort()).toEqual([
      'netscape_one',
      'netscape_two',
    ])
    expect(listed.body.cookies.find((c: { name: string }) => c.name === 'netscape_two').httpOnly).toBe(true)
  })

  it('clears a domain after a confirmation', async () => {
    const page = await kit.open(JAR)
    await expect.poll(() => page.getByTestId('jar-count').textContent()).toBe('5')
    await page.getByLabel('Clear cookies of domain').fill('example.org')
    await page.getByRole('button', { name: 'Clear…' }).click()
    await page
      .getByRole('dialog', { name: 'Clear cookies?' })
      .getByRole('button', { name: 'Clear cookies' })
      .click()
    await expect.poll(() => page.getByTestId('jar-count').textContent()).toBe('3')
    expect(kit.problems).toEqual([])
  })

  it('updates count and freshness live when the API changes the jar (needs the circle events stream)', async (ctx) => {
    if (!eventsAvailable) ctx.skip()
    const page = await kit.open(JAR)
    await expect.poll(() => page.getByTestId('jar-count').textContent()).toBe('3')
    const set = await server.api('POST', '/api/acme/session/ops/set', {
      name: 'live',
      value: 'v',
      domain: 'live.example',
    })
    expect(set.status).toBe(200)
    await expect.poll(() => page.getByTestId('jar-count').textContent(), { timeout: 10_000 }).toBe('4')
    await page
      .getByRole('table', { name: 'Cookies (values hidden)' })
      .getByText('live', { exact: true })
      .waitFor()
    await expect
      .poll(() => page.getByTestId('jar-freshness').textContent())
      .toMatch(/synced (just now|\ds ago)/)
    expect(kit.problems).toEqual([])
  })
})

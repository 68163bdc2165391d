// The WebSocket and browser panels in a real Chromium against a real server. WebSocket: a client
// the test opens (node `ws`) shows in presence, a broadcast from the form reaches it, and the
// live tail (the portal's own ticketed client) receives it too. Browser: start a real Chromium
// session, navigate to a page served by the test on 127.0.0.1 (allow-listed for the outbound
// policy as the server's browser tests do), save its cookies to an attached jar, stop.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  BROWSER_TEST_ENV,
  HAVE_CHROMIUM,
  SKIP_REASON,
} from '../../server/src/elements/browser/browser-test-helpers.ts'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

describe('websocket and browser panels', () => {
  let server: TestServer
  let kit: PortalKit
  let site: Server
  let siteUrl = ''
  const clients: WebSocket[] = []
  beforeAll(async () => {
    server = await startTestServer({ env: BROWSER_TEST_ENV })
    await server.createCircle('acme')
    const ws = await server.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'chat',
      spec: { path: '/chat', auth: { mode: 'bearer', tokens: ['s3cret'] }, rooms: { enabled: true } },
    })
    expect(ws.status).toBe(201)
    site = createServer((req, res) => {
      res.setHeader('set-cookie', 'visited=yes; Path=/; Max-Age=3600')
      res.setHeader('content-type', 'text/html')
      res.end(`<!doctype html><title>Portal test page ${req.url}</title><p>hello</p>`)
    })
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    kit = await startPortal({ server })
  }, 60_000)
  afterAll(async () => {
    for (const c of clients) c.terminate()
    await kit?.close()
    await server?.close()
    await new Promise((r) => site?.close(r))
  })

  it('shows a connected client, broadcasts to it and tails the broadcast', async () => {
    const client = new WebSocket(`${server.url.replace('http', 'ws')}/ws/acme/chat?token=s3cret&room=lobby`)
    clients.push(client)
    const received: string[] = []
    client.on('message', (m) => received.push(String(m)))
    await expect.poll(() => received.some((m) => m.includes('"welcome"'))).toBe(true)

    const page = await kit.open('#/circles/acme/chat')
    await page.getByRole('heading', { name: 'Connections' }).waitFor()
    await expect.poll(() => page.getByTestId('ws-count').textContent()).toBe('1')
    const table = page.getByRole('table', { name: 'Connections' })
    await table.getByText('lobby').waitFor()

    await page.getByRole('button', { name: 'Start live tail' }).click()
    await expect.poll(() => page.getByTestId('ws-tail-status').textContent()).toBe('connected')
    await expect.poll(() => page.getByTestId('ws-count').textContent()).toBe('2')
    await page.getByRole('list', { name: 'Live tail' }).getByText('welcome', { exact: false }).waitFor()

    await page.getByLabel('Message (JSON or text)').fill('{"text":"hi from the portal"}')
    await page.getByRole('button', { name: 'Broadcast' }).click()
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Delivered' }).textContent())
      .toContain('Delivered to 2 of 2')
    await expect.poll(() => received.some((m) => m.includes('hi from the portal'))).toBe(true)
    await page
      .getByRole('list', { name: 'Live tail' })
      .getByText('hi from the portal', { exact: false })
      .waitFor()

    const shot = await screenshot(page, 'panel-websocket')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Stop live tail' }).click()
    await expect.poll(() => page.getByTestId('ws-tail-status').textContent()).toBe('off')
    expect(kit.problems).toEqual([])
  })

  it.skipIf(!HAVE_CHROMIUM)(
    `starts a browser session, navigates, saves cookies to the jar, stops${SKIP_REASON}`,
    async () => {
      expect((await server.api('POST', '/api/acme', { element_type: 'browser', slug: 'crm' })).status).toBe(
        201,
      )
      expect(
        (await server.api('POST', '/api/acme', { element_type: 'cookie-jar', slug: 'crm-session' })).status,
      ).toBe(201)
      expect(
        (await server.api('POST', '/api/acme/crm-session/ops/attach', { browser_id: 'crm' })).status,
      ).toBe(200)

      const page = await kit.open('#/circles/acme/crm')
      await expect.poll(() => page.getByTestId('browser-state').textContent()).toBe('stopped')
      await page.getByRole('link', { name: /crm session/i }).waitFor()
      await page.getByRole('button', { name: 'Start session' }).click()
      await expect
        .poll(() => page.getByTestId('browser-state').textContent(), { timeout: 20_000 })
        .toBe('running')

      await page.getByLabel('URL').fill(`${siteUrl}/login`)
      await page.getByRole('button', { name: 'Navigate' }).click()
      await expect
        .poll(() => page.getByTestId('browser-title').textContent(), { timeout: 20_000 })
        .toBe('Portal test page /login')
      await page.getByText('HTTP 200').waitFor()

      await page.getByRole('button', { name: 'Save to jar…' }).click()
      await page.getByRole('dialog').getByRole('button', { name: 'Save to jar' }).click()
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).textContent())
        .toContain('Saved 1 cookies')
      const jar = await server.api('GET', '/api/acme/crm-session/ops/list')
      expect(jar.body.cookies.map((c: { name: string }) => c.name)).toEqual(['visited'])

      const shot = await screenshot(page, 'panel-browser')
      expect(shot.colours).toBeGreaterThan(3)
      expect(await seriousA11yViolations(page)).toEqual([])

      // The jar's dirty badge compares it with the browser's capture: in sync right after the
      // save, dirty once the jar holds a cookie the browser does not.
      await kit.open('#/circles/acme/crm-session')
      await page.getByTestId('jar-clean').waitFor()
      const set = await server.api('POST', '/api/acme/crm-session/ops/set', {
        name: 'extra',
        value: 'x',
        domain: 'example.com',
      })
      expect(set.status).toBe(200)
      await kit.open('#/circles/acme')
      await kit.open('#/circles/acme/crm-session')
      await page.getByTestId('jar-dirty').waitFor()
      await screenshot(page, 'panel-cookie-jar-dirty')
      await kit.open('#/circles/acme/crm')
      await expect.poll(() => page.getByTestId('browser-state').textContent()).toBe('running')

      await page.getByRole('button', { name: 'Stop…' }).click()
      await page.getByRole('dialog').getByRole('button', { name: 'Stop session' }).click()
      await expect.poll(() => page.getByTestId('browser-state').textContent()).toBe('stopped')
      expect(kit.problems).toEqual([])
    },
    60_000,
  )
})

// Sign-in and sign-out in a real Chromium against a real server: the key field is a password
// field, the key lives in sessionStorage only (never localStorage or the URL), a wrong key shows
// the API's code, and the portal's responses carry the CSP the page then runs under.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

describe('portal sign-in', () => {
  let kit: PortalKit
  beforeAll(async () => {
    kit = await startPortal()
  }, 60_000)
  afterAll(async () => kit?.close())

  it('serves index.html at / with a strict CSP and frame guard', async () => {
    const res = await fetch(`${kit.server.url}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    const html = await res.text()
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/) // no inline script
  })

  it('refuses a wrong key with the API code, signs in with the right one, and signs out', async () => {
    const page = kit.page
    await page.goto(`${kit.server.url}/`)
    const field = page.getByLabel('API key')
    expect(await field.getAttribute('type')).toBe('password')
    const shot = await screenshot(page, 'sign-in')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])

    await field.fill('pk_not_a_key')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('AUTH_INVALID')

    await field.fill(kit.server.adminKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Circles' }).waitFor()
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('periodic.key'),
      local: Object.keys(localStorage),
      url: location.href,
    }))
    expect(stored.session).toBe(kit.server.adminKey)
    expect(stored.local).toEqual([])
    expect(stored.url).not.toContain(kit.server.adminKey)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('API key').waitFor()
    expect(await page.evaluate(() => sessionStorage.getItem('periodic.key'))).toBeNull()
    expect(kit.problems).toEqual([])
  })
})

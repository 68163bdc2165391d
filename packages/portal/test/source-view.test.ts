// The Source section in a real Chromium against a real server: a variable written three times
// through the API shows its draft/demo/live stages and its history; promoting draft → demo and
// demo → live goes through a confirmation with the diff and moves the branches the API reports;
// a read-only key's promotion is refused with FORBIDDEN; screenshot and axe.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

const C = 'acme'
const HASH = `#/circles/${C}/greeting`

describe('source view', () => {
  let kit: PortalKit
  const branches = async () => {
    const r = await kit.server.api('GET', `/api/${C}/greeting/ops/source/branches`)
    return Object.fromEntries(
      (r.body.branches as Array<{ name: string; commit: string | null }>).map((b) => [b.name, b.commit]),
    )
  }
  const openSource = async (key?: string): Promise<Page> => {
    const page = await kit.open(HASH, key)
    page.setDefaultTimeout(15_000)
    await page.getByText('Source', { exact: true }).click()
    await page.getByTestId('stage-draft-sha').waitFor()
    return page
  }

  beforeAll(async () => {
    kit = await startPortal()
    await kit.server.createCircle(C)
    const made = await kit.server.api('POST', `/api/${C}`, {
      element_type: 'variable',
      slug: 'greeting',
      spec: { value: { hello: 'world' } },
    })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    for (const [value, message] of [
      [{ hello: 'there' }, 'say there'],
      [{ hello: 'portal', n: 2 }, 'add n'],
    ] as const) {
      const r = await kit.server.api('PATCH', `/api/${C}/greeting/ops/update`, { spec: { value }, message })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
    }
  }, 60_000)
  afterAll(async () => kit?.close())

  it('shows the stages and the history, and promotes draft → demo → live after confirming', async () => {
    const page = await openSource()
    const before = await branches()
    expect(before.demo).toBeNull()
    expect(await page.getByTestId('stage-draft-sha').textContent()).toBe(before.draft!.slice(0, 7))
    await expect.poll(() => page.getByTestId('stage-draft-ahead').textContent()).toContain('3 ahead of demo')
    const draftStage = page.getByTestId('stage-draft')
    expect(await draftStage.textContent()).toContain('add n')
    expect(await draftStage.getByText('runs').count()).toBe(1)
    expect(await page.getByTestId('stage-live').textContent()).toContain('No commit yet')
    expect(await page.getByTestId('source-releases').textContent()).toContain('No releases yet')
    const history = page.getByTestId('source-history')
    await expect.poll(() => history.locator('tbody tr').count()).toBe(3)
    expect(await history.textContent()).toContain('say there')
    expect(await page.getByTestId('clone-url').inputValue()).toMatch(
      /^http:\/\/[^@]+\/git\/acme\/greeting\.git$/,
    )

    // draft → demo: the confirmation shows the diff, cancel leaves demo as it was
    await page.getByRole('button', { name: 'Promote draft → demo' }).click()
    const dialog = page.getByRole('dialog', { name: 'Promote draft → demo?' })
    await dialog.getByTestId('source-diff').locator('.add').first().waitFor()
    expect(await dialog.getByTestId('source-diff').textContent()).toContain('portal')
    await screenshot(page, 'source-promote-dialog')
    expect(await seriousA11yViolations(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect((await branches()).demo).toBeNull()

    await page.getByRole('button', { name: 'Promote draft → demo' }).click()
    await dialog.getByRole('button', { name: 'Promote to demo' }).click()
    await page.getByRole('status').filter({ hasText: 'Promoted 3 commits to demo' }).waitFor()
    await expect.poll(async () => (await branches()).demo).toBe(before.draft)
    await expect.poll(() => page.getByTestId('stage-demo-sha').textContent()).toBe(before.draft!.slice(0, 7))

    await page.getByRole('button', { name: 'Promote demo → live' }).click()
    await page
      .getByRole('dialog', { name: 'Promote demo → live?' })
      .getByRole('button', { name: 'Promote to live' })
      .click()
    await page.getByRole('status').filter({ hasText: 'released as v1' }).waitFor()
    await expect.poll(async () => (await branches()).live).toBe(before.draft)
    await expect.poll(() => page.getByTestId('stage-live').getByText('runs').count()).toBe(1)
    await expect.poll(() => page.getByTestId('source-releases').textContent()).toContain('v1')
    await expect
      .poll(() => page.getByTestId('stage-draft-ahead').textContent())
      .toContain('in step with demo')

    const shot = await screenshot(page, 'source-panel')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: /Switch to dark theme/ }).click()
    const dark = await screenshot(page, 'source-panel-dark')
    expect(dark.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: /Switch to light theme/ }).click()

    // restoring v2 writes new commits on draft (the API snapshots first): draft is ahead of demo again
    await history.getByRole('button', { name: 'Restore version 2' }).click()
    await page
      .getByRole('dialog', { name: 'Restore version 2?' })
      .getByRole('button', { name: 'Restore' })
      .click()
    await expect
      .poll(() => page.getByTestId('stage-draft-ahead').textContent())
      .toMatch(/[1-9] ahead of demo/)
    const total = (await kit.server.api('GET', `/api/${C}/greeting/ops/version?history=true`)).body.total
    expect(total).toBeGreaterThan(3)
    await expect.poll(() => history.locator('tbody tr').count()).toBe(total)
    expect((await branches()).demo).toBe(before.draft)
    expect(kit.problems).toEqual([])
  })

  it('offers a read-only key no promotion, and the API refuses it with FORBIDDEN', async () => {
    const made = await kit.server.api('POST', `/api/${C}/ops/api_keys`, { name: 'viewer', scopes: ['read'] })
    expect(made.status).toBe(201)
    const r = await kit.server.api('PATCH', `/api/${C}/greeting/ops/update`, {
      spec: { value: 3 },
      message: 'three',
    })
    expect(r.status).toBe(200)
    const live = (await branches()).live
    await kit.page.getByRole('button', { name: 'Sign out' }).click()
    const page = await openSource(made.body.key)
    await page.getByRole('heading', { name: 'Releases' }).waitFor()
    await expect.poll(() => page.getByRole('button', { name: /^Promote / }).count()).toBe(0)
    const direct = await kit.server.api(
      'POST',
      `/api/${C}/greeting/ops/source/promote`,
      { to: 'demo' },
      { key: made.body.key },
    )
    expect(direct.status).toBe(403)
    expect(direct.body.error.code).toBe('FORBIDDEN')
    expect((await branches()).live).toBe(live)
    await page.getByRole('button', { name: 'Sign out' }).click()
    expect(kit.problems).toEqual([])
  })
})

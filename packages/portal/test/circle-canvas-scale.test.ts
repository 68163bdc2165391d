// The circle view with 1,000 elements (seeded through the API, 20 at a time): the canvas holds
// them all from one list request but renders only the cards near the view, and the element tree
// renders only the rows in view while scrolling, filtering and moving with the keyboard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalKit, screenshot, startPortal } from './portal-kit.ts'

describe('circle canvas at scale', () => {
  let kit: PortalKit
  beforeAll(async () => {
    kit = await startPortal()
    kit.page.setDefaultTimeout(15_000)
  }, 60_000)
  // The server's close takes a while after 1,000 creates (see the canvas helper's report).
  afterAll(async () => kit?.close(), 120_000)

  it('holds 1,000 elements: the canvas renders the cards near the view, a virtualised tree driven by the keyboard', async () => {
    await kit.server.createCircle('big')
    const slugs = Array.from({ length: 1000 }, (_, i) => `v-${String(i).padStart(4, '0')}`)
    for (let i = 0; i < slugs.length; i += 20)
      await Promise.all(
        slugs.slice(i, i + 20).map(async (slug) => {
          const r = await kit.server.api('POST', '/api/big', { element_type: 'variable', slug })
          if (r.status !== 201) throw new Error(`${slug}: ${r.status} ${JSON.stringify(r.body)}`)
        }),
      )
    const page = await kit.open('#/circles/big')
    await page.getByText('1000 on the canvas').waitFor()
    // Only the cards near the view are in the DOM; the plane is sized for all 1,000.
    await page.locator('.el-card[data-slug="v-0000"]').waitFor()
    const cards = await page.locator('.el-card').count()
    expect(cards).toBeGreaterThan(10)
    expect(cards).toBeLessThan(200)
    const canvas = page.locator('.canvas')
    await canvas.evaluate((el) => {
      el.scrollTop = el.scrollHeight
    })
    await page.locator('.el-card[data-slug="v-0999"]').waitFor()
    await canvas.evaluate((el) => {
      el.scrollTop = 0
    })
    await page.getByText('1000 elements').waitFor({ timeout: 20_000 })
    const rendered = await page.getByRole('treeitem').count()
    expect(rendered).toBeGreaterThan(5)
    expect(rendered).toBeLessThan(100)

    const tree = page.getByRole('tree')
    await tree.evaluate((el) => {
      el.scrollTop = el.scrollHeight
    })
    await page.locator('[role=treeitem][data-slug="v-0999"]').waitFor()
    expect(await page.getByRole('treeitem').count()).toBeLessThan(100)

    await tree.evaluate((el) => {
      el.scrollTop = 0
    })
    await page.locator('[role=treeitem][data-slug="v-0000"]').click()
    await page.keyboard.press('ArrowDown')
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLElement)?.dataset['slug']))
      .toBe('v-0001')
    await page.keyboard.press('End')
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLElement)?.dataset['slug']))
      .toBe('v-0999')
    expect(await page.getByRole('treeitem').count()).toBeLessThan(100)

    // Space selects the row's card; the canvas scrolls to it and it becomes the card Tab reaches.
    await page.keyboard.press(' ')
    const last = page.locator('.el-card[data-slug="v-0999"]')
    await expect.poll(() => last.getAttribute('aria-pressed')).toBe('true')
    expect(await last.getAttribute('tabindex')).toBe('0')
    await expect.poll(() => last.isVisible()).toBe(true)
    const box = (await last.boundingBox())!
    const view = (await page.locator('.canvas').boundingBox())!
    expect(box.y).toBeGreaterThanOrEqual(view.y)
    expect(box.y + box.height).toBeLessThanOrEqual(view.y + view.height)

    await page.getByLabel('Filter elements').fill('v-09')
    await page.getByText('100 elements match').waitFor()
    expect((await screenshot(page, 'circle-canvas-1000')).colours).toBeGreaterThan(3)
    await page.keyboard.press('Tab')
    expect(kit.problems).toEqual([])
  }, 120_000)
})

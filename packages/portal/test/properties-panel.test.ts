// The properties panel in a real Chromium against a real server: forms generated from the
// types' spec schemas (variable: JSON value; rate-limit: numbers and an enum as a select;
// python-layer: a map and a union as JSON; project: arrays and optional nested objects;
// workflow: write-only secrets), saving a new version, a validation error at its field, a
// version conflict showing both versions and resolved both ways, plus screenshots and axe.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

const C = 'acme'
const DEFINITION = `document: { dsl: '1.0.0', namespace: acme, name: flow, version: '1.0.0' }\nuse:\n  secrets: [token]\ndo:\n  - mark: { set: { ok: true } }\n`

describe('properties panel', () => {
  let kit: PortalKit
  const get = async (slug: string) => (await kit.server.api('GET', `/api/${C}/${slug}`)).body
  const create = async (element_type: string, slug: string, spec: Record<string, unknown>) => {
    const r = await kit.server.api('POST', `/api/${C}`, { element_type, slug, spec })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
  }
  const openElement = async (slug: string): Promise<Page> => {
    const page = await kit.open(`#/circles/${C}/${slug}`)
    page.setDefaultTimeout(10_000)
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor()
    return page
  }

  beforeAll(async () => {
    kit = await startPortal()
    await kit.server.createCircle(C)
    await create('variable', 'greeting', { value: { hello: 'world' }, description: 'Shown on the home page' })
    await create('rate-limit', 'api-limit', { rate: 5, burst: 10 })
    await create('python-layer', 'helpers', {
      files: { 'textutils.py': 'def shout(s):\n    return s.upper()\n' },
    })
    await create('project', 'launch', { tags: ['alpha'] })
    await create('workflow', 'flow', { definition: DEFINITION, secrets: { token: 's3cret-value-123' } })
  }, 60_000)
  afterAll(async () => kit?.close())

  it('renders a variable from its schema and saves an edit as a new version', async () => {
    const page = await openElement('greeting')
    await page.getByRole('heading', { name: 'Greeting' }).waitFor()
    const value = page.getByLabel('Value JSON')
    expect(JSON.parse(await value.inputValue())).toEqual({ hello: 'world' })
    expect(await page.getByLabel('Description').inputValue()).toBe('Shown on the home page')

    await value.fill('{"hello": ')
    await page.getByText(/Not valid JSON/).waitFor()
    expect(await value.getAttribute('aria-invalid')).toBe('true')
    await value.fill('{"hello": "portal", "n": 2}')
    await value.press('End')
    await value.press('Backspace')
    await value.pressSequentially('}')
    expect(await value.inputValue()).toBe('{"hello": "portal", "n": 2}') // typed text is kept as typed
    expect(await value.getAttribute('aria-invalid')).toBeNull()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved as version 2').waitFor()
    const after = await get('greeting')
    expect(after.version).toBe(2)
    expect(after.spec.value).toEqual({ hello: 'portal', n: 2 })
    await page.getByRole('cell', { name: /^v2/ }).waitFor() // the history follows
    expect(kit.problems).toEqual([])
  })

  it('shows enums as selects, puts a validation error at its field, and saves the fix', async () => {
    const page = await openElement('api-limit')
    const per = page.getByLabel('Per')
    expect(await per.evaluate((el) => el.tagName)).toBe('SELECT')
    expect(await per.locator('option').allTextContents()).toEqual(['key', 'circle'])
    expect(await page.getByLabel('Rate').getAttribute('type')).toBe('number')
    const burst = page.getByLabel('Burst')
    expect(await burst.getAttribute('aria-describedby')).toContain('help')

    await burst.fill('0')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => burst.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await burst.getAttribute('aria-describedby'))!.split(' ')
    const errorId = describedBy.find((id) => id.endsWith('-error'))!
    expect(await page.locator(`#${errorId}`).textContent()).toMatch(/between 1 and 1000000/)
    expect((await get('api-limit')).version).toBe(1)
    const shot = await screenshot(page, 'properties-validation')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])

    await burst.fill('20')
    await per.selectOption('circle')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved as version 2').waitFor()
    expect(await burst.getAttribute('aria-invalid')).toBeNull()
    expect((await get('api-limit')).spec).toMatchObject({ rate: 5, burst: 20, per: 'circle' })
    expect(kit.problems).toEqual([])
  })

  it('shows both versions on a conflict; keep mine overwrites, take theirs reloads', async () => {
    const page = await openElement('api-limit')
    const rate = page.getByLabel('Rate')
    await rate.fill('7')
    const outside = await kit.server.api('PATCH', `/api/${C}/api-limit/ops/update`, { spec: { rate: 9 } })
    expect(outside.status).toBe(200)
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    const conflict = page.getByRole('alert').filter({ hasText: 'Changed on the server while you edited' })
    await conflict.waitFor()
    const row = conflict.getByRole('row', { name: /rate/ })
    expect(await row.locator('td').allTextContents()).toEqual(['7', '9'])
    const shot = await screenshot(page, 'properties-conflict')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await conflict.getByRole('button', { name: 'Keep mine (overwrite)' }).click()
    await page.getByText('Saved as version 4').waitFor()
    expect((await get('api-limit')).spec.rate).toBe(7)

    await rate.fill('8')
    await kit.server.api('PATCH', `/api/${C}/api-limit/ops/update`, { spec: { rate: 11 } })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await conflict.getByRole('button', { name: 'Take theirs' }).click()
    await expect.poll(() => rate.inputValue()).toBe('11')
    expect(await conflict.count()).toBe(0)
    expect((await get('api-limit')).version).toBe(5)
    expect(kit.problems).toEqual([])
  })

  it('renders maps as key/value rows, unions with a form picker, arrays as rows and optional objects', async () => {
    let page = await openElement('helpers')
    const files = page.getByRole('group', { name: 'Files' })
    expect(await files.getByLabel('Key 1', { exact: true }).inputValue()).toBe('textutils.py')
    expect(await files.getByLabel('Value of textutils.py').inputValue()).toContain('def shout')
    await files.getByRole('button', { name: 'Add entry' }).click()
    await files.getByLabel('Key 2', { exact: true }).fill('more.py')
    await files.getByLabel('Key 2', { exact: true }).press('Tab')
    await files.getByLabel('Value of more.py').fill('X = 1\n')
    await files.getByRole('button', { name: 'Remove entry textutils.py' }).click()
    const form = page.getByLabel('Requirements — form')
    expect(await form.locator('option:checked').textContent()).toBe('list of text')
    await page.getByRole('button', { name: 'Add requirement' }).click()
    await page.getByLabel('Requirement 1', { exact: true }).fill('requests>=2')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved as version 2').waitFor()
    const layer = (await get('helpers')).spec
    expect(layer.files).toEqual({ 'more.py': 'X = 1\n' }) // the removed file is gone (deep=false)
    expect(layer.requirements).toEqual(['requests>=2'])
    expect((await screenshot(page, 'properties-layer')).colours).toBeGreaterThan(3)

    page = await openElement('launch')
    const tags = page.getByRole('group', { name: 'Tags' })
    expect(await tags.getByLabel('Tag 1', { exact: true }).inputValue()).toBe('alpha')
    await tags.getByRole('button', { name: 'Add tag' }).click()
    await tags.getByLabel('Tag 2', { exact: true }).fill('beta')
    const envs = page.getByRole('group', { name: 'Environments' })
    expect(await envs.getByRole('button', { name: 'Add demo' }).count()).toBe(1)
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved as version 2').waitFor()
    expect((await get('launch')).spec.tags).toEqual(['alpha', 'beta'])
    const shot = await screenshot(page, 'properties-project')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(kit.problems).toEqual([])
  })

  it('edits name and intention, disables and enables, restores a version, writes a README, deletes', async () => {
    await create('variable', 'scratch', { value: 1 })
    await kit.server.api('PATCH', `/api/${C}/scratch/ops/update`, { spec: { value: 2 } })
    const page = await openElement('scratch')
    await page.getByLabel('Name', { exact: true }).fill('Scratch pad')
    await page.getByLabel('Intention', { exact: true }).fill('Somewhere to try things')
    await page.getByRole('button', { name: 'Save name and intention' }).click()
    await page.getByRole('heading', { name: 'Scratch pad' }).waitFor()
    expect(await get('scratch')).toMatchObject({
      name: 'Scratch pad',
      intention: 'Somewhere to try things',
      version: 3,
    })

    await page.getByRole('button', { name: 'Disable' }).click()
    await page.getByRole('button', { name: 'Enable' }).waitFor()
    expect((await get('scratch')).enabled).toBe(false)
    await page.getByRole('button', { name: 'Enable' }).click()
    await page.getByRole('button', { name: 'Disable' }).waitFor()
    expect((await get('scratch')).enabled).toBe(true)

    await page.getByRole('button', { name: 'Restore version 1' }).click()
    await expect.poll(async () => (await get('scratch')).spec.value).toBe(1)
    await expect.poll(() => page.getByLabel('Value JSON').inputValue()).toBe('1')

    await page.getByRole('button', { name: 'Write a README' }).click()
    await page.getByLabel('README (markdown)').fill('# Scratch\nTry things here.')
    await page.getByRole('button', { name: 'Save README' }).click()
    await page.getByText('Try things here.').waitFor()
    expect((await kit.server.api('GET', `/api/${C}/scratch/ops/readme`)).body.content).toContain('# Scratch')

    await page.getByRole('button', { name: 'Delete…' }).click()
    await page.getByRole('button', { name: /^Yes, delete/ }).click()
    await page.waitForURL(/#\/circles\/acme$/)
    expect((await kit.server.api('GET', `/api/${C}/scratch`)).status).toBe(404)
    expect(kit.problems).toEqual([])
  })

  it('follows live events: a clean form reloads, a dirty one says it changed', async (ctx) => {
    // Needs the circle events stream (GET /api/{circle}/ops/events); skipped on a server without it.
    const probe = await fetch(`${kit.server.url}/api/${C}/ops/events`, {
      headers: { authorization: `Bearer ${kit.server.adminKey}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(5000),
    }).catch(() => null)
    await probe?.body?.cancel().catch(() => {})
    if (!probe?.ok) return ctx.skip()
    const page = await openElement('greeting')
    const description = page.getByLabel('Description')
    await kit.server.api('PATCH', `/api/${C}/greeting/ops/update`, { spec: { description: 'Changed live' } })
    await expect.poll(() => description.inputValue(), { timeout: 10_000 }).toBe('Changed live')
    await description.fill('My edit')
    await kit.server.api('PATCH', `/api/${C}/greeting/ops/update`, { spec: { description: 'Changed again' } })
    await page.getByText(/Changed on the server \(now version \d+\)/).waitFor()
    expect(await description.inputValue()).toBe('My edit')
    expect(kit.problems).toEqual([])
  })

  it('masks secrets: write-only, empty keeps the stored one, typing replaces it', async () => {
    // A workflow opens on its graph; its settings are this panel, in the Settings tab.
    const page = await kit.open(`#/circles/${C}/flow`)
    page.setDefaultTimeout(10_000)
    await page.getByRole('tab', { name: 'Settings' }).click()
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor()
    const secret = page.getByLabel('Value of token')
    expect(await secret.getAttribute('type')).toBe('password')
    expect(await secret.inputValue()).toBe('')
    expect(await page.content()).not.toContain('s3cret-value-123')
    await page
      .locator(`#${(await secret.getAttribute('aria-describedby'))!.split(' ').at(-1)}`)
      .getByText('set')
      .waitFor()
    const before = (await get('flow')).spec.secrets.token
    expect(before).toHaveProperty('sealed')

    await page.getByLabel('Kind').selectOption('block')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved as version 2').waitFor()
    const kept = (await get('flow')).spec
    expect(kept.kind).toBe('block')
    expect(kept.secrets.token).toEqual(before) // left empty: unchanged

    await secret.fill('another-secret-456')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved as version 3').waitFor()
    const replaced = (await get('flow')).spec.secrets.token
    expect(replaced).toHaveProperty('sealed')
    expect(replaced).not.toEqual(before)
    expect(await secret.inputValue()).toBe('')

    await page.getByRole('button', { name: /Switch to dark theme/ }).click()
    const shot = await screenshot(page, 'properties-workflow-dark')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(kit.problems).toEqual([])
  })
})

// The runs explorer in a real Chromium against a real server: runs made through the API are
// listed; the status filter narrows the list and lives in the URL hash (a reload keeps it); a
// run's detail shows its input, output and logs; an artifact downloads with the file's bytes;
// two runs compared field by field; thumbs-down feedback with a comment is saved (checked through the API); a failed run shows
// its error code and traceback. Screenshots of list and detail, axe, no CSP or page errors.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

const REPORTER = [
  'import os, time',
  'def handler(input, context):',
  '    for i in range(input.get("lines", 0)):',
  '        print(f"line {i} of the report", flush=True)',
  '    if input.get("sleep"):',
  '        time.sleep(input["sleep"])',
  '        print("after the sleep", flush=True)',
  '    if input.get("fail"):',
  '        raise RuntimeError("asked to fail")',
  '    with open(os.path.join(context["output_dir"], "report.txt"), "w") as f:',
  '        f.write(input.get("text", ""))',
  '    return {"ok": True, "text": input.get("text")}',
  '',
].join('\n')

describe('runs explorer', () => {
  let kit: PortalKit
  const ids: Record<'first' | 'failed' | 'second', string> = { first: '', failed: '', second: '' }

  async function run(input: unknown): Promise<string> {
    const r = await kit.server.api('POST', '/api/v1/runs?wait_for_completion=60', {
      target: 'acme/reporter',
      input,
    })
    expect(r.status).toBe(200)
    return r.body.id
  }

  beforeAll(async () => {
    kit = await startPortal()
    await kit.server.createCircle('acme')
    const el = await kit.server.api('POST', '/api/acme', {
      element_type: 'python',
      slug: 'reporter',
      spec: { source: { type: 'inline', code: REPORTER } },
    })
    expect(el.status).toBe(201)
    ids.first = await run({ text: 'first report', lines: 3 })
    ids.failed = await run({ fail: true, lines: 1 })
    ids.second = await run({ text: 'second report' })
  }, 90_000)
  afterAll(async () => kit?.close())

  it('lists runs, filters by status in the hash (kept on reload), loads more by cursor, compares two', async () => {
    const page = await kit.open('#/runs')
    const rows = page.locator('table[aria-label="Runs"] tbody tr')
    await expect.poll(() => rows.count()).toBe(3)
    await expect
      .poll(() => page.locator(`tr[data-run-id="${ids.failed}"] [data-status]`).textContent())
      .toBe('failed')
    const shot = await screenshot(page, 'runs-list')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])

    await page.getByRole('checkbox', { name: 'failed' }).check()
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/runs?status=failed')
    await expect.poll(() => rows.count()).toBe(1)
    expect(await rows.first().getAttribute('data-run-id')).toBe(ids.failed)

    await page.reload()
    await expect.poll(() => rows.count()).toBe(1)
    expect(await page.getByRole('checkbox', { name: 'failed' }).isChecked()).toBe(true)

    await page.getByLabel('Batch id').fill('no-such-batch')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await page.getByText('No runs match these filters').waitFor()
    await page.getByRole('button', { name: 'Clear filters' }).click()
    await expect.poll(() => rows.count()).toBe(3)

    await kit.open('#/runs?limit=2')
    await expect.poll(() => rows.count()).toBe(2)
    await page.getByRole('button', { name: 'Load more' }).click()
    await expect.poll(() => rows.count()).toBe(3)
    await page.getByText('3 runs, all shown.').waitFor()

    await page.getByRole('checkbox', { name: `Select run ${ids.first}` }).check()
    await page.getByRole('checkbox', { name: `Select run ${ids.second}` }).check()
    await page.getByRole('button', { name: 'Compare selected' }).click()
    const diffs = page.getByRole('table', { name: `Fields of run ${ids.second} that differ from the base` })
    await expect.poll(() => diffs.textContent()).toContain('second report')
    expect(await diffs.textContent()).toContain('$.text')
    await screenshot(page, 'runs-compare')
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(kit.problems).toEqual([])
  })

  it('shows a run: input, output, logs; downloads an artifact; saves feedback', async () => {
    const page = await kit.open('#/runs')
    await page.getByRole('link', { name: `Open run ${ids.first}` }).click()
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/runs/${ids.first}`)
    await expect
      .poll(() =>
        page
          .getByRole('region', { name: 'Input' })
          .or(page.getByLabel('Input', { exact: true }))
          .first()
          .textContent(),
      )
      .toContain('first report')
    expect(await page.getByLabel('Output', { exact: true }).textContent()).toContain('"ok": true')
    const logs = page.getByRole('log')
    await expect.poll(() => logs.textContent()).toContain('line 2 of the report')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report.txt' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('report.txt')
    expect(readFileSync((await download.path())!, 'utf8')).toBe('first report')

    await page.getByRole('button', { name: 'Bad (thumbs down)' }).click()
    await expect
      .poll(() => page.getByRole('button', { name: 'Bad (thumbs down)' }).getAttribute('aria-pressed'))
      .toBe('true')
    await page.getByLabel('Comment').fill('the total is wrong')
    await page.getByLabel('Labels').fill('wrong-total')
    await page.getByRole('button', { name: 'Save feedback' }).click()
    await expect
      .poll(async () => (await kit.server.api('GET', `/api/v1/runs/${ids.first}/feedback`)).body)
      .toMatchObject({
        rating: -1,
        comment: 'the total is wrong',
        labels: ['wrong-total'],
      })

    await page.getByRole('button', { name: 'Use output as expected' }).click()
    await page.getByText('matches').waitFor()

    const shot = await screenshot(page, 'run-detail')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(kit.problems).toEqual([])
  })

  it('shows a failed run’s error with its traceback, and reruns it into a new run', async () => {
    const page = await kit.open(`#/runs/${ids.failed}`)
    const err = page.getByRole('region', { name: 'Run error' })
    await expect.poll(() => err.textContent()).toContain('asked to fail')
    await page.getByRole('button', { name: 'Rerun (latest)' }).click()
    await expect.poll(() => page.evaluate(() => location.hash)).not.toBe(`#/runs/${ids.failed}`)
    const newId = (await page.evaluate(() => location.hash)).replace('#/runs/', '')
    const r = await kit.server.api('GET', `/api/v1/runs/${newId}?expand=debug`)
    expect(r.body.trigger).toBe('rerun')
    await expect
      .poll(() => page.locator('.head [data-status]').textContent(), { timeout: 30_000 })
      .toBe('failed')

    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'))
    const shot = await screenshot(page, 'run-detail-failed-dark')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(kit.problems).toEqual([])
  })

  it('follows a running run live in the list and the detail, and cancels one', async () => {
    const start = async (input: unknown) => {
      const r = await kit.server.api('POST', '/api/v1/runs', { target: 'acme/reporter', input })
      expect(r.status).toBe(201)
      return r.body.id as string
    }
    const slow = await start({ sleep: 1.5, lines: 1, text: 'slow' })
    const page = await kit.open('#/runs')
    const badge = page.locator(`tr[data-run-id="${slow}"] [data-status]`)
    await badge.waitFor()
    await expect.poll(() => badge.textContent(), { timeout: 30_000 }).toBe('succeeded')

    const live = await start({ sleep: 1.5, lines: 2, text: 'live' })
    await kit.open(`#/runs/${live}`)
    await expect
      .poll(() => page.getByRole('log').textContent(), { timeout: 30_000 })
      .toContain('after the sleep')
    await expect
      .poll(() => page.locator('.head [data-status]').textContent(), { timeout: 30_000 })
      .toBe('succeeded')
    await expect.poll(() => page.getByLabel('Output', { exact: true }).textContent()).toContain('"live"')

    const long = await start({ sleep: 60 })
    await kit.open(`#/runs/${long}`)
    await page.getByRole('button', { name: 'Cancel run' }).click()
    await expect
      .poll(() => page.locator('.head [data-status]').textContent(), { timeout: 30_000 })
      .toBe('cancelled')
    expect((await kit.server.api('GET', `/api/v1/runs/${long}`)).body.status).toBe('cancelled')
    expect(kit.problems).toEqual([])
  })
})

// The Python code runner in a real Chromium against a real server with the sandbox: edit
// main.py in CodeMirror, set the input JSON (a parse error is shown beside it), Run, watch log
// lines arrive before the run ends, see the output; an error run shows its traceback; run
// history lists both and replays one; tests report per test; Build; a conflicting save from
// the API shows both versions. Also prints (no assertion) how long a printed line takes to
// reach the DOM, for the bench note.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

const CODE = [
  'import time',
  '',
  'def handler(input):',
  '    n = input.get("lines", 3)',
  '    for i in range(n):',
  '        print(f"tick {i} {time.time():.6f}", flush=True)',
  '        time.sleep(input.get("gap", 0.05))',
  '    if input.get("fail"):',
  '        raise ValueError("bad input: " + str(input["fail"]))',
  '    return {"greeting": "Hello, " + input.get("name", "World"), "lines": n}',
  '',
].join('\n')

const TESTS = [
  'from main import handler',
  '',
  'def test_greets():',
  '    assert handler({"name": "Ada", "lines": 0})["greeting"] == "Hello, Ada"',
  '',
  'def test_counts_wrong():',
  '    assert handler({"lines": 1})["lines"] == 2',
  '',
].join('\n')

describe('python code runner', () => {
  let kit: PortalKit
  beforeAll(async () => {
    kit = await startPortal()
    await kit.server.createCircle('acme')
    for (const slug of ['hello', 'bench']) {
      const r = await kit.server.api('POST', '/api/acme', {
        element_type: 'python',
        slug,
        spec: { source: { type: 'inline', code: 'def handler(input):\n    return input\n', tests: TESTS } },
      })
      expect(r.status).toBe(201)
    }
  }, 60_000)
  afterAll(async () => kit?.close())

  /** Replaces the text of the CodeMirror editor labelled `name`. */
  async function setEditor(name: string, text: string) {
    const page = kit.page
    const editor = page.getByRole('textbox', { name })
    await editor.click()
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.insertText(text)
  }

  it('edits, runs with streamed logs, shows output, errors, history, tests and build', async () => {
    const page = await kit.open('#/circles/acme/hello')
    const code = page.getByRole('textbox', { name: 'main.py editor' })
    await code.waitFor()
    expect(await code.textContent()).toContain('return input')

    // Edit: replace the code, then type a comment line at the end like a person would.
    await setEditor('main.py editor', CODE)
    await page.keyboard.press('ControlOrMeta+End')
    await page.keyboard.type('# edited in the browser')
    await expect.poll(() => page.getByTestId('save-state').textContent()).toContain('Unsaved')

    // A JSON parse error is shown beside the input and nothing runs.
    await setEditor('Input JSON', '{"name": ')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect.poll(() => page.getByTestId('input-error').textContent()).toMatch(/not valid JSON/)
    expect(await page.getByTestId('run-status').count()).toBe(0)

    // Run: saves first, then the log lines arrive while the run is still going.
    await setEditor('Input JSON', '{"name": "Ada", "lines": 5, "gap": 0.3}')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const logs = page.getByTestId('run-logs')
    await expect.poll(() => logs.textContent(), { timeout: 30_000 }).toContain('tick 0')
    expect(await page.getByTestId('run-status').textContent()).not.toBe('succeeded')
    await expect
      .poll(() => page.getByTestId('run-output').textContent(), { timeout: 30_000 })
      .toContain('Hello, Ada')
    await expect.poll(() => logs.textContent()).toContain('tick 4') // replayed from the stored run
    expect(await page.getByTestId('run-status').textContent()).toBe('succeeded')
    expect(await page.getByTestId('cold-start').textContent()).toMatch(/cold start|warm/)
    expect(await page.getByTestId('save-state').textContent()).toContain('All changes saved')
    const saved = await kit.server.api('GET', '/api/acme/hello')
    expect(saved.body.spec.source.code).toContain('# edited in the browser')
    expect(saved.body.spec.source.code).toContain('tick {i}')

    // An error run: code and message and the Python traceback.
    await setEditor('Input JSON', '{"fail": "nope", "lines": 1}')
    await page.keyboard.press('ControlOrMeta+Enter')
    const err = page.getByTestId('run-error')
    await expect.poll(() => err.textContent(), { timeout: 30_000 }).toContain('PYTHON_RUNTIME_ERROR')
    const errText = (await err.textContent()) ?? ''
    expect(errText).toContain('Traceback (most recent call last)')
    expect(errText).toContain('ValueError: bad input: nope')

    // History lists both runs; choosing the successful one replays its logs and output.
    const history = page.getByTestId('run-history')
    await expect.poll(() => history.locator('tbody tr').count()).toBeGreaterThanOrEqual(2)
    await history
      .getByRole('button', { name: /succeeded/ })
      .first()
      .click()
    await expect.poll(() => page.getByTestId('run-output').textContent()).toContain('Hello, Ada')
    await expect.poll(() => logs.textContent()).toContain('tick 4') // replayed from the stored run

    // Tests: one passes, one fails, each listed.
    await page.getByRole('button', { name: 'Run tests' }).click()
    const summary = page.getByTestId('test-summary')
    await expect.poll(() => summary.textContent(), { timeout: 60_000 }).toMatch(/1 passed · 1 failed/)
    const cases = page.getByTestId('test-cases')
    expect(await cases.locator('li.passed').textContent()).toContain('test_greets')
    expect(await cases.locator('li.failed').textContent()).toContain('test_counts_wrong')

    // Build (no requirements: a cached, empty layer).
    await page.getByRole('button', { name: 'Build', exact: true }).click()
    await expect
      .poll(() => page.getByTestId('build-state').textContent(), { timeout: 30_000 })
      .toContain('succeeded')

    // Back to the successful run for the picture.
    await history
      .getByRole('button', { name: /succeeded/ })
      .first()
      .click()
    await expect.poll(() => page.getByTestId('run-output').textContent()).toContain('Hello, Ada')
    expect(await page.getByRole('textbox', { name: 'Input JSON' }).textContent()).toContain('Ada')
    const shot = await screenshot(page, 'code-runner')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])

    await page.getByRole('button', { name: /theme/ }).click()
    const dark = await screenshot(page, 'code-runner-dark')
    expect(dark.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: /theme/ }).click()
    expect(kit.problems).toEqual([])
  }, 120_000)

  it('shows a conflicting save from the API with both versions and can overwrite it', async () => {
    const page = await kit.open('#/circles/acme/hello')
    await page.getByRole('textbox', { name: 'main.py editor' }).waitFor()
    await setEditor('main.py editor', 'def handler(input):\n    return "mine"\n')
    const el = await kit.server.api('GET', '/api/acme/hello')
    const theirs = await kit.server.api('PATCH', '/api/acme/hello/ops/update', {
      spec: { source: { code: 'def handler(input):\n    return "theirs"\n' } },
      expected_version: el.body.version,
    })
    expect(theirs.status).toBe(200)
    await page.keyboard.press('ControlOrMeta+S')
    const conflict = page.getByTestId('conflict')
    await expect.poll(() => conflict.textContent()).toContain('VERSION_CONFLICT')
    expect(await page.getByTestId('conflict-mine').textContent()).toContain('"mine"')
    expect(await page.getByTestId('conflict-theirs').textContent()).toContain('"theirs"')
    expect((await screenshot(page, 'code-runner-conflict')).colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Overwrite with mine' }).click()
    await expect.poll(() => page.getByTestId('save-state').textContent()).toContain('All changes saved')
    expect(await conflict.count()).toBe(0)
    const after = await kit.server.api('GET', '/api/acme/hello')
    expect(after.body.spec.source.code).toContain('"mine"')
    expect(after.body.version).toBe(theirs.body.version + 1)
    expect(kit.problems).toEqual([])
  }, 60_000)

  it('shows a line printed before a pause at once; measures print → DOM (printed, not asserted)', async () => {
    const page = await kit.open('#/circles/acme/bench')
    await page.getByRole('textbox', { name: 'main.py editor' }).waitFor()
    await setEditor('main.py editor', CODE)
    await page.keyboard.press('ControlOrMeta+S')
    await expect.poll(() => page.getByTestId('save-state').textContent()).toContain('All changes saved')
    const seen = async (lines: number) => {
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
      await setEditor('Input JSON', JSON.stringify({ lines, gap: 0.05 }))
      await page.getByRole('button', { name: 'Run', exact: true }).click()
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { __seen: unknown[] }).__seen.length), {
          timeout: 30_000,
        })
        .toBe(lines)
      return page.evaluate(() => (window as unknown as { __seen: Array<[string, number]> }).__seen)
    }
    await seen(2) // a first (cold) run

    // A line printed before a long pause shows while the run is still going.
    await setEditor('Input JSON', JSON.stringify({ lines: 1, gap: 3 }))
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect
      .poll(() => page.getByTestId('run-logs').textContent(), { timeout: 30_000 })
      .toContain('tick 0')
    expect(await page.getByTestId('run-status').textContent()).toBe('running')
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 })
      .toBe('succeeded')

    const rows = await seen(20)
    const delays = rows
      .map(([text, at]) => {
        const m = /tick \d+ (\d+\.\d+)/.exec(text)
        return m ? at - Number(m[1]) * 1000 : null
      })
      .filter((d): d is number => d !== null)
      .sort((a, b) => a - b)
    const p = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]!
    console.log(
      `code runner: print → DOM over ${delays.length} lines: p50 ${p(0.5).toFixed(1)} ms, p90 ${p(0.9).toFixed(1)} ms, max ${delays[delays.length - 1]!.toFixed(1)} ms`,
    )
    expect(delays.length).toBe(20)
    expect(kit.problems).toEqual([])
  }, 60_000)
})

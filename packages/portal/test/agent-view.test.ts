// The agent view in a real Chromium against a real server, whose agent talks (through the real
// `openai` client and the outbound policy, which allows only its port) to the scripted model
// server standing in for the external model: AGENT.md edited in CodeMirror and saved (the version
// moves, the API reads it back), the API key set (sealed; never shown back), an element tool
// picked and a refused one shown at its row, then a run — the model's first line on screen while
// the model is still held, the tool call with its child run's link, the final answer — a
// failing run's issues.md, a run reopened from the history, a cancel, a conflicting save, and a
// read-only key.
// Axe finds no serious violations; screenshots are kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPython } from '../../server/src/http/runs-api/runs-api-helpers.ts'
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../server/test/scripted-model-server.ts'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

const ADD = 'def handler(input):\n    return {"sum": input["a"] + input["b"]}\n'
const SECRET = 'sk-portal-test-4242'

describe('agent view', () => {
  let server: TestServer
  let model: ScriptedModelServer
  let kit: PortalKit
  beforeAll(async () => {
    model = await startScriptedModelServer()
    server = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${model.port}` } })
    await server.createCircle('acme')
    await createPython(server, 'acme', 'add', ADD)
    // Data, not a function: an agent may not call it (a tool the server refuses).
    const data = await server.api('POST', '/api/acme', {
      element_type: 'variable',
      slug: 'just-data',
      spec: { value: 1 },
    })
    expect(data.status).toBe(201)
    const r = await server.api('POST', '/api/acme', {
      element_type: 'agent',
      slug: 'adder',
      name: 'Adder',
      spec: { instructions: 'You add numbers.', model: { base_url: model.baseUrl, model: 'scripted' } },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    kit = await startPortal({ server })
  }, 120_000)
  afterAll(async () => {
    await kit?.close()
    await server?.close()
    await model?.close()
  })

  const element = async () => (await server.api('GET', '/api/acme/adder')).body

  it('saves AGENT.md, the API key (never shown back) and an element tool', async () => {
    const page = await kit.open('#/circles/acme/adder')
    await page.getByRole('heading', { name: 'Adder', level: 1 }).waitFor()
    const version = page.getByTestId('version')
    await expect.poll(() => version.textContent()).toBe('version 1')

    const editor = page.getByRole('textbox', { name: 'Instructions (AGENT.md)' })
    await expect.poll(() => editor.textContent()).toContain('You add numbers.')
    await editor.click()
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.insertText('# Adder\n\nYou add numbers with the **add** tool, then say the sum.')
    await page.getByTestId('save-state').getByText('Unsaved changes').waitFor()
    await page.keyboard.press('ControlOrMeta+S')
    await expect.poll(() => version.textContent()).toBe('version 2')
    expect((await element()).spec.instructions).toBe(
      '# Adder\n\nYou add numbers with the **add** tool, then say the sum.',
    )

    const key = page.getByLabel('Api key', { exact: true })
    expect(await key.inputValue()).toBe('')
    await page.getByText('not set', { exact: true }).waitFor()
    await key.fill(SECRET)
    expect(await key.getAttribute('type')).toBe('password')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => version.textContent()).toBe('version 3')
    const after = page.getByLabel('Api key', { exact: true })
    await expect.poll(() => after.inputValue()).toBe('')
    await page.getByText('set', { exact: true }).waitFor()
    const stored = await element()
    expect(stored.spec.model.api_key).toEqual({ sealed: expect.any(String) })
    expect(JSON.stringify(stored)).not.toContain(SECRET)
    expect(await page.content()).not.toContain(SECRET)

    // A tool the server refuses is shown at its row; the element tool is kept.
    await page.getByLabel('Tool target').fill('add')
    await page.getByRole('button', { name: 'Add tool' }).click()
    await page.getByLabel('Tool target').fill('just-data')
    await page.getByLabel('Tool target').press('Enter')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    const tools = page.getByRole('list', { name: 'Tools' })
    await tools.getByRole('listitem').filter({ hasText: 'just-data' }).getByRole('alert').waitFor()
    expect((await screenshot(page, 'agent-tool-invalid')).colours).toBeGreaterThan(3)
    await page.getByRole('button', { name: 'Remove tool just-data' }).click()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => version.textContent()).toBe('version 4')
    expect((await element()).spec.tools).toEqual(['add'])
    // A long form, through the list as JSON: the tool gets a name of its own.
    await page.getByText('Edit as JSON').click()
    await page.getByLabel('Tools as JSON').fill('[{"element": "add", "name": "sum_two"}]')
    await page.getByRole('button', { name: 'Apply' }).click()
    await tools.getByText('as sum_two').waitFor()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => version.textContent()).toBe('version 5')
    expect((await element()).spec.tools).toEqual([{ element: 'add', name: 'sum_two' }])
    await page.getByLabel('Tools as JSON').fill('[{"element": "add"}]')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => version.textContent()).toBe('version 6')
    await page.getByText('Edit as JSON').click()
    // The sealed key went back unchanged with the other edits.
    expect((await element()).spec.model.api_key).toEqual(stored.spec.model.api_key)
    expect(await seriousA11yViolations(page)).toEqual([])
  }, 60_000)

  it('runs the agent: streamed text, the tool call with its child run, the answer', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    model.script([
      {
        chunks: ['I will add 2 and 3 with the tool.\n', 'Calling add now.'],
        holdAfterFirst: held,
        tool_calls: [{ name: 'add', arguments: { a: 2, b: 3 } }],
      },
      { content: 'The sum is 5.' },
    ])
    model.requests.length = 0
    const page = await kit.open('#/circles/acme/adder')
    const input = page.getByLabel('Input', { exact: true })
    await input.fill('What is 2 + 3?')
    await input.press('ControlOrMeta+Enter')
    // The model's first line is on screen while the model still holds the rest of its answer.
    const text = page.getByTestId('model-text')
    await text.getByText('I will add 2 and 3 with the tool.').waitFor()
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('running')
    await page.getByRole('button', { name: 'Cancel run' }).waitFor()
    expect(await page.getByTestId('run-output').count()).toBe(0)
    release()

    await page.getByTestId('run-output').getByText('The sum is 5.').waitFor()
    expect(await page.getByTestId('run-status').textContent()).toBe('succeeded')
    const steps = page.getByRole('list', { name: 'Steps' })
    await expect.poll(() => steps.getByRole('listitem').count()).toBe(3)
    const tool = steps.locator('[data-kind="tool"]')
    await tool.getByText('{"a":2,"b":3}').waitFor()
    expect(await tool.getByTestId('step-result').textContent()).toBe('{"sum":5}')
    const link = tool.getByRole('link', { name: /^child run [0-9a-f]{8}/ })
    const href = await link.getAttribute('href')
    expect(href).toMatch(/^#\/runs\/[0-9a-f-]{36}$/)
    const child = await server.api('GET', `/api/v1/runs/${href!.slice('#/runs/'.length)}`)
    expect(child.body.output).toEqual({ sum: 5 })
    expect(await text.textContent()).toContain('The sum is 5.')
    // The key the model was sent is the one typed in the browser (sealed in between).
    expect(model.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`)
    expect(model.requests[0]!.body.messages[0]!.content).toContain('You add numbers with the **add** tool')
    await page.getByTestId('run-history').getByText('succeeded').waitFor()

    const shot = await screenshot(page, 'agent-run')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Switch to dark theme' }).click()
    expect((await screenshot(page, 'agent-run-dark')).colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Switch to light theme' }).click()

    // The runs explorer: the agent run shows the same steps; the tool's child run its output.
    await page.getByRole('link', { name: /^Run [0-9a-f]{8}/ }).click()
    await page.waitForURL(/#\/runs\//)
    await page.getByRole('heading', { name: 'Agent steps' }).waitFor()
    await page
      .getByRole('list', { name: 'Steps' })
      .locator('[data-kind="tool"]')
      .getByText('{"sum":5}')
      .waitFor()
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('link', { name: /^child run [0-9a-f]{8}/ }).click()
    await page.waitForURL((u) => u.hash === href)
    await page.getByText('"sum": 5').first().waitFor()
  }, 60_000)

  it('shows issues.md of a failing run, and reopens a past run from the history', async () => {
    model.script([{ status: 400 }])
    const page = await kit.open('#/circles/acme/adder')
    await page.getByLabel('Input', { exact: true }).fill('{"a": 1, "b": 2}')
    await page.getByText('Sent as JSON.').waitFor()
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.getByTestId('run-error').getByText('AGENT_MODEL_ERROR').waitFor()
    const issues = page.getByTestId('run-issues')
    await issues.getByText(/the model call failed/).waitFor()
    expect(await issues.textContent()).toContain('Outcome: failed')
    expect((await screenshot(page, 'agent-run-failed')).colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])

    // The earlier run, picked from the history: its answer, steps and input come back.
    const history = page.getByTestId('run-history')
    await expect.poll(() => history.getByRole('row').count()).toBe(3)
    await history.getByRole('button', { name: /succeeded/ }).click()
    await page.getByTestId('run-output').getByText('The sum is 5.').waitFor()
    await expect.poll(() => page.getByLabel('Input', { exact: true }).inputValue()).toBe('What is 2 + 3?')
    await page.getByRole('list', { name: 'Steps' }).locator('[data-kind="tool"]').waitFor()
  }, 60_000)

  it('cancels a run in flight, and shows both versions when another writer saved first', async () => {
    model.script([{ hang: true }])
    const page = await kit.open('#/circles/acme/adder')
    await page.getByLabel('Input', { exact: true }).fill('Take your time.')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('running')
    await page.getByRole('button', { name: 'Cancel run' }).click()
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('cancelled')
    await page.getByTestId('run-error').getByText('RUN_CANCELLED').waitFor()
    // The model request held open was aborted, not left hanging.
    await expect.poll(() => model.aborted).toBeGreaterThan(0)

    const version = page.getByTestId('version')
    const before = Number((await version.textContent())!.replace('version ', ''))
    const editor = page.getByRole('textbox', { name: 'Instructions (AGENT.md)' })
    await editor.click()
    await page.keyboard.press('ControlOrMeta+End')
    await page.keyboard.insertText('\nMine: answer in one sentence.')
    const theirs = await server.api('PATCH', '/api/acme/adder/ops/update', {
      spec: { instructions: 'Theirs: answer in French.' },
      expected_version: before,
    })
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(200)
    await page
      .getByRole('status')
      .getByText(`now version ${before + 1}`)
      .waitFor()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    const conflict = page.getByRole('alert').filter({ hasText: 'Changed on the server while you edited' })
    await conflict
      .getByRole('row')
      .filter({ hasText: 'instructions' })
      .getByText(/Theirs: answer in French/)
      .waitFor()
    expect((await screenshot(page, 'agent-conflict')).colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await conflict.getByRole('button', { name: 'Keep mine (overwrite)' }).click()
    await expect.poll(() => version.textContent()).toBe(`version ${before + 2}`)
    expect((await element()).spec.instructions).toContain('Mine: answer in one sentence.')
  }, 60_000)

  it('offers a read-only key neither Save nor Run, and still shows the runs', async () => {
    const made = await server.api('POST', '/api/acme/ops/api_keys', { name: 'viewer', scopes: ['read'] })
    expect(made.status).toBe(201)
    await kit.page.getByRole('button', { name: 'Sign out' }).click()
    const page = await kit.open('#/circles/acme/adder', made.body.key)
    await page.getByText('Read-only: this key may not change the agent').waitFor()
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true)
    await expect.poll(() => page.getByTestId('run-history').getByRole('row').count()).toBe(4)
    expect(await page.content()).not.toContain(SECRET)
    await page.getByRole('button', { name: 'Sign out' }).click()
    expect(kit.problems).toEqual([])
  }, 60_000)
})

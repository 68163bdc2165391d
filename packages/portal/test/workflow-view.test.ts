// The workflow surface in a real Chromium against a real server: a workflow's task graph (a
// `set` sequence, a `for` loop and a `try`/`catch`, nested tasks indented), a run started from
// the panel whose steps turn every reached node "succeeded" (the catch, never reached, "not
// run"), a failing workflow whose `raise` node is "failed" with its error in the detail, an edit
// of the definition that redraws the graph, and the generic settings panel in its tab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

const GREET = `document: { dsl: '1.0.0', namespace: acme, name: greet, version: '1.0.0' }
do:
  - first: { set: { a: 1 } }
  - second: { set: { a: '\${ .a + 1 }' } }
  - loop:
      for: { each: n, in: '\${ [1, 2] }' }
      do:
        - inner: { set: { a: '\${ .a + $n }' } }
  - guarded:
      try:
        - risky: { set: { b: 2, a: '\${ .a }' } }
      catch:
        do:
          - recover: { set: { recovered: true } }
  - route:
      switch:
        - big: { when: '\${ .a > 100 }', then: end }
        - default: { then: continue }
  - split:
      fork:
        branches:
          - left: { set: { l: 1 } }
          - right: { set: { r: 1 } }
  - third: { set: { done: true } }
`

const BOOM = `document: { dsl: '1.0.0', namespace: acme, name: boom, version: '1.0.0' }
do:
  - prepare: { set: { x: 1 } }
  - explode:
      raise:
        error: { type: 'https://example.com/errors/boom', status: 400, title: Boom, detail: the fuse was lit }
  - never: { set: { y: 2 } }
`

describe('workflow view', () => {
  let server: TestServer
  let kit: PortalKit
  beforeAll(async () => {
    server = await startTestServer()
    await server.createCircle('acme')
    for (const [slug, definition] of [
      ['greet', GREET],
      ['boom', BOOM],
    ] as const) {
      const r = await server.api('POST', '/api/acme', {
        element_type: 'workflow',
        slug,
        spec: { definition },
      })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
    }
    kit = await startPortal({ server })
  }, 60_000)
  afterAll(async () => {
    await kit?.close()
    await server?.close()
  })

  it('draws every task, runs the workflow from the panel and overlays each step’s status', async () => {
    const page = await kit.open('#/circles/acme/greet')
    await page.getByRole('tab', { name: 'Graph', selected: true }).waitFor()
    const graph = page.getByTestId('task-graph')
    for (const [name, kind] of [
      ['first', 'set'],
      ['second', 'set'],
      ['loop', 'for'],
      ['inner', 'set'],
      ['guarded', 'try'],
      ['risky', 'set'],
      ['recover', 'set'],
      ['route', 'switch'],
      ['split', 'fork'],
      ['left', 'set'],
      ['right', 'set'],
      ['third', 'set'],
    ])
      await graph.getByRole('button', { name: `task ${name}, ${kind}`, exact: true }).waitFor()
    await graph.getByRole('list', { name: 'Cases of route' }).getByText('end').waitFor()
    await page.getByText('No runs yet:').waitFor()

    await page.getByRole('button', { name: 'Run…' }).click()
    await page.getByLabel('Input (JSON)').fill('{"who": "portal"}')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.getByRole('tab', { name: 'Graph', selected: true }).waitFor()
    for (const [name, kind] of [
      ['first', 'set'],
      ['second', 'set'],
      ['loop', 'for'],
      ['inner', 'set'],
      ['guarded', 'try'],
      ['risky', 'set'],
      ['route', 'switch'],
      ['split', 'fork'],
      ['left', 'set'],
      ['right', 'set'],
      ['third', 'set'],
    ])
      await graph.getByRole('button', { name: `task ${name}, ${kind}, succeeded` }).waitFor()
    await graph.getByRole('button', { name: 'task recover, set, not run' }).waitFor()
    // The loop body ran twice; the detail shows what the task did.
    await expect
      .poll(() => graph.locator('[data-position="/do/2/loop/do/0/inner"] .count').textContent())
      .toBe('ran 2 times')
    await page.getByRole('status').filter({ hasText: 'succeeded' }).first().waitFor()
    await graph.getByRole('button', { name: 'task second, set, succeeded' }).click()
    const detail = page.getByRole('complementary', { name: 'Task second' })
    await detail
      .getByRole('region', { name: 'Output' })
      .or(detail.getByLabel('Output', { exact: true }))
      .first()
      .waitFor()
    expect(await detail.getByLabel('Output', { exact: true }).textContent()).toContain('"a": 2')

    const shot = await screenshot(page, 'workflow-graph')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Switch to dark theme' }).click()
    const dark = await screenshot(page, 'workflow-graph-dark')
    expect(dark.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Switch to light theme' }).click()

    // The Runs tab lists the run, linked to the runs explorer.
    await page.getByRole('tab', { name: 'Runs' }).click()
    const table = page.getByRole('table', { name: 'Runs of this workflow' })
    await table.getByText('succeeded').waitFor()
    expect(await table.getByRole('link').count()).toBe(1)
    expect((await screenshot(page, 'workflow-runs')).colours).toBeGreaterThan(3)
  }, 45_000)

  it('shows the failed node of a failing workflow with its error', async () => {
    const page = await kit.open('#/circles/acme/boom')
    await page.getByRole('button', { name: 'task explode, raise', exact: true }).waitFor()
    await page.getByRole('button', { name: 'Run it' }).click()
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const graph = page.getByTestId('task-graph')
    await graph.getByRole('button', { name: 'task explode, raise, failed' }).waitFor()
    await graph.getByRole('button', { name: 'task prepare, set, succeeded' }).waitFor()
    await graph.getByRole('button', { name: 'task never, set, not run' }).waitFor()
    await page.getByRole('status').filter({ hasText: 'failed' }).first().waitFor()
    await graph.getByRole('button', { name: 'task explode, raise, failed' }).click()
    const detail = page.getByRole('complementary', { name: 'Task explode' })
    await detail.getByText('the fuse was lit').first().waitFor()
    const shot = await screenshot(page, 'workflow-graph-failed')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])
  }, 45_000)

  it('edits the definition (the graph follows) and shows the settings panel', async () => {
    await kit.open('#/circles')
    const page = await kit.open('#/circles/acme/boom')
    await page.getByRole('tab', { name: 'Definition' }).click()
    const editor = page.getByRole('textbox', { name: /^Definition/ })
    await expect.poll(() => editor.inputValue()).toContain('explode')
    await editor.fill(`${BOOM}  - tidy: { set: { z: 3 } }\n`)
    await page.getByRole('button', { name: 'Save definition' }).click()
    await page.getByText('Saved as version 2').waitFor()
    await page.getByRole('tab', { name: 'Graph' }).click()
    await page.getByRole('button', { name: 'task tidy, set', exact: true }).waitFor()

    await page.getByRole('tab', { name: 'Definition' }).click()
    await page
      .getByRole('textbox', { name: /^Definition/ })
      .fill('document: { dsl: 1.0.0 }\ndo: [ { x: { frobnicate: {} } } ]\n')
    await page.getByRole('button', { name: 'Save definition' }).click()
    await page
      .getByRole('alert')
      .getByText(/^WORKFLOW_/)
      .waitFor()

    expect((await screenshot(page, 'workflow-definition')).colours).toBeGreaterThan(3)
    await page.getByRole('tab', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor()
    expect(await seriousA11yViolations(page)).toEqual([])
    expect(kit.problems).toEqual([])
  }, 45_000)
})

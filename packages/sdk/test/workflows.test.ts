// client.workflows against a real server: list (filters, paging across pages), get by path, id
// or slug, versions with release tags, and executions.runAndWait — JSON input, File/Buffer
// inputs as multipart, an older version by its tag, a failing workflow, and the timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { NotFoundError, PeriodicClient, TimeoutError } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

const greet = (
  greeting: string,
) => `document: { dsl: '1.0.0', namespace: acme, name: greet, version: '1.0.0' }
do:
  - hello:
      set:
        greeting: '\${ "${greeting} " + (.who // "nobody") }'
        files: '\${ [ .[] | objects | select(.run_id) | .field + "=" + .name + ":" + (.size | tostring) ] }'
`

const SLOW = `document: { dsl: '1.0.0', namespace: acme, name: slow, version: '1.0.0' }
do:
  - nap: { wait: { seconds: 3 } }
  - done: { set: { slept: true } }
`

const FAILING = `document: { dsl: '1.0.0', namespace: acme, name: failing, version: '1.0.0' }
do:
  - boom:
      raise:
        error: { type: 'https://example.com/errors/nope', status: 400, title: 'Nope' }
`

beforeAll(async () => {
  server = await startTestServer()
  const admin = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await admin.elements.create('', { element_type: 'circle', slug: 'acme' })
  const key = await server.createKey('acme', ['read', 'write', 'execute'])
  client = new PeriodicClient({ baseUrl: server.url, apiKey: key })
  await client.elements.create('acme', {
    element_type: 'workflow',
    slug: 'greet',
    spec: { definition: greet('hello') },
  })
  for (const [slug, definition] of [
    ['slow', SLOW],
    ['failing', FAILING],
  ] as const)
    await client.elements.create('acme', { element_type: 'workflow', slug, spec: { definition } })
}, 60_000)

afterAll(async () => {
  await server?.close()
})

describe('client.workflows', () => {
  it('lists workflows with filters, and iterates every page', async () => {
    const page = await client.workflows.list({ limit: 2 })
    expect(page).toMatchObject({ total: 3, has_more: true })
    expect(page.workflows.map((w) => w.slug)).toEqual(['failing', 'greet'])
    const all = await client.workflows.list({ limit: 1 }).toArray()
    expect(all.map((w) => w.path)).toEqual(['acme/failing', 'acme/greet', 'acme/slow'])
    expect((await client.workflows.list({ search: 'SLO', folderId: null })).workflows).toMatchObject([
      { slug: 'slow', kind: 'workflow', folder_id: null },
    ])
    expect((await client.workflows.list({ kind: 'block' })).total).toBe(0)
  })

  it('gets one by path, id or slug, and throws NotFoundError for an unknown one', async () => {
    const byPath = await client.workflows.get('acme/greet')
    expect(byPath.definition).toBe(greet('hello'))
    expect(byPath.document).toMatchObject({ name: 'greet', version: '1.0.0' })
    expect((await client.workflows.get(byPath.id)).path).toBe('acme/greet')
    expect((await client.workflows.get('greet')).id).toBe(byPath.id)
    await expect(client.workflows.get('acme/nope')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('runs a workflow and waits: JSON input, File and Buffer inputs as multipart', async () => {
    const run = await client.workflows.executions.runAndWait('acme/greet', { input: { who: 'ada' } })
    expect(run).toMatchObject({ status: 'succeeded', output: { greeting: 'hello ada', files: [] } })
    const { steps } = await client.runs.steps(run.id)
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.every((st) => st.status === 'succeeded')).toBe(true)
    const withFiles = await client.workflows.executions.runAndWait('greet', {
      input: {
        who: 'bob',
        contract: new File(['%PDF-1.4'], 'contract.pdf', { type: 'application/pdf' }),
        notes: Buffer.from('abc'),
      },
    })
    expect(withFiles.status).toBe('succeeded')
    expect(withFiles.output).toEqual({
      greeting: 'hello bob',
      files: ['contract=contract.pdf:8', 'notes=notes:3'],
    })
    const files = await client.runs.files.list(withFiles.id)
    expect(files.map((f) => f.name).sort()).toEqual(['contract.pdf', 'notes'])
  })

  it('lists versions with release tags and runs an older one by its tag', async () => {
    await client.source('acme/greet').promote('demo')
    expect((await client.source('acme/greet').promote('live')).tag).toBe('v1')
    await client.elements.update('acme/greet', { spec: { definition: greet('hi') } })
    const versions = await client.workflows.versions('acme/greet', { includeDefinition: true })
    expect(versions.versions.map((v) => [v.version, v.tags, v.current])).toEqual([
      [2, [], true],
      [1, ['v1'], false],
    ])
    expect(versions.versions[0]?.definition).toBe(greet('hi'))
    const run = (version?: string) =>
      client.workflows.executions.runAndWait('acme/greet', { input: { who: 'cy' }, version })
    expect((await run('draft')).output).toMatchObject({ greeting: 'hi cy' })
    expect((await run('v1')).output).toMatchObject({ greeting: 'hello cy' })
  })

  it('resolves with a failed run when the workflow fails', async () => {
    const run = await client.workflows.executions.runAndWait('acme/failing')
    expect(run.status).toBe('failed')
    expect(run.error?.code).toBe('WORKFLOW_TASK_FAILED')
  })

  it('times out with TimeoutError RUN_WAIT_TIMEOUT while the run goes on', async () => {
    const err = await client.workflows.executions
      .runAndWait('acme/slow', { timeoutSeconds: 1 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TimeoutError)
    expect((err as TimeoutError).code).toBe('RUN_WAIT_TIMEOUT')
  })

  it('polls GET /api/v1/runs/{id} when the start answers 202 before the run ends', async () => {
    // A proxy that cuts every hold to 1 s: the start answers 202, then the client polls.
    const seen: string[] = []
    const proxied = new PeriodicClient({
      baseUrl: server.url,
      apiKey: await server.createKey('acme', ['read', 'execute']),
      fetch: (url, init) => {
        const capped = url
          .replace(/wait_for_completion=\d+/, 'wait_for_completion=1')
          .replace(/([?&]wait=)\d+/, '$11')
        seen.push(`${init.method} ${new URL(capped).pathname}${new URL(capped).search}`)
        return fetch(capped, init)
      },
    })
    const run = await proxied.workflows.executions.runAndWait('acme/slow', { timeoutSeconds: 60 })
    expect(run).toMatchObject({ status: 'succeeded', output: { slept: true } })
    expect(seen[0]).toBe('POST /api/v1/runs?wait_for_completion=1')
    expect(seen.slice(1).length).toBeGreaterThan(0)
    for (const s of seen.slice(1)) expect(s).toBe(`GET /api/v1/runs/${run.id}?wait=1`)
  })
})

// The workflows API over real HTTP: list with filters and paging, get by id, path or slug (404
// across circles), versions with release tags, and running a workflow through POST /api/v1/runs —
// JSON input, multipart file inputs (references in the input) and `version` naming an older release.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'

export const greet = (version: string, greeting = 'hello') => `# Says hello (comments are kept)
document: { dsl: '1.0.0', namespace: acme, name: greet, version: '${version}', summary: 'Greets someone' }
input:
  schema: { format: json, document: { type: object, properties: { who: { type: string } } } }
do:
  - hello:
      set: { greeting: '\${ "${greeting} " + .who }', files: '\${ [ .[] | objects | select(.run_id) | .name + ":" + .content_type + ":" + (.size | tostring) ] }' }
`

const block = `document: { dsl: '1.0.0', namespace: acme, name: shout, version: '0.1.0' }
do:
  - up: { set: { loud: true } }
`

describe.each(storageKinds())('workflows API on %s', (storage) => {
  let s: TestServer
  let key: string
  let otherKey: string
  let greetId: string
  let projectId: string

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    await s.createCircle('other')
    key = await s.createKey('acme', ['read', 'write', 'execute'])
    otherKey = await s.createKey('other', ['read', 'execute'])
    const created = await s.api('POST', '/api/acme', {
      element_type: 'workflow',
      slug: 'greet',
      intention: 'say hello',
      spec: { definition: greet('1.0.0') },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    greetId = created.body.id
    const project = await s.api('POST', '/api/acme', { element_type: 'project', slug: 'billing' })
    expect(project.status).toBe(201)
    projectId = project.body.id
    const b = await s.api('POST', '/api/acme/billing', {
      element_type: 'workflow',
      slug: 'shout',
      spec: { definition: block, kind: 'block' },
    })
    expect(b.status, JSON.stringify(b.body)).toBe(201)
    const theirs = await s.api('POST', '/api/other', {
      element_type: 'workflow',
      slug: 'secret-flow',
      spec: { definition: greet('9.9.9') },
    })
    expect(theirs.status).toBe(201)
  }, 60_000)
  afterAll(async () => s?.close())

  it('lists the circle’s workflows and blocks with their document header, folder and input schema', async () => {
    const r = await s.api('GET', '/api/v1/workflows', undefined, { key })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ total: 2, limit: 50, offset: 0, has_more: false })
    expect(r.body.workflows.map((w: { path: string }) => w.path)).toEqual([
      'acme/billing/shout',
      'acme/greet',
    ])
    expect(r.body.workflows[1]).toMatchObject({
      id: greetId,
      slug: 'greet',
      name: 'greet',
      namespace: 'acme',
      version: '1.0.0',
      description: 'Greets someone',
      kind: 'workflow',
      folder_id: null,
      element_version: 1,
      input_schema: { type: 'object' },
    })
    expect(r.body.workflows[0]).toMatchObject({ kind: 'block', folder_id: projectId, description: '' })
  })

  it('filters by kind, folder, exact name and search, and pages by offset', async () => {
    const list = async (q: string) =>
      (await s.api('GET', `/api/v1/workflows?${q}`, undefined, { key })).body.workflows.map(
        (w: { slug: string }) => w.slug,
      )
    expect(await list('kind=block')).toEqual(['shout'])
    expect(await list('kind=workflow')).toEqual(['greet'])
    expect(await list(`folder_id=${projectId}`)).toEqual(['shout'])
    expect(await list('folder_id=null')).toEqual(['greet'])
    expect(await list('name=greet')).toEqual(['greet'])
    expect(await list('name=gre')).toEqual([])
    expect(await list('search=GREETS')).toEqual(['greet'])
    expect(await list('search=zzz')).toEqual([])
    const page = await s.api('GET', '/api/v1/workflows?limit=1&offset=1', undefined, { key })
    expect(page.body).toMatchObject({ total: 2, has_more: false, workflows: [{ slug: 'greet' }] })
    expect((await s.api('GET', '/api/v1/workflows?limit=1', undefined, { key })).body.has_more).toBe(true)
    const bad = await s.api('GET', '/api/v1/workflows?kind=agent', undefined, { key })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('VALIDATION_FAILED')
    // Another circle's key sees only its own; the platform admin every circle, or one.
    expect((await s.api('GET', '/api/v1/workflows', undefined, { key: otherKey })).body.total).toBe(1)
    expect((await s.api('GET', '/api/v1/workflows')).body.total).toBe(3)
    expect((await s.api('GET', '/api/v1/workflows?circle=other')).body.workflows[0].slug).toBe('secret-flow')
    expect((await s.api('GET', '/api/v1/workflows?circle=other', undefined, { key })).body.total).toBe(0)
  })

  it('gets one by id, URL-encoded path or slug with its definition as written', async () => {
    for (const id of [greetId, encodeURIComponent('acme/greet'), 'greet']) {
      const r = await s.api('GET', `/api/v1/workflows/${id}`, undefined, { key })
      expect(r.status, id).toBe(200)
      expect(r.body.definition).toBe(greet('1.0.0'))
      expect(r.body.document).toEqual({
        dsl: '1.0.0',
        namespace: 'acme',
        name: 'greet',
        version: '1.0.0',
        summary: 'Greets someone',
      })
    }
    const nested = await s.api(
      'GET',
      `/api/v1/workflows/${encodeURIComponent('acme/billing/shout')}`,
      undefined,
      {
        key,
      },
    )
    expect(nested.body).toMatchObject({ kind: 'block', path: 'acme/billing/shout' })
  })

  it('answers 404 WORKFLOW_NOT_FOUND for unknown ids, other types and other circles (never 403)', async () => {
    const theirs = await s.api('GET', '/api/v1/workflows/secret-flow', undefined, { key: otherKey })
    expect(theirs.status).toBe(200)
    for (const id of [
      'nope',
      theirs.body.id,
      encodeURIComponent('other/secret-flow'),
      encodeURIComponent('nocircle/x'),
      projectId,
      '00000000-0000-4000-8000-000000000000',
    ]) {
      const r = await s.api('GET', `/api/v1/workflows/${id}`, undefined, { key })
      expect(r.status, id).toBe(404)
      expect(r.body.error.code).toBe('WORKFLOW_NOT_FOUND')
      const v = await s.api('GET', `/api/v1/workflows/${id}/versions`, undefined, { key })
      expect(v.status, id).toBe(404)
    }
    expect((await s.api('GET', '/api/v1/workflows', undefined, { key: null })).status).toBe(401)
  })

  it('runs a workflow through POST /api/v1/runs and waits for it', async () => {
    const r = await s.api(
      'POST',
      '/api/v1/runs?wait_for_completion=60',
      { target: 'acme/greet', input: { who: 'ada' } },
      { key },
    )
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body).toMatchObject({ status: 'succeeded', element_type: 'workflow', target: 'acme/greet' })
    expect(r.body.output).toEqual({ greeting: 'hello ada', files: [] })
  })

  it('gives a workflow its multipart file parts as references in its input', async () => {
    const form = new FormData()
    form.append('target', 'acme/greet')
    form.append('input', JSON.stringify({ who: 'bob' }))
    form.append('contract', new Blob(['%PDF-1.4 fake'], { type: 'application/pdf' }), 'contract.pdf')
    const res = await fetch(`${s.url}/api/v1/runs?wait_for_completion=60`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    })
    const run = (await res.json()) as any
    expect(res.status, JSON.stringify(run)).toBe(200)
    expect(run.output).toEqual({ greeting: 'hello bob', files: ['contract.pdf:application/pdf:13'] })
    const got = await s.api('GET', `/api/v1/runs/${run.id}?expand=input`, undefined, { key })
    expect(got.body.input.contract).toEqual({
      field: 'contract',
      name: 'contract.pdf',
      size: 13,
      content_type: 'application/pdf',
      path: 'input/contract.pdf',
      run_id: run.id,
    })
    const files = await s.api('GET', `/api/v1/runs/${run.id}/files`, undefined, { key })
    expect(files.body.files).toMatchObject([{ name: 'contract.pdf', field: 'contract', size: 13 }])
  })

  it('lists versions newest first with release tags, and runs an older one by its tag', async () => {
    const base = '/api/acme/greet/ops/source'
    expect((await s.api('POST', `${base}/promote`, { to: 'demo' })).status).toBe(200)
    const live = await s.api('POST', `${base}/promote`, { to: 'live' })
    expect(live.body.tag).toBe('v1')
    const up = await s.api(
      'PATCH',
      '/api/acme/greet',
      { spec: { definition: greet('2.0.0', 'hi') } },
      { key },
    )
    expect(up.status, JSON.stringify(up.body)).toBe(200)

    const r = await s.api('GET', `/api/v1/workflows/${greetId}/versions?include=definition`, undefined, {
      key,
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ workflow_id: greetId, path: 'acme/greet', total: 2, has_more: false })
    const [v2, v1] = r.body.versions
    expect(v2).toMatchObject({ version: 2, tags: [], current: true, document_version: '2.0.0' })
    expect(v2.ref).toMatch(/^[0-9a-f]{40}$/)
    expect(v2.definition).toBe(greet('2.0.0', 'hi'))
    expect(v1).toMatchObject({
      version: 1,
      tags: ['v1'],
      ref: 'v1',
      current: false,
      document_version: '1.0.0',
    })
    expect(v1.commit).toBe(live.body.commit)
    const paged = await s.api('GET', `/api/v1/workflows/greet/versions?limit=1&offset=1`, undefined, { key })
    expect(paged.body.versions.map((v: { version: number }) => v.version)).toEqual([1])
    expect(paged.body.versions[0].definition).toBeUndefined()

    const run = async (version?: string) =>
      (
        await s.api(
          'POST',
          '/api/v1/runs?wait_for_completion=60',
          { target: 'acme/greet', input: { who: 'cy' }, ...(version ? { version } : {}) },
          { key },
        )
      ).body
    // Promoted: the default is live (v1); `draft` or v2's commit runs the new definition.
    expect((await run()).output.greeting).toBe('hello cy')
    expect((await run('draft')).output.greeting).toBe('hi cy')
    expect((await run(v2.ref)).output.greeting).toBe('hi cy')
    const old = await run('v1')
    expect(old).toMatchObject({ status: 'succeeded', source_ref: 'v1', output: { greeting: 'hello cy' } })
    const missing = await s.api('POST', '/api/v1/runs', { target: 'acme/greet', version: 'v9' }, { key })
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('SOURCE_REF_NOT_FOUND')
  })
})

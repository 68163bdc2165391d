// The agents API over real HTTP: create scaffolds the agent's Source package (read back through
// the files endpoints and a git clone), list with search, slug and paging, get by id, path or
// slug (404 across circles), update with expected_version (409 when stale), scopes, the model key
// never shown, the deprecated file writes applied as a push is (an invalid spec.yaml → 400 with
// nothing written), and versions with their release tags.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'

const execFileAsync = promisify(execFile)
const MODEL = { base_url: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b' }
const KEY_TEXT = 'ollama-local-key-1234'

describe.each(storageKinds())('agents API on %s', (storage) => {
  let s: TestServer
  let key: string
  let readKey: string
  let otherKey: string
  let triageId: string

  beforeAll(async () => {
    s = await startTestServer({ storage, env: { PERIODIC_OUTBOUND_ALLOW: '127.0.0.1:11434' } })
    await s.createCircle('acme')
    await s.createCircle('other')
    key = await s.createKey('acme', ['read', 'write', 'execute'])
    readKey = await s.createKey('acme', ['read'])
    otherKey = await s.createKey('other', ['read', 'write'])
    const created = await s.api(
      'POST',
      '/api/v1/agents',
      {
        slug: 'invoice-triage',
        description: 'Sorts incoming invoices',
        model: { ...MODEL, api_key: KEY_TEXT, temperature: 0.2 },
        tools: ['acme/pdf-parse', 'acme/extract-invoice'],
      },
      { key },
    )
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    triageId = created.body.id
    const project = await s.api('POST', '/api/acme', { element_type: 'project', slug: 'billing' })
    expect(project.status).toBe(201)
    for (const [slug, instructions, parent] of [
      ['dunning', '# Chases late payers\nBe polite.', 'billing'],
      ['summarizer', 'Summarize contracts in three bullet points.', undefined],
    ] as const) {
      const r = await s.api('POST', '/api/v1/agents', { slug, instructions, parent, model: MODEL }, { key })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
    }
    const theirs = await s.api(
      'POST',
      '/api/v1/agents',
      { slug: 'secret-agent', model: MODEL },
      { key: otherKey },
    )
    expect(theirs.status).toBe(201)
  }, 60_000)
  afterAll(async () => s?.close())

  it('creates the agent with a starter AGENT.md, its spec and README in Source, and never shows the key', async () => {
    const r = await s.api('GET', `/api/v1/agents/${triageId}?include=files`, undefined, { key })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      slug: 'invoice-triage',
      path: 'acme/invoice-triage',
      name: 'Invoice Triage',
      description: 'Sorts incoming invoices',
      model: { ...MODEL, api_key_set: true, temperature: 0.2, max_tokens: null },
      tools: ['acme/pdf-parse', 'acme/extract-invoice'],
      max_steps: 10,
      version: 1,
      enabled: true,
    })
    expect(r.body.instructions).toMatch(/^# Invoice Triage\n/)
    expect(r.body.source_commit).toMatch(/^[0-9a-f]{40}$/)
    expect(r.body.files.map((f: { path: string }) => f.path)).toEqual([
      '.periodic/element.yaml',
      '.periodic/spec.yaml',
      'AGENT.md',
      'README.md',
    ])
    expect(JSON.stringify(r.body)).not.toContain(KEY_TEXT)
    const file = await s.api('GET', `/api/v1/agents/${triageId}/files?path=AGENT.md&ref=main`, undefined, {
      key,
    })
    expect(file.body).toMatchObject({
      path: 'AGENT.md',
      ref: 'draft',
      encoding: 'utf8',
      content: r.body.instructions,
    })
    const spec = await s.api('GET', `/api/v1/agents/${triageId}/files?path=.periodic/spec.yaml`, undefined, {
      key,
    })
    expect(spec.body.content).toContain('qwen2.5:7b')
    expect(spec.body.content).not.toContain(KEY_TEXT)
    const listed = await s.api('GET', `/api/v1/agents/${triageId}/files?prefix=.periodic/`, undefined, {
      key,
    })
    expect(listed.body.files.map((f: { path: string }) => f.path)).toEqual([
      '.periodic/element.yaml',
      '.periodic/spec.yaml',
    ])
    const missing = await s.api('GET', `/api/v1/agents/${triageId}/files?path=nope.md`, undefined, { key })
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('AGENT_FILE_NOT_FOUND')
  })

  it('lists the circle’s agents with search, slug, paging and archived ones on request', async () => {
    const all = await s.api('GET', '/api/v1/agents', undefined, { key })
    expect(all.status).toBe(200)
    expect(all.body).toMatchObject({ total: 3, limit: 50, offset: 0, has_more: false })
    expect(all.body.agents.map((a: { path: string }) => a.path)).toEqual([
      'acme/billing/dunning',
      'acme/invoice-triage',
      'acme/summarizer',
    ])
    const search = async (q: string) =>
      (await s.api('GET', `/api/v1/agents?${q}`, undefined, { key })).body.agents.map(
        (a: { slug: string }) => a.slug,
      )
    expect(await search('search=late%20PAYERS')).toEqual(['dunning'])
    expect(await search('search=billing')).toEqual(['dunning'])
    expect(await search('search=qwen2.5')).toHaveLength(3)
    expect(await search('slug=summarizer')).toEqual(['summarizer'])
    const page = await s.api('GET', '/api/v1/agents?limit=2&offset=1', undefined, { key })
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 1, has_more: false })
    expect(page.body.agents.map((a: { slug: string }) => a.slug)).toEqual(['invoice-triage', 'summarizer'])
    const first = await s.api('GET', '/api/v1/agents?limit=1', undefined, { key })
    expect(first.body.has_more).toBe(true)

    const off = await s.api(
      'PATCH',
      '/api/v1/agents/acme%2Fsummarizer',
      { enabled: false },
      { key: s.adminKey },
    )
    expect(off.status, JSON.stringify(off.body)).toBe(200)
    expect(off.body.enabled).toBe(false)
    expect(await search('')).toEqual(['dunning', 'invoice-triage'])
    expect(await search('include_archived=true')).toEqual(['dunning', 'invoice-triage', 'summarizer'])
    const bad = await s.api('GET', '/api/v1/agents?limit=0', undefined, { key })
    expect(bad.status).toBe(400)
    const admin = await s.api('GET', '/api/v1/agents?circle=other', undefined, { key: s.adminKey })
    expect(admin.body.agents.map((a: { path: string }) => a.path)).toEqual(['other/secret-agent'])
  })

  it('gets an agent by id, path or slug; another circle’s is not found', async () => {
    for (const id of [triageId, 'acme%2Finvoice-triage', 'invoice-triage']) {
      const r = await s.api('GET', `/api/v1/agents/${id}`, undefined, { key })
      expect(r.status, id).toBe(200)
      expect(r.body.id).toBe(triageId)
    }
    const nested = await s.api('GET', '/api/v1/agents/acme%2Fbilling%2Fdunning', undefined, { key })
    expect(nested.body.summary).toBe('Chases late payers')
    for (const id of ['secret-agent', 'other%2Fsecret-agent', 'billing']) {
      const r = await s.api('GET', `/api/v1/agents/${id}`, undefined, { key })
      expect(r.status, id).toBe(404)
      expect(r.body.error.code).toBe('AGENT_NOT_FOUND')
    }
    const theirs = await s.api('GET', `/api/v1/agents/${triageId}/files`, undefined, { key: otherKey })
    expect(theirs.status).toBe(404)
  })

  it('refuses writes to a read-only key and bad input with a field', async () => {
    const create = await s.api('POST', '/api/v1/agents', { slug: 'nope', model: MODEL }, { key: readKey })
    expect(create.status).toBe(403)
    const patch = await s.api('PATCH', `/api/v1/agents/${triageId}`, { name: 'x' }, { key: readKey })
    expect(patch.status).toBe(403)
    const put = await s.api(
      'PUT',
      `/api/v1/agents/${triageId}/files?path=AGENT.md`,
      { content: 'x' },
      { key: readKey },
    )
    expect(put.status).toBe(403)
    const noModel = await s.api('POST', '/api/v1/agents', { slug: 'no-model' }, { key })
    expect(noModel.status).toBe(400)
    expect(noModel.body.error.details.field).toBe('model')
    const hot = await s.api('PATCH', `/api/v1/agents/${triageId}`, { model: { temperature: 3 } }, { key })
    expect(hot.status).toBe(400)
    expect(hot.body.error.details.field).toMatch(/temperature/)
    const taken = await s.api('POST', '/api/v1/agents', { slug: 'invoice-triage', model: MODEL }, { key })
    expect(taken.status).toBe(409)
    const elsewhere = await s.api(
      'POST',
      '/api/v1/agents',
      { slug: 'x', circle: 'other', model: MODEL },
      { key },
    )
    expect(elsewhere.status).toBe(400)
    expect(elsewhere.body.error.code).toBe('AGENT_PARENT_INVALID')
    const disable = await s.api('PATCH', `/api/v1/agents/${triageId}`, { enabled: false }, { key })
    expect(disable.status).toBe(403)
  })

  it('updates configuration at the expected version and refuses a stale one with 409', async () => {
    const before = (await s.api('GET', `/api/v1/agents/${triageId}`, undefined, { key })).body
    const r = await s.api(
      'PATCH',
      `/api/v1/agents/${triageId}`,
      {
        expected_version: before.version,
        instructions: '# Triage\nRoute each invoice to the right team.',
        model: { model: 'llama3.1:8b', max_tokens: 512 },
        max_steps: 4,
        output_schema: { type: 'object', required: ['team'] },
      },
      { key },
    )
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body).toMatchObject({
      version: before.version + 1,
      summary: 'Triage',
      model: { base_url: MODEL.base_url, model: 'llama3.1:8b', api_key_set: true, max_tokens: 512 },
      max_steps: 4,
      output_schema: { type: 'object', required: ['team'] },
    })
    const stale = await s.api(
      'PATCH',
      `/api/v1/agents/${triageId}`,
      { expected_version: before.version, name: 'Old' },
      { key },
    )
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('VERSION_CONFLICT')
    const agentMd = await s.api('GET', `/api/v1/agents/${triageId}/files?path=AGENT.md`, undefined, { key })
    expect(agentMd.body.content).toBe('# Triage\nRoute each invoice to the right team.')
    const cleared = await s.api(
      'PATCH',
      `/api/v1/agents/${triageId}`,
      { model: { api_key: null }, output_schema: null },
      { key },
    )
    expect(cleared.body.model.api_key_set).toBe(false)
    expect(cleared.body.output_schema).toBeNull()
    const back = await s.api('PATCH', `/api/v1/agents/${triageId}`, { model: { api_key: KEY_TEXT } }, { key })
    expect(back.body.model.api_key_set).toBe(true)
    expect(JSON.stringify(back.body)).not.toContain(KEY_TEXT)
  })

  it('writes AGENT.md and the spec through the deprecated file uploads, refusing an invalid tree whole', async () => {
    const before = (await s.api('GET', `/api/v1/agents/${triageId}`, undefined, { key })).body
    const put = await s.api(
      'PUT',
      `/api/v1/agents/${triageId}/files?path=AGENT.md`,
      { content: '# Sorter\nSort invoices by due date.\n' },
      { key },
    )
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body.agent).toMatchObject({
      version: before.version + 1,
      instructions: '# Sorter\nSort invoices by due date.\n',
    })
    expect(put.body.commit).toBe(put.body.agent.source_commit)

    const spec = (
      await s.api('GET', `/api/v1/agents/${triageId}/files?path=.periodic/spec.yaml`, undefined, { key })
    ).body.content as string
    const up = await s.api(
      'POST',
      `/api/v1/agents/${triageId}/files`,
      {
        files: {
          '.periodic/spec.yaml': spec.replace(/max_steps: \d+/, 'max_steps: 7'),
          'README.md': '# Sorter\n',
        },
      },
      { key },
    )
    expect(up.status, JSON.stringify(up.body)).toBe(200)
    expect(up.body.agent).toMatchObject({
      max_steps: 7,
      model: { api_key_set: true },
      version: before.version + 2,
    })
    expect(up.body.paths).toEqual(['.periodic/spec.yaml', 'README.md'])

    const head = up.body.commit
    for (const [files, code] of [
      [{ '.periodic/spec.yaml': 'max_steps: [' }, 'VALIDATION_FAILED'],
      [{ '.periodic/spec.yaml': spec.replace(/max_steps: \d+/, 'max_steps: 9999') }, 'VALIDATION_FAILED'],
      [{ 'AGENT.md': 'use sk-proj-abcdefghijklmnopqrstuvwxyz123456' }, 'SOURCE_TREE_REFUSED'],
      [{ 'notes/todo.md': 'x' }, 'SOURCE_FILE_NOT_KEPT'],
      [{ '../escape': 'x' }, 'SOURCE_PATH_INVALID'],
    ] as const) {
      const r = await s.api('POST', `/api/v1/agents/${triageId}/files`, { files }, { key })
      expect(r.status, JSON.stringify(r.body)).toBe(400)
      expect(r.body.error.code).toBe(code)
    }
    const live = await s.api(
      'PUT',
      `/api/v1/agents/${triageId}/files?path=AGENT.md&ref=live`,
      { content: 'x' },
      { key },
    )
    expect(live.body.error.code).toBe('AGENT_REF_READ_ONLY')
    const after = (await s.api('GET', `/api/v1/agents/${triageId}`, undefined, { key })).body
    expect(after).toMatchObject({ version: before.version + 2, max_steps: 7, source_commit: head })
  })

  it('lists versions with the release tag a promotion to live made', async () => {
    const base = '/api/acme/billing/dunning/ops/source'
    expect((await s.api('POST', `${base}/promote`, { to: 'demo' })).status).toBe(200)
    expect((await s.api('POST', `${base}/promote`, { to: 'live' })).body.tag).toBe('v1')
    const up = await s.api(
      'PATCH',
      '/api/v1/agents/acme%2Fbilling%2Fdunning',
      { model: { model: 'mistral' } },
      { key },
    )
    expect(up.status).toBe(200)
    const r = await s.api('GET', '/api/v1/agents/dunning/versions', undefined, { key })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ path: 'acme/billing/dunning', total: 2, has_more: false })
    const [v2, v1] = r.body.versions
    expect(v2).toMatchObject({ version: 2, tags: [], current: true, model: 'mistral' })
    expect(v2.ref).toMatch(/^[0-9a-f]{40}$/)
    expect(v1).toMatchObject({ version: 1, tags: ['v1'], ref: 'v1', current: false, model: 'qwen2.5:7b' })
    const tagged = await s.api('GET', '/api/v1/agents/dunning/files?path=AGENT.md&ref=v1', undefined, { key })
    expect(tagged.body.content).toBe('# Chases late payers\nBe polite.')
  })

  it.runIf(storage === 'sqlite')('scaffolds a package stock git clones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'periodic-agents-git-'))
    try {
      const url = `${s.url.replace('://', `://periodic:${key}@`)}/git/acme/summarizer.git`
      await execFileAsync('git', ['clone', '-q', '--branch', 'draft', url, 'summarizer'], {
        cwd: dir,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      })
      expect(readFileSync(join(dir, 'summarizer', 'AGENT.md'), 'utf8')).toBe(
        'Summarize contracts in three bullet points.',
      )
      expect(readFileSync(join(dir, 'summarizer', '.periodic', 'spec.yaml'), 'utf8')).toContain(
        'base_url: http://127.0.0.1:11434/v1',
      )
      expect(readFileSync(join(dir, 'summarizer', 'README.md'), 'utf8')).toMatch(/^# Summarizer\n/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

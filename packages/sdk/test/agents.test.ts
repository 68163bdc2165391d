// client.agents against a real server: create (scaffolded AGENT.md), list (search, paging across
// pages with for await), get by path, id or slug, update with expectedVersion (ConflictError when
// stale), files read and written (putFile, uploadFiles; an invalid spec is a ValidationError
// with nothing written) and versions with a release tag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import {
  type AgentFileContent,
  ConflictError,
  NotFoundError,
  PeriodicClient,
  ValidationError,
} from '../src/index.ts'

let server: TestServer
let client: PeriodicClient
const model = { base_url: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b' }

beforeAll(async () => {
  server = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: '127.0.0.1:11434' } })
  await server.createCircle('acme')
  client = new PeriodicClient({
    baseUrl: server.url,
    apiKey: await server.createKey('acme', ['read', 'write']),
  })
  for (const slug of ['alpha', 'beta', 'gamma'])
    await client.agents.create({ slug, model, instructions: `# ${slug} helper\nHelp.` })
}, 60_000)
afterAll(async () => server?.close())

describe('client.agents', () => {
  it('creates an agent with a starter AGENT.md and reads it back', async () => {
    const a = await client.agents.create({
      slug: 'invoice-triage',
      model: { ...model, api_key: 'secret-key-value' },
      tools: ['acme/pdf-parse'],
    })
    expect(a).toMatchObject({ path: 'acme/invoice-triage', model: { api_key_set: true }, version: 1 })
    expect(a.files?.map((f) => f.path)).toContain('AGENT.md')
    const file = (await client.agents.listFiles('acme/invoice-triage', {
      path: 'AGENT.md',
    })) as AgentFileContent
    expect(file.content).toBe(a.instructions)
    expect(JSON.stringify(await client.agents.get(a.id))).not.toContain('secret-key-value')
    expect((await client.agents.get('invoice-triage', { includeFiles: true })).files).toHaveLength(4)
    await expect(client.agents.get('nobody')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('lists with search and pages through every agent', async () => {
    const page = await client.agents.list({ search: 'BETA helper' })
    expect(page.agents.map((a) => a.slug)).toEqual(['beta'])
    const slugs: string[] = []
    for await (const a of client.agents.list({ limit: 2 })) slugs.push(a.slug)
    expect(slugs).toEqual(['alpha', 'beta', 'gamma', 'invoice-triage'])
  })

  it('updates at the expected version and throws ConflictError when stale', async () => {
    const a = await client.agents.get('alpha')
    const up = await client.agents.update('alpha', {
      expected_version: a.version,
      max_steps: 3,
      model: { temperature: 0 },
    })
    expect(up).toMatchObject({
      version: a.version + 1,
      max_steps: 3,
      model: { temperature: 0, model: 'qwen2.5:7b' },
    })
    await expect(
      client.agents.update('alpha', { expected_version: a.version, name: 'x' }),
    ).rejects.toBeInstanceOf(ConflictError)
  })

  it('writes files (deprecated) and refuses an invalid spec with nothing written', async () => {
    const put = await client.agents.putFile('beta', 'AGENT.md', '# Beta\nBe brief.\n', { message: 'Brief' })
    expect(put.agent.instructions).toBe('# Beta\nBe brief.\n')
    const specText = (
      (await client.agents.listFiles('beta', { path: '.periodic/spec.yaml' })) as AgentFileContent
    ).content
    const up = await client.agents.uploadFiles('beta', {
      '.periodic/spec.yaml': specText.replace(/timeout_s: \d+/, 'timeout_s: 30'),
    })
    expect(up.agent.timeout_s).toBe(30)
    await expect(
      client.agents.uploadFiles('beta', { '.periodic/spec.yaml': 'timeout_s: -1\n' }),
    ).rejects.toBeInstanceOf(ValidationError)
    expect((await client.agents.get('beta')).version).toBe(up.agent.version)
    const listed = await client.agents.listFiles('beta', { prefix: '.periodic/' })
    expect('files' in listed && listed.files.map((f) => f.path)).toEqual([
      '.periodic/element.yaml',
      '.periodic/spec.yaml',
    ])
  })

  it('lists versions with release tags', async () => {
    await server.api('POST', '/api/acme/gamma/ops/source/promote', { to: 'demo' })
    await server.api('POST', '/api/acme/gamma/ops/source/promote', { to: 'live' })
    const v = await client.agents.versions('gamma')
    expect(v.versions[0]).toMatchObject({ version: 1, tags: ['v1'], ref: 'v1', current: true })
  })
})

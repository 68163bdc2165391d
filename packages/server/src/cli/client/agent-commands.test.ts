// `periodic agents` against a real server, in-process with captured output: create exactly as
// the docs show (circle positional, model flags, tools, AGENT.md from --file), list, get, update,
// files read and written, versions; usage mistakes exit 2, API refusals exit 1 with their code.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliAgainst } from '../../../test/cli-harness.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const INSTRUCTIONS = '# Invoice triage\nRead the invoice and route it to the right team.\n'

describe('periodic agents', () => {
  let s: TestServer
  const dir = mkdtempSync(join(tmpdir(), 'periodic-cli-agents-'))
  const agentMd = join(dir, 'AGENT.md')
  beforeAll(async () => {
    s = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: '127.0.0.1:11434' } })
    await s.createCircle('acme')
    writeFileSync(agentMd, INSTRUCTIONS)
  })
  afterAll(async () => s?.close())

  const cli = cliAgainst(() => s)

  it('creates an agent as the docs show, then lists and gets it', async () => {
    const created = await cli(
      'agents',
      'create',
      'acme',
      '--slug',
      'invoice-triage',
      '--model-base-url',
      'http://127.0.0.1:11434/v1',
      '--model',
      'qwen2.5:7b',
      '--tools',
      'acme/pdf-parse,acme/extract-invoice',
      '--file',
      agentMd,
    )
    expect(created.err).toBe('')
    expect(created.code).toBe(0)
    expect(created.out).toMatch(/^created acme\/invoice-triage \(version 1\)/)
    const list = await cli('agents', 'list', 'acme')
    expect(list.out).toMatch(/^PATH\s+MODEL\s+TOOLS/)
    expect(list.out).toMatch(/acme\/invoice-triage\s+qwen2\.5:7b\s+2\s+1\s+true\s+Invoice triage/)
    const get = JSON.parse((await cli('agents', 'get', 'acme/invoice-triage', '--json')).out)
    expect(get).toMatchObject({
      instructions: INSTRUCTIONS,
      tools: ['acme/pdf-parse', 'acme/extract-invoice'],
      model: { base_url: 'http://127.0.0.1:11434/v1', api_key_set: false },
    })
    expect((await cli('agents', 'files', 'acme/invoice-triage', 'AGENT.md')).out).toBe(INSTRUCTIONS)
    expect((await cli('agents', 'files', 'acme/invoice-triage')).out).toMatch(/\.periodic\/spec\.yaml/)
  })

  it('updates, writes a file, and lists versions', async () => {
    const up = await cli(
      'agents',
      'update',
      'acme/invoice-triage',
      '--model',
      'llama3.1',
      '--spec',
      '{"max_steps":5}',
    )
    expect(up.out).toBe('updated acme/invoice-triage (version 2)\n')
    const stale = await cli(
      'agents',
      'update',
      'acme/invoice-triage',
      '--name',
      'X',
      '--expected-version',
      '1',
    )
    expect(stale.code).toBe(1)
    expect(stale.err).toMatch(/VERSION_CONFLICT/)
    writeFileSync(agentMd, '# Triage v3\n')
    const w = await cli('agents', 'files', 'acme/invoice-triage', 'AGENT.md', '--file', agentMd)
    expect(w.out).toMatch(/^wrote AGENT\.md to draft \([0-9a-f]{12}, version 3\)/)
    const v = await cli('agents', 'versions', 'acme/invoice-triage')
    expect(v.out).toMatch(/^VERSION\s+TAGS\s+REF\s+MODEL/)
    expect(v.out.trim().split('\n')).toHaveLength(4)
  })

  it('refuses usage mistakes with exit 2', async () => {
    expect((await cli('agents', 'create', 'acme', '--model', 'm')).code).toBe(2)
    expect((await cli('agents', 'create', 'acme', '--slug', 'x')).err).toMatch(/--model-base-url/)
    expect((await cli('agents', 'nope', 'x')).code).toBe(2)
    expect((await cli('agents', 'list', '--definition')).code).toBe(2)
    const missing = await cli('agents', 'get', 'acme/nobody')
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/AGENT_NOT_FOUND/)
  })
})

// `periodic agents email` against a real server: creates an alias and prints its address; a
// taken alias and a bad rate are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliAgainst } from '../../../test/cli-harness.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

describe('periodic agents email', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: '127.0.0.1' } })
    await s.createCircle('acme')
    const spec = { model: { base_url: 'http://127.0.0.1:9/v1', model: 'scripted' } }
    expect(
      (await s.api('POST', '/api/acme', { element_type: 'agent', slug: 'invoice-triage', spec })).status,
    ).toBe(201)
  })
  afterAll(async () => s?.close())
  const cli = cliAgainst(() => s)

  it('creates an alias and prints its address', async () => {
    const made = await cli('agents', 'email', 'acme/invoice-triage', '--alias', 'invoices')
    expect(made.code, made.err).toBe(0)
    expect(made.out.split('\n')[0]).toBe('invoices@periodic.local')
    const generated = await cli('agents', 'email', 'acme/invoice-triage', '--rate-limit', '5', '--json')
    expect(generated.code).toBe(0)
    expect(JSON.parse(generated.out)).toMatchObject({ rate_limit_per_minute: 5, enabled: true })
    expect(JSON.parse(generated.out).address).toMatch(/^invoice-triage-[0-9a-f]{6}@periodic\.local$/)
  })

  it('reports a taken alias and refuses a bad rate', async () => {
    const taken = await cli('agents', 'email', 'acme/invoice-triage', '--alias', 'invoices')
    expect(taken.code).toBe(1)
    expect(taken.err).toMatch(/AGENT_EMAIL_ALIAS_TAKEN/)
    expect((await cli('agents', 'email', 'acme/invoice-triage', '--rate-limit', 'lots')).code).toBe(2)
    expect((await cli('agents', 'email')).code).toBe(2)
  })
})

// `periodic workflows` against a real server, in-process with captured output: list with
// filters, get (record and definition), run with JSON and file inputs (--wait and not), run an
// older release by --version, versions; usage mistakes exit 2, a failed workflow exits 1.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliAgainst } from '../../../test/cli-harness.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { pollRun } from '../../http/runs-api/runs-api-helpers.ts'

const extract = (
  label: string,
) => `document: { dsl: '1.0.0', namespace: cli, name: extract-invoice, version: '1.0.0', summary: 'Reads a contract' }
do:
  - read:
      set:
        label: ${label}
        customer: '\${ .customer }'
        contract: '\${ .contract.name + " " + (.contract.size | tostring) }'
`
const FAILING = `document: { dsl: '1.0.0', namespace: cli, name: failing, version: '1.0.0' }
do:
  - boom: { raise: { error: { type: 'https://example.com/nope', status: 400 } } }
`

describe('periodic workflows', () => {
  let s: TestServer
  const dir = mkdtempSync(join(tmpdir(), 'periodic-cli-workflows-'))
  const contract = join(dir, 'contract.pdf')
  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('cli')
    for (const [slug, definition] of [
      ['extract-invoice', extract('first')],
      ['failing', FAILING],
    ]) {
      const r = await s.api('POST', '/api/cli', { element_type: 'workflow', slug, spec: { definition } })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
    }
    writeFileSync(contract, '%PDF-1.4 twelve')
  })
  afterAll(async () => s?.close())

  const cli = cliAgainst(() => s)

  it('lists and gets workflows', async () => {
    const list = await cli('workflows', 'list')
    expect(list.code).toBe(0)
    expect(list.out).toMatch(/^PATH\s+KIND\s+NAME/)
    expect(list.out).toMatch(
      /cli\/extract-invoice\s+workflow\s+extract-invoice\s+1\.0\.0\s+1\s+Reads a contract/,
    )
    const filtered = await cli('workflows', 'list', '--search', 'contract', '--json')
    expect(JSON.parse(filtered.out).workflows.map((w: { slug: string }) => w.slug)).toEqual([
      'extract-invoice',
    ])
    const get = await cli('workflows', 'get', 'cli/extract-invoice')
    expect(get.out).toMatch(/path\s+cli\/extract-invoice/)
    expect((await cli('workflows', 'get', 'cli/extract-invoice', '--definition')).out).toBe(extract('first'))
    const missing = await cli('workflows', 'get', 'cli/nope')
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/WORKFLOW_NOT_FOUND/)
  })

  it('runs with --input and --file and waits; without --wait prints the run id', async () => {
    const r = await cli(
      'workflows',
      'run',
      'cli/extract-invoice',
      '--file',
      `contract=${contract}`,
      '--input',
      '{"customer":"acme"}',
      '--wait',
      '--json',
    )
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({
      status: 'succeeded',
      output: { label: 'first', customer: 'acme', contract: 'contract.pdf 15' },
    })
    const started = await cli('workflows', 'run', 'cli/extract-invoice', '--input', '{"customer":"b"}')
    expect(started.code).toBe(0)
    const id = /^run ([0-9a-f-]{36}) /.exec(started.out)?.[1]
    expect(id, started.out).toBeDefined()
    expect((await pollRun(s, id!)).status).toBe('succeeded')
  })

  it('lists versions and runs an older release with --version', async () => {
    await s.api('POST', '/api/cli/extract-invoice/ops/source/promote', { to: 'demo' })
    await s.api('POST', '/api/cli/extract-invoice/ops/source/promote', { to: 'live' })
    await s.api('PATCH', '/api/cli/extract-invoice', { spec: { definition: extract('second') } })
    const versions = await cli('workflows', 'versions', 'cli/extract-invoice')
    expect(versions.out).toMatch(/^VERSION\s+TAGS\s+REF/)
    expect(versions.out).toMatch(/\n1\s+v1\s+v1\s+1\.0\.0/)
    const run = async (version: string) =>
      JSON.parse(
        (await cli('workflows', 'run', 'cli/extract-invoice', '--version', version, '--wait', '30', '--json'))
          .out,
      ).output.label
    expect(await run('v1')).toBe('first')
    expect(await run('draft')).toBe('second')
  })

  it('exits 1 for a failed workflow and 2 for usage mistakes', async () => {
    const failed = await cli('workflows', 'run', 'cli/failing', '--wait')
    expect(failed.code).toBe(1)
    expect(failed.out).toMatch(/status\s+failed/)
    for (const argv of [
      ['workflows', 'run', 'cli/extract-invoice', '--file', 'contract'],
      ['workflows', 'run', 'cli/extract-invoice', '--file', `x=${join(dir, 'missing.pdf')}`],
      ['workflows', 'run', 'cli/extract-invoice', '--input', '[1]'],
      ['workflows', 'list', '--kind', 'agent'],
      ['workflows', 'frobnicate', 'x'],
      ['workflows', 'list', '--room', 'x'],
    ]) {
      const r = await cli(...argv)
      expect(r.code, argv.join(' ')).toBe(2)
    }
  })
})

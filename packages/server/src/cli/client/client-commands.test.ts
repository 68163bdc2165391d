// The CLI's client commands against a real server, in-process with captured output: exit
// codes, --json, error codes, and where the key comes from.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliAgainst } from '../../../test/cli-harness.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { runClientCommand } from './client-commands.ts'
import { resolveClientConfig } from './client-config.ts'

describe('periodic client commands', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('cli')
    const code =
      'import time\ndef handler(input):\n    time.sleep(input.get("sleep", 0))\n    print("got", input.get("n"))\n    if input.get("fail"): raise ValueError("asked to fail")\n    return {"n": input.get("n")}\n'
    const r = await s.api('POST', '/api/cli', {
      element_type: 'python',
      slug: 'fn',
      spec: { source: { type: 'inline', code } },
    })
    expect(r.status).toBe(201)
  })
  afterAll(async () => s?.close())

  const cli = cliAgainst(() => s)

  it('prints a finished run, and exits 1 with the error when the run failed', async () => {
    const ok = await cli('invoke', 'cli/fn', '--data', '{"n":1}', '--wait', '30')
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/status\s+succeeded/)
    const failed = await cli('invoke', 'cli/fn', '--data', '{"fail":true}', '--wait')
    expect(failed.code).toBe(1)
    expect(failed.out).toContain('PYTHON_RUNTIME_ERROR')
  })

  it('answers --json with the API objects', async () => {
    const r = await cli('invoke', 'cli/fn', '--data', '{"n":2}', '--wait', '--json')
    expect(JSON.parse(r.out)).toMatchObject({ status: 'succeeded', output: { n: 2 } })
    const list = await cli('runs', 'list', '--target', 'cli/fn', '--limit', '2', '--json')
    const page = JSON.parse(list.out)
    expect(page.runs).toHaveLength(2)
    expect(page.has_more).toBe(true)
    const el = JSON.parse((await cli('elements', 'get', 'cli/fn', '--json')).out)
    expect(el).toMatchObject({ slug: 'fn', element_type: 'python' })
  })

  it('prints the error code and exits 1 on an API error, 2 on a usage mistake', async () => {
    const missing = await cli('elements', 'get', 'cli/nope')
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/^periodic elements: ELEMENT_NOT_FOUND: /)
    expect((await cli('elements', 'create', 'cli', '--type', 'variable')).code).toBe(2)
    expect((await cli('invoke', 'cli/fn', '--data', '{not json')).code).toBe(2)
    expect((await cli('runs', 'explode', 'x')).code).toBe(2)
    expect((await cli('invoke', 'cli/fn', '--no-such-flag')).code).toBe(2)
    const badKey = await runClientCommand(
      'elements',
      ['get', 'cli/fn', '--url', s.url, '--key', 'pk_wrong_but_long_enough'],
      {
        out: () => {},
        err: () => {},
      },
    )
    expect(badKey).toBe(1)
  })

  it('creates, updates, lists and deletes elements', async () => {
    expect(
      (await cli('elements', 'create', 'cli', '--type', 'variable', '--slug', 'v', '--spec', '{"value":1}'))
        .out,
    ).toBe('created cli/v (variable, v1)\n')
    expect((await cli('elements', 'update', 'cli/v', '--spec', '{"value":2}')).out).toBe('updated v to v2\n')
    expect((await cli('elements', 'list', 'cli')).out).toMatch(/^SLUG\s+ELEMENT_TYPE[\s\S]*\nv\s+variable/m)
    expect((await cli('elements', 'delete', 'cli/v')).code).toBe(0)
    expect((await cli('elements', 'get', 'cli/v')).code).toBe(1)
  })

  it('lists runs with the run filters, and reruns waiting for the result', async () => {
    const ran = JSON.parse((await cli('invoke', 'cli/fn', '--data', '{"n":7}', '--wait', '30', '--json')).out)
    const list = await cli(
      'runs',
      'list',
      '--target',
      'cli/fn',
      '--source',
      'cli',
      '--type',
      'python',
      '--json',
    )
    expect(list.code).toBe(0)
    expect(JSON.parse(list.out).runs[0]).toMatchObject({ id: ran.id, source: 'cli' })
    const from = ran.created_at as string
    const since = JSON.parse((await cli('runs', 'list', '--target', 'cli/fn', '--from', from, '--json')).out)
    expect(since.runs.map((r: { id: string }) => r.id)).toContain(ran.id)
    const none = await cli('runs', 'list', '--batch', 'no-such-batch', '--offset', '0', '--json')
    expect(JSON.parse(none.out).runs).toEqual([])
    expect((await cli('runs', 'list', '--offset', '-1')).code).toBe(2)
    const bad = await cli('runs', 'list', '--from', 'yesterday')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('VALIDATION_FAILED')
    const again = JSON.parse((await cli('runs', 'rerun', ran.id, '--wait', '30', '--json')).out)
    expect(again).toMatchObject({ status: 'succeeded', trigger: 'rerun', source: 'cli', output: { n: 7 } })
  })

  it('cancels, reruns and reads a run; logs of an active run return without --follow', async () => {
    const started = await cli('invoke', 'cli/fn', '--data', '{"sleep":30,"n":3}', '--json')
    const id = JSON.parse(started.out).id as string
    for (let i = 0; i < 100; i++) {
      const r = JSON.parse((await cli('runs', 'get', id, '--json')).out)
      if (r.status === 'running') break
      await new Promise((res) => setTimeout(res, 100))
    }
    const logs = await cli('logs', id)
    expect(logs.code).toBe(0)
    const cancelled = await cli('runs', 'cancel', id)
    expect(cancelled.code).toBe(1) // a cancelled run is not a success
    expect(cancelled.out).toMatch(/status\s+cancelled/)
    const again = await cli('runs', 'rerun', id, '--json')
    expect(JSON.parse(again.out)).toMatchObject({ trigger: 'rerun' })
    const rerunId = JSON.parse(again.out).id as string
    expect((await cli('runs', 'cancel', rerunId)).out).toMatch(/status\s+cancelled/)
    const followed = await cli('logs', rerunId, '--follow')
    expect(followed.code).toBe(1) // the stream ends with the cancelled status
  }, 90_000)

  it('builds a layer and reports it', async () => {
    const r = await cli('build', 'cli/fn')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/ready/)
  })
})

describe('where the CLI finds the server and key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-cli-'))
  writeFileSync(join(dataDir, 'admin.key'), 'pk_admin_from_file\n')

  it('takes a flag over the environment over a local admin.key', () => {
    const env = { PERIODIC_DATA_DIR: dataDir }
    expect(resolveClientConfig({ key: 'pk_flag' }, { ...env, PERIODIC_API_KEY: 'pk_env' })).toMatchObject({
      apiKey: 'pk_flag',
      keySource: 'flag',
    })
    expect(resolveClientConfig({}, { ...env, PERIODIC_API_KEY: 'pk_env' })).toMatchObject({
      apiKey: 'pk_env',
    })
    expect(resolveClientConfig({}, env)).toEqual({
      baseUrl: 'http://127.0.0.1:8420',
      apiKey: 'pk_admin_from_file',
      keySource: 'admin.key',
    })
  })

  it('never sends a local admin key to another host', () => {
    const c = resolveClientConfig({ url: 'https://periodic.example.com/' }, { PERIODIC_DATA_DIR: dataDir })
    expect(c).toEqual({ baseUrl: 'https://periodic.example.com', apiKey: undefined, keySource: 'none' })
  })
})

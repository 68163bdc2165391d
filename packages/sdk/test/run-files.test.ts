// client.runs.artifacts and client.runs.files against a real server, and client.run with
// input files (multipart): what a handler writes comes back as bytes and as a zip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { ConflictError, PeriodicClient, ValidationError } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

const code = [
  'import os, time',
  'def handler(input):',
  '  time.sleep(input.get("sleep", 0))',
  '  text = {k: open(p).read() for k, p in input.get("files", {}).items()}',
  '  with open(os.path.join(os.environ["PERIODIC_OUTPUT_DIR"], "echo.txt"), "w") as f:',
  '    f.write("".join(text.values()))',
  '  return text',
].join('\n')

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
  await client.elements.create('acme', {
    element_type: 'python',
    slug: 'files',
    spec: { source: { type: 'inline', code }, concurrency: { max: 1 } },
  })
})

afterAll(async () => {
  await server?.close()
})

describe('run files through the SDK', () => {
  it('runs with input files and reads the artifacts back, one by one and zipped', async () => {
    const run = await client.run(
      'acme/files',
      {},
      { waitForCompletion: 30, files: { 'a.txt': 'alpha ', 'b.bin': new Uint8Array([98, 101, 116, 97]) } },
    )
    expect(run).toMatchObject({ status: 'succeeded', output: { 'a.txt': 'alpha ', 'b.bin': 'beta' } })
    const list = await client.runs.artifacts.list(run.id)
    expect(list).toMatchObject({ truncated: false, artifacts: [{ path: 'echo.txt', size: 10 }] })
    const bytes = await client.runs.artifacts.download(run.id, 'echo.txt')
    expect(new TextDecoder().decode(bytes)).toBe('alpha beta')
    const zip = await client.runs.artifacts.downloadZip(run.id)
    expect([...zip.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04])
    await expect(client.runs.artifacts.download(run.id, '../x')).rejects.toBeInstanceOf(ValidationError)
    expect((await client.runs.files.list(run.id)).map((f) => f.name)).toEqual(['a.txt', 'b.bin'])
  })

  it('changes the input files of a queued run, and refuses once it started', async () => {
    const slow = await client.run('acme/files', { sleep: 2 })
    // concurrency.max is 1: while the slow run runs, the next one stays queued.
    while ((await client.runs.get(slow.id)).status !== 'running') await new Promise((r) => setTimeout(r, 50))
    const queued = await client.run('acme/files', {})
    await client.runs.files.upload(queued.id, { 'x.txt': new Blob(['x']), 'y.txt': 'y' })
    await client.runs.files.delete(queued.id, 'y.txt')
    expect((await client.runs.files.list(queued.id)).map((f) => f.name)).toEqual(['x.txt'])
    const done = await client.runs.wait(queued.id, { timeoutMs: 30_000 })
    expect(done.output).toEqual({ 'x.txt': 'x' })
    await expect(client.runs.files.upload(queued.id, { 'z.txt': 'z' })).rejects.toBeInstanceOf(ConflictError)
  })
})

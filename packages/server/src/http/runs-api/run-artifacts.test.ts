// Files kept with a run, over real HTTP on SQLite with the real sandbox: artifacts a handler
// writes under PERIODIC_OUTPUT_DIR (list, download, zip, traversal refused, two concurrent runs
// kept apart) and input files (multipart start, list/upload/delete while queued).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { pollRun, startRun } from './runs-api-helpers.ts'

const WRITER = [
  'import json, os, time',
  'def handler(input, context):',
  '    out = os.environ["PERIODIC_OUTPUT_DIR"]',
  '    assert context["output_dir"] == out',
  '    time.sleep(input.get("sleep", 0))',
  '    with open(os.path.join(out, "out.txt"), "w") as f:',
  '        f.write(input.get("text", "hello"))',
  '    os.makedirs(os.path.join(out, "sub"), exist_ok=True)',
  '    with open(os.path.join(out, "sub", "data.json"), "w") as f:',
  '        json.dump({"n": input.get("n", 1)}, f)',
  '    if input.get("link"):',
  '        os.symlink("/etc/passwd", os.path.join(out, "escape"))',
  '    return sorted(os.listdir(out))',
  '',
].join('\n')

const READER = [
  'import os, time',
  'def handler(input):',
  '    time.sleep(input.get("sleep", 0))',
  '    files = input.get("files", {})',
  '    return {k: open(p).read() for k, p in files.items()} | {"ls": sorted(os.listdir(os.environ["PERIODIC_INPUT_DIR"]))}',
  '',
].join('\n')

async function multipart(
  s: TestServer,
  path: string,
  fields: Record<string, string>,
  files: Record<string, [string, string]>,
) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  for (const [k, [name, text]] of Object.entries(files)) form.append(k, new Blob([text]), name)
  const res = await fetch(s.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.adminKey}` },
    body: form,
  })
  return { status: res.status, body: (await res.json()) as any }
}

async function get(s: TestServer, path: string) {
  const res = await fetch(s.url + path, { headers: { authorization: `Bearer ${s.adminKey}` } })
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    bytes: Buffer.from(await res.arrayBuffer()),
  }
}

/** Reads a zip with Python's zipfile: names and contents. */
function unzip(bytes: Buffer): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-zip-'))
  try {
    writeFileSync(join(dir, 'a.zip'), bytes)
    const script =
      'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist()}))'
    return JSON.parse(execFileSync('python3', ['-c', script, join(dir, 'a.zip')], { encoding: 'utf8' }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('run files', () => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    for (const [slug, code, max] of [
      ['writer', WRITER, 2],
      ['reader', READER, 1],
    ] as const) {
      const r = await s.api('POST', '/api/acme', {
        element_type: 'python',
        slug,
        spec: { source: { type: 'inline', code }, concurrency: { max } },
      })
      expect(r.status).toBe(201)
    }
  })
  afterAll(async () => s?.close())

  it('keeps no symlink a handler leaves in its output directory, and names it as refused', async () => {
    const id = await startRun(s, 'acme/writer', { link: true })
    expect(await pollRun(s, id)).toMatchObject({ status: 'succeeded', output: ['escape', 'out.txt', 'sub'] })
    const list = await s.api('GET', `/api/v1/runs/${id}/artifacts`)
    expect(list.body.artifacts.map((a: any) => a.path)).toEqual(['out.txt', 'sub/data.json'])
    expect(list.body).toMatchObject({
      refused_files: 1,
      refused: [{ path: 'escape', reason: 'a symlink is not an artifact' }],
    })
    expect((await get(s, `/api/v1/runs/${id}/artifacts/escape`)).status).toBe(404)
  })

  it('keeps what a handler writes under its output directory: listed, downloadable and zipped', async () => {
    const id = await startRun(s, 'acme/writer', { text: 'hi there' })
    const run = await pollRun(s, id)
    expect(run).toMatchObject({ status: 'succeeded', output: ['out.txt', 'sub'] })
    const list = await s.api('GET', `/api/v1/runs/${id}/artifacts`)
    expect(list.status).toBe(200)
    expect(list.body).toMatchObject({ truncated: false, total_bytes: 8 + 8 })
    expect(list.body.artifacts.map((a: any) => [a.path, a.size])).toEqual([
      ['out.txt', 8],
      ['sub/data.json', 8],
    ])
    const txt = await get(s, `/api/v1/runs/${id}/artifacts/out.txt`)
    expect([txt.status, txt.type, txt.bytes.toString()]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'hi there',
    ])
    const json = await get(s, `/api/v1/runs/${id}/artifacts/sub/data.json`)
    expect([json.status, json.type, JSON.parse(json.bytes.toString())]).toEqual([
      200,
      'application/json',
      { n: 1 },
    ])
    const zip = await get(s, `/api/v1/runs/${id}/files-zip`)
    expect([zip.status, zip.type]).toEqual([200, 'application/zip'])
    expect(unzip(zip.bytes)).toEqual({ 'out.txt': 'hi there', 'sub/data.json': '{"n": 1}' })
    const missing = await s.api('GET', `/api/v1/runs/${id}/artifacts/nope.txt`)
    expect([missing.status, missing.body.error.code]).toEqual([404, 'RUN_FILE_NOT_FOUND'])
  })

  it('refuses paths that leave the run directory with 400', async () => {
    const id = await startRun(s, 'acme/writer', {})
    await pollRun(s, id)
    for (const bad of [
      '..%2F..%2Fadmin.key',
      '%2Fetc%2Fpasswd',
      'sub%2F..%2F..%2Finput-files.json',
      'sub%5C..%5Cx',
    ]) {
      const r = await s.api('GET', `/api/v1/runs/${id}/artifacts/${bad}`)
      expect([bad, r.status, r.body.error.code]).toEqual([bad, 400, 'INVALID_RUN_FILE_PATH'])
    }
  })

  it('keeps the artifacts of two concurrent runs of one element apart', async () => {
    const a = await startRun(s, 'acme/writer', { text: 'first', n: 1, sleep: 0.5 })
    const b = await startRun(s, 'acme/writer', { text: 'second', n: 2, sleep: 0.5 })
    await Promise.all([pollRun(s, a), pollRun(s, b)])
    for (const [id, text, n] of [
      [a, 'first', 1],
      [b, 'second', 2],
    ] as const) {
      expect((await get(s, `/api/v1/runs/${id}/artifacts/out.txt`)).bytes.toString()).toBe(text)
      expect(
        JSON.parse((await get(s, `/api/v1/runs/${id}/artifacts/sub/data.json`)).bytes.toString()),
      ).toEqual({ n })
    }
  })

  it('starts a run from multipart/form-data; the handler reads its file at input.files[field]', async () => {
    const r = await multipart(
      s,
      '/api/v1/runs?wait_for_completion=60',
      { target: 'acme/reader', input: JSON.stringify({ x: 1 }) },
      { doc: ['notes.txt', 'file body'] },
    )
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'succeeded', output: { doc: 'file body', ls: ['notes.txt'] } })
    const files = await s.api('GET', `/api/v1/runs/${r.body.id}/files`)
    expect(files.body.files).toMatchObject([
      { name: 'notes.txt', field: 'doc', size: 9, sandbox_path: '/periodic/input/notes.txt' },
    ])
    const bad = await multipart(s, '/api/v1/runs', { target: 'acme/reader', input: '{nope' }, {})
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_MULTIPART'])
  })

  it('uploads and deletes input files while a run is queued, and refuses both once it started', async () => {
    const slow = await startRun(s, 'acme/reader', { sleep: 3 })
    await pollRun(s, slow, (r) => r.status === 'running')
    const queued = await startRun(s, 'acme/reader', {})
    const up = await multipart(
      s,
      `/api/v1/runs/${queued}/files`,
      {},
      { a: ['a.txt', 'AAA'], b: ['b.txt', 'BBB'] },
    )
    expect(up.status).toBe(201)
    expect(up.body.files.map((f: any) => f.name)).toEqual(['a.txt', 'b.txt'])
    const del = await s.api('DELETE', `/api/v1/runs/${queued}/files/b.txt`)
    expect(del.status).toBe(204)
    const list = await s.api('GET', `/api/v1/runs/${queued}/files`)
    expect(list.body.files.map((f: any) => f.name)).toEqual(['a.txt'])
    const run = await pollRun(s, queued)
    expect(run).toMatchObject({ status: 'succeeded', output: { a: 'AAA', ls: ['a.txt'] } })
    const late = await multipart(s, `/api/v1/runs/${queued}/files`, {}, { c: ['c.txt', 'C'] })
    expect([late.status, late.body.error.code]).toEqual([409, 'RUN_ALREADY_STARTED'])
    const lateDelete = await s.api('DELETE', `/api/v1/runs/${queued}/files/a.txt`)
    expect([lateDelete.status, lateDelete.body.error.code]).toEqual([409, 'RUN_ALREADY_STARTED'])
  })
})

// GET /api/v1/runs/{id}/files-zip on big runs, over real HTTP: 65,600 small artifacts (more
// than a zip without zip64 can count) and one of 100 MiB come out whole, as Python's zipfile
// reads them, and a client that hangs up mid-download leaves no file of the run open. While
// each download runs, /healthz is polled and its worst latency logged (a figure, not asserted).
import { execFile, execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadable } from 'node:stream/web'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython, pollRun, startRun } from './runs-api-helpers.ts'

const execFileAsync = promisify(execFile)
// Just over 65,535, the most entries a zip without zip64 records can count.
const MANY = 65_600
const BIG = 100 * 1024 * 1024

/** A finished run of a trivial handler and its output directory on disk. */
async function emptyRun(s: TestServer): Promise<{ id: string; out: string }> {
  const id = await startRun(s, 'acme/echo', {})
  expect(await pollRun(s, id)).toMatchObject({ status: 'succeeded' })
  const out = join(s.dataDir, 'runs', id, 'output')
  mkdirSync(out, { recursive: true })
  return { id, out }
}

/** Polls /healthz one request after another until `stop` is set; the worst latency in ms. */
function watchHealth(s: TestServer) {
  let stop = false
  let worst = 0
  let count = 0
  const done = (async () => {
    while (!stop) {
      const t = performance.now()
      const res = await fetch(`${s.url}/healthz`)
      await res.arrayBuffer()
      worst = Math.max(worst, performance.now() - t)
      count++
      await new Promise((r) => setTimeout(r, 10))
    }
  })()
  return async () => {
    stop = true
    await done
    return { worst: Math.round(worst), count }
  }
}

/** Streams the run's zip to `file`; the status and content type. */
async function download(s: TestServer, id: string, file: string) {
  const res = await fetch(`${s.url}/api/v1/runs/${id}/files-zip`, {
    headers: { authorization: `Bearer ${s.adminKey}` },
  })
  expect(res.status).toBe(200)
  await pipeline(Readable.fromWeb(res.body as WebReadable), createWriteStream(file))
  return { type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition') }
}

const python = (script: string, ...args: string[]) =>
  JSON.parse(execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 }))

/** The files of this process open under `dir`. */
function openUnder(dir: string): string[] {
  const fds = readdirSync('/proc/self/fd')
  return fds
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`)
      } catch {
        return ''
      }
    })
    .filter((p) => p.startsWith(dir))
}

describe('run files zip', () => {
  let s: TestServer
  let tmp: string

  beforeAll(async () => {
    s = await startTestServer()
    tmp = await mkdtemp(join(tmpdir(), 'periodic-zip-'))
    await s.createCircle('acme')
    await createPython(s, 'acme', 'echo')
  })
  afterAll(async () => {
    await s?.close()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  }, 60_000)

  it('zips 65,600 small artifacts into one archive (zip64) that Python reads whole', async () => {
    // Written straight into the run's output directory after a trivial run: a handler writing
    // 65,600 files would be slower than the rest of the test, and the zip is what is tested.
    const { id, out } = await emptyRun(s)
    await execFileAsync('python3', [
      '-c',
      [
        'import os, sys',
        'for d in range(80):',
        '    os.mkdir(os.path.join(sys.argv[1], f"d{d}"))',
        `    for i in range(${MANY / 80}):`,
        '        with open(os.path.join(sys.argv[1], f"d{d}", f"f{i}.txt"), "w") as f:',
        '            f.write(f"file d{d}/f{i}")',
      ].join('\n'),
      out,
    ])
    const file = join(tmp, 'many.zip')
    const stopWatch = watchHealth(s)
    const t = performance.now()
    const head = await download(s, id, file)
    const took = Math.round(performance.now() - t)
    const health = await stopWatch()
    console.log(`zip of ${MANY} files: ${took} ms; /healthz worst ${health.worst} ms over ${health.count}`)
    expect(head).toEqual({ type: 'application/zip', disposition: `attachment; filename="run-${id}.zip"` })
    const read = python(
      [
        'import json, sys, zipfile',
        'z = zipfile.ZipFile(sys.argv[1])',
        'assert z.testzip() is None',
        'names = z.namelist()',
        'bad = [n for n in names if z.read(n) != ("file " + n[:-4]).encode()]',
        'print(json.dumps({"count": len(names), "unique": len(set(names)), "bad": bad[:5], "first": names[0]}))',
      ].join('\n'),
      file,
    )
    expect(read).toEqual({ count: MANY, unique: MANY, bad: [], first: 'd0/f0.txt' })
    await rm(out, { recursive: true, force: true })
  }, 180_000)

  it('zips a 100 MiB artifact that comes out byte for byte, streamed', async () => {
    const { id, out } = await emptyRun(s)
    const big = join(out, 'big.bin')
    const hash = createHash('sha256')
    const sink = createWriteStream(big)
    for (let n = 0; n < BIG / (1 << 20); n++) {
      // Half random, half zeros: deflate has work to do and the archive stays smaller.
      const chunk = Buffer.concat([randomBytes(1 << 19), Buffer.alloc(1 << 19)])
      hash.update(chunk)
      if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()))
    }
    await new Promise((r) => sink.end(r))
    writeFileSync(join(out, 'small.txt'), 'small')
    const file = join(tmp, 'big.zip')
    const stopWatch = watchHealth(s)
    const t = performance.now()
    await download(s, id, file)
    const took = Math.round(performance.now() - t)
    const health = await stopWatch()
    console.log(`zip of a 100 MiB file: ${took} ms; /healthz worst ${health.worst} ms over ${health.count}`)
    const read = python(
      [
        'import hashlib, json, sys, zipfile',
        'z = zipfile.ZipFile(sys.argv[1])',
        'h = hashlib.sha256()',
        'with z.open("big.bin") as f:',
        '    for chunk in iter(lambda: f.read(1 << 20), b""):',
        '        h.update(chunk)',
        'print(json.dumps({"names": z.namelist(), "size": z.getinfo("big.bin").file_size,',
        '    "sha256": h.hexdigest(), "small": z.read("small.txt").decode()}))',
      ].join('\n'),
      file,
    )
    expect(read).toEqual({
      names: ['big.bin', 'small.txt'],
      size: BIG,
      sha256: hash.digest('hex'),
      small: 'small',
    })
    // The same file by itself, hashed as it streams.
    const res = await fetch(`${s.url}/api/v1/runs/${id}/artifacts/big.bin`, {
      headers: { authorization: `Bearer ${s.adminKey}` },
    })
    const direct = createHash('sha256')
    let size = 0
    for await (const chunk of Readable.fromWeb(res.body as WebReadable)) {
      direct.update(chunk)
      size += chunk.length
    }
    const onDisk = createHash('sha256')
    for await (const chunk of createReadStream(big)) onDisk.update(chunk)
    expect([size, direct.digest('hex')]).toEqual([BIG, onDisk.digest('hex')])

    // A client that hangs up after the first bytes: the server closes the file it was reading.
    const abort = new AbortController()
    const partial = await fetch(`${s.url}/api/v1/runs/${id}/files-zip`, {
      headers: { authorization: `Bearer ${s.adminKey}` },
      signal: abort.signal,
    })
    const reader = (partial.body as WebReadable).getReader()
    try {
      // Past the local header: the server is reading big.bin by now (and stays there, held
      // back by this client not reading on).
      for (let got = 0; got < 4 << 20; )
        got += (await reader.read()).value?.length ?? Number.POSITIVE_INFINITY
      expect(openUnder(out)).not.toEqual([])
    } finally {
      abort.abort()
      await reader.cancel().catch(() => {})
    }
    const deadline = Date.now() + 20_000
    while (openUnder(out).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(openUnder(out)).toEqual([])
    expect((await s.api('GET', '/healthz')).status).toBe(200)
  }, 120_000)
})

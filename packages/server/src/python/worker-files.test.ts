// The worker's file hand-over without a sandbox: inputs linked in, outputs moved out under a
// byte cap, symlinks never kept, and the worker's directories emptied for the next run.
// Collected artifacts lose setuid/setgid/sticky bits and belong to the server; FIFOs, sockets
// and anything that leaves the output directory are refused and named.
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collectWorkerOutput, copyArtifact, createWorkerDir, prepareWorkerDir } from './worker-files.ts'

const root0 = process.getuid?.() === 0

describe('worker files', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'periodic-wf-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  const io = (capBytes = 1000) => ({
    inputDir: join(root, 'run', 'input'),
    outputDir: join(root, 'run', 'output'),
    capBytes,
  })

  it('links the run inputs in and empties what the previous run left', async () => {
    const w = createWorkerDir(join(root, 'workers'))
    writeFileSync(join(w, 'input', 'stale.txt'), 'old')
    writeFileSync(join(w, 'output', 'stale.txt'), 'old')
    mkdirSync(io().inputDir, { recursive: true })
    writeFileSync(join(io().inputDir, 'a.csv'), 'x,y')
    const state = { inputLinked: 1, outputDirty: true }
    const fields = await prepareWorkerDir(
      w,
      { ...io(), fields: async () => ({ table: 'a.csv', gone: 'b.csv' }) },
      state,
    )
    expect(fields).toEqual({ table: 'a.csv' })
    expect(readdirSync(join(w, 'input'))).toEqual(['a.csv'])
    expect(readdirSync(join(w, 'output'))).toEqual([])
    expect(state).toEqual({ inputLinked: 1, outputDirty: true })
  })

  it('keeps files in path order while they fit under the cap, and says what it dropped', async () => {
    const w = createWorkerDir(join(root, 'workers'))
    writeFileSync(join(w, 'output', 'a.bin'), Buffer.alloc(600))
    writeFileSync(join(w, 'output', 'b.bin'), Buffer.alloc(600))
    writeFileSync(join(w, 'output', 'c.txt'), 'small')
    symlinkSync('/etc/passwd', join(w, 'output', 'link'))
    const state = { inputLinked: 0, outputDirty: true }
    const r = await collectWorkerOutput(w, io(1000), state)
    expect(r).toEqual({
      bytes: 605,
      files: 2,
      truncated: true,
      dropped_files: 1,
      dropped_bytes: 600,
      refused_files: 1,
      refused: [{ path: 'link', reason: 'a symlink is not an artifact' }],
    })
    expect(readdirSync(io().outputDir).sort()).toEqual(['a.bin', 'c.txt'])
    expect(readFileSync(join(io().outputDir, 'c.txt'), 'utf8')).toBe('small')
    expect(readdirSync(join(w, 'output'))).toEqual([])
    expect(state.outputDirty).toBe(false)
  })

  it('replaces an earlier attempt’s artifacts, also with none when the retry wrote nothing', async () => {
    const w = createWorkerDir(join(root, 'workers'))
    const state = { inputLinked: 0, outputDirty: true }
    writeFileSync(join(w, 'output', 'first.txt'), '1')
    await collectWorkerOutput(w, io(), state)
    writeFileSync(join(w, 'output', 'second.txt'), '2')
    await collectWorkerOutput(w, { ...io(), replaceEarlier: true }, state)
    expect(existsSync(join(io().outputDir, 'first.txt'))).toBe(false)
    expect(readdirSync(io().outputDir)).toEqual(['second.txt'])
    await collectWorkerOutput(w, { ...io(), replaceEarlier: true }, state, false)
    expect(existsSync(io().outputDir)).toBe(false)
  })

  it('touches no directory for a run without files once the worker is clean', async () => {
    const w = createWorkerDir(join(root, 'workers'))
    const state = { inputLinked: 0, outputDirty: false }
    // Something the host does not expect would survive: proof that nothing was scanned.
    writeFileSync(join(w, 'output', 'unexpected'), 'x')
    expect(await prepareWorkerDir(w, io(), state)).toEqual({})
    expect(readdirSync(join(w, 'output'))).toEqual(['unexpected'])
    expect(state).toEqual({ inputLinked: 0, outputDirty: true })
    await collectWorkerOutput(w, io(), state, false)
    expect(existsSync(io().outputDir)).toBe(false)
    expect(state.outputDirty).toBe(false)
  })

  it('strips setuid, setgid and sticky bits, keeps execute bits, and the server owns the copy', async () => {
    const w = createWorkerDir(join(root, 'workers'))
    const planted = join(w, 'output', 'tool')
    writeFileSync(planted, '#!/bin/sh\n')
    // What a handler did under root before the fix: a setuid binary (owned by the sandbox uid).
    if (root0) chownSync(planted, 65534, 65534)
    chmodSync(planted, 0o6777)
    mkdirSync(join(w, 'output', 'dir'))
    writeFileSync(join(w, 'output', 'dir', 'data'), 'x')
    chmodSync(join(w, 'output', 'dir', 'data'), 0o1666)
    const r = await collectWorkerOutput(w, io(), { inputLinked: 0, outputDirty: true })
    expect(r).toMatchObject({ files: 2, refused_files: 0 })
    const tool = statSync(join(io().outputDir, 'tool'))
    expect(tool.mode & 0o7777).toBe(0o755)
    expect(statSync(join(io().outputDir, 'dir', 'data')).mode & 0o7777).toBe(0o644)
    expect(tool.uid).toBe(process.getuid?.())
  })

  it('refuses FIFOs, sockets and a directory turned into a symlink, and names them', async () => {
    const w = createWorkerDir(join(root, 'workers'))
    const out = join(w, 'output')
    execFileSync('mkfifo', [join(out, 'pipe')])
    execFileSync('python3', [
      '-c',
      `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(join(out, 'sock'))})`,
    ])
    const host = join(root, 'host-secrets')
    mkdirSync(host)
    writeFileSync(join(host, 'key'), 'SECRET')
    symlinkSync(host, join(out, 'swapped'))
    // A directory swapped for a symlink to a host directory after it was listed turns the
    // listed path `swapped/key` into the host's file: the copy sees it left the directory.
    const stolen = join(root, 'stolen')
    expect(await copyArtifact(join(out, 'swapped', 'key'), out, stolen, 1000)).toEqual({
      refused: 'left the output directory',
      escaped: true,
    })
    expect(existsSync(stolen)).toBe(false)
    writeFileSync(join(out, 'ok.txt'), 'ok')
    const r = await collectWorkerOutput(w, io(), { inputLinked: 0, outputDirty: true })
    expect(r.files).toBe(1)
    expect(r.refused).toEqual([
      { path: 'pipe', reason: 'a FIFO is not an artifact' },
      { path: 'sock', reason: 'a socket is not an artifact' },
      { path: 'swapped', reason: 'a symlink is not an artifact' },
    ])
    expect(readdirSync(io().outputDir)).toEqual(['ok.txt'])
    expect(readdirSync(out)).toEqual([])
    expect(readFileSync(join(host, 'key'), 'utf8')).toBe('SECRET')
  })
})

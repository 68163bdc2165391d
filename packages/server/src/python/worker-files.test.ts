// The worker's file hand-over without a sandbox: inputs linked in, outputs moved out under a
// byte cap, symlinks never kept, and the worker's directories emptied for the next run.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collectWorkerOutput, createWorkerDir, prepareWorkerDir } from './worker-files.ts'

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
    expect(r).toEqual({ bytes: 605, files: 2, truncated: true, dropped_files: 1, dropped_bytes: 600 })
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
})

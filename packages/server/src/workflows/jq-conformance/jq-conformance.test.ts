// jq's own conformance tests (an excerpt, jq.test) run against the engine behind runtime
// expressions AND against Debian's `jq` binary as the oracle, so the expected outputs are
// checked too. Cases left out are listed with their reason in exclusions.ts.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual, promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { compileUncached, JqCompileError, runJq } from '../jq-engine.ts'
import { EXCLUSIONS } from './exclusions.ts'
import { type JqTestCase, parseJqTests } from './jq-test-file.ts'

const run = promisify(execFile)
const cases = parseJqTests(readFileSync(new URL('./jq.test', import.meta.url), 'utf8'))
const excluded = new Map(EXCLUSIONS.map((e) => [e.line, e]))
const dir = mkdtempSync(join(tmpdir(), 'jq-conformance-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Values as jq prints them (`2.0` and `20e-1` are 2), compared as JSON values.
const parseAll = (lines: string[]) => lines.map((l) => JSON.parse(l) as unknown)

function engineOutputs(c: JqTestCase): unknown[] {
  return runJq(compileUncached(c.program), JSON.parse(c.input), {}).outputs
}

async function oracle(c: JqTestCase): Promise<{ outputs?: unknown[]; error?: string }> {
  // The program goes in a file: some start with `-`, which jq would read as an option.
  const file = join(dir, `case-${c.line}.jq`)
  writeFileSync(file, c.program)
  const args = c.kind === 'fail' ? ['-n', '-c', '-f', file] : ['-c', '-f', file]
  try {
    const child = run('jq', args, { timeout: 10_000 })
    child.child.stdin?.end(c.kind === 'fail' ? '' : c.input)
    const { stdout } = await child
    return { outputs: parseAll(stdout.split('\n').filter((l) => l.trim() !== '')) }
  } catch (err) {
    return { error: String((err as { stderr?: string }).stderr ?? err) }
  }
}

describe('the jq conformance excerpt', () => {
  it('has at least 150 cases that run, and every exclusion names a case of the file', () => {
    const byLine = new Map(cases.map((c) => [c.line, c]))
    for (const e of EXCLUSIONS)
      expect(byLine.get(e.line)?.program, `exclusion at line ${e.line}`).toBe(e.program)
    expect(cases.length - EXCLUSIONS.length).toBeGreaterThanOrEqual(150)
  })

  for (const c of cases) {
    const name = `line ${c.line}: ${c.program}`
    const exclusion = excluded.get(c.line)
    if (exclusion) {
      // Kept honest: an excluded case the engine now passes must leave the list.
      it.runIf(exclusion.engineFails)(`${name} — still excluded: ${exclusion.reason}`, () => {
        let passes = false
        try {
          passes = c.kind === 'run' && isDeepStrictEqual(engineOutputs(c), parseAll(c.expected))
        } catch {
          passes = false
        }
        if (c.kind === 'fail') {
          expect(() => compileUncached(c.program)).not.toThrow()
        } else {
          expect(passes).toBe(false)
        }
      })
      continue
    }
    if (c.kind === 'fail') {
      it(`${name} is refused by the engine and by jq`, async () => {
        expect(() => compileUncached(c.program)).toThrow(JqCompileError)
        const o = await oracle(c)
        expect(o.error).toMatch(/error/)
      })
      continue
    }
    it(`${name} gives jq's outputs on the engine and on jq`, async () => {
      const expected = parseAll(c.expected)
      expect(engineOutputs(c)).toEqual(expected)
      const o = await oracle(c)
      expect(o.error).toBeUndefined()
      expect(o.outputs).toEqual(expected)
    })
  }
})

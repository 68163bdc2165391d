// Syntax check at create/update time: the code is compiled (never run) by the host Python,
// and the result is cached by code hash so `get` can report it as a warning without work.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import type { JsonObject } from '../../storage/storage.ts'
import type { Warning } from '../present-element.ts'

const cache = new Map<string, Warning | null>()
const SCRIPT = `
import sys, json
src = sys.stdin.read()
try:
    compile(src, "main.py", "exec")
    print("null")
except SyntaxError as e:
    print(json.dumps({"msg": e.msg, "line": e.lineno, "col": e.offset}))
except Exception as e:
    print(json.dumps({"msg": type(e).__name__, "line": None, "col": None}))
`

const codeOf = (spec: JsonObject) => {
  const source = (spec['source'] ?? {}) as JsonObject
  return source['type'] === 'inline' && typeof source['code'] === 'string' ? source['code'] : undefined
}
const hashOf = (code: string) => createHash('sha256').update(code).digest('hex')

export function checkSyntax(spec: JsonObject, python: string): Promise<void> {
  const code = codeOf(spec)
  if (code === undefined) return Promise.resolve()
  const key = hashOf(code)
  if (cache.has(key)) return Promise.resolve()
  return new Promise((resolve) => {
    const child = execFile(python, ['-c', SCRIPT], { timeout: 5000, maxBuffer: 64 * 1024 }, (err, stdout) => {
      if (!err) {
        try {
          const r = JSON.parse(stdout) as { msg: string; line: number | null; col: number | null } | null
          if (cache.size > 5000) cache.clear()
          cache.set(
            key,
            r && {
              field: 'spec.source.code',
              message: `PYTHON_SYNTAX_ERROR: ${r.msg} (line ${r.line}, column ${r.col})`,
            },
          )
        } catch {}
      }
      resolve()
    })
    child.stdin?.on('error', () => {})
    child.stdin?.end(code)
  })
}

export function syntaxWarnings(spec: JsonObject): Warning[] {
  const code = codeOf(spec)
  const w = code === undefined ? undefined : cache.get(hashOf(code))
  return w ? [w] : []
}

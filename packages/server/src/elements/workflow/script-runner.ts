// `run: script` with `language: python`: the code runs in a fresh sandbox of the platform's
// executor (bwrap by default: own namespaces, memory and process limits, egress filtered), as a
// Python element's code does. The script sees `arguments` (the task's evaluated arguments) and
// `input` (the task input) as globals; what it prints on stdout is the task's output (parsed as
// JSON when it is JSON), per the DSL's `return` (stdout, stderr, code, all, none).
import type { Config } from '../../config.ts'
import { drainOutput } from '../../sandbox/drain-output.ts'
import type { Executor } from '../../sandbox/executor.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { fault } from '../../workflows/dsl-faults.ts'

export const SCRIPT_LIMITS = {
  timeoutMs: 60_000,
  memoryMb: 256,
  maxPids: 64,
  maxOutputBytes: 1024 * 1024,
  maxCodeBytes: 256 * 1024,
}

const PRELUDE = [
  'import json, sys',
  '_p = json.loads(sys.stdin.read())',
  '_g = {"__name__": "__main__", "arguments": _p["arguments"], "input": _p["input"]}',
  'exec(compile(_p["code"], "<workflow script>", "exec"), _g)',
].join('\n')

const SAFE_ENV = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const LOADER_ENV = /^(LD_|PYTHON)/

export async function runPythonScript(
  executor: Executor | null,
  config: Config,
  script: JsonObject,
  input: Json,
  signal: AbortSignal,
  where: string,
): Promise<Json> {
  const language = String(script['language'] ?? '')
  if (language !== 'python')
    throw fault('configuration', `run: script speaks python, not "${language.slice(0, 40)}"`, where)
  const code = script['code']
  if (typeof code !== 'string')
    throw fault('configuration', 'run: script needs inline `code` (external sources are not fetched)', where)
  if (Buffer.byteLength(code) > SCRIPT_LIMITS.maxCodeBytes)
    throw fault('validation', 'the script is too large', where)
  if (!executor)
    throw fault('configuration', 'run: script needs the sandbox executor, which this server has not', where)
  const env: Record<string, string> = { HOME: '/tmp', PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' }
  for (const [k, v] of Object.entries((script['environment'] ?? {}) as JsonObject))
    if (SAFE_ENV.test(k) && !LOADER_ENV.test(k)) env[k] = typeof v === 'string' ? v : JSON.stringify(v)
  const proc = executor.spawn({
    argv: [config.python.interpreter, '-I', '-c', PRELUDE],
    env,
    mounts: [],
    cwd: '/tmp',
    memoryMb: SCRIPT_LIMITS.memoryMb,
    maxPids: SCRIPT_LIMITS.maxPids,
    network: 'egress',
  })
  const out = { stdout: '', stderr: '' }
  const collect = (k: 'stdout' | 'stderr') => (d: Buffer) => {
    if (out[k].length < SCRIPT_LIMITS.maxOutputBytes) out[k] += d.toString('utf8')
  }
  proc.stdout.on('data', collect('stdout'))
  proc.stderr.on('data', collect('stderr'))
  proc.stdin.on('error', () => {})
  proc.stdin.end(JSON.stringify({ code, arguments: script['arguments'] ?? {}, input }))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    proc.kill()
  }, SCRIPT_LIMITS.timeoutMs)
  const onAbort = () => proc.kill()
  signal.addEventListener('abort', onAbort, { once: true })
  const exit = await proc.exited
  clearTimeout(timer)
  signal.removeEventListener('abort', onAbort)
  await drainOutput(proc)
  if (signal.aborted) throw signal.reason
  if (timedOut) throw fault('timeout', `the script ran longer than ${SCRIPT_LIMITS.timeoutMs} ms`, where)
  if (exit.oomKilled) throw fault('runtime', `the script exceeded ${SCRIPT_LIMITS.memoryMb} MB`, where)
  const ret = String(script['return'] ?? 'stdout')
  if (exit.code !== 0 && ret !== 'code' && ret !== 'all')
    throw fault(
      'runtime',
      `the script exited with ${exit.code ?? exit.signal}: ${out.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`,
      where,
      {
        code: 'SCRIPT_FAILED',
      },
    )
  const parsed = (text: string): Json => {
    const t = text.trim()
    try {
      return JSON.parse(t) as Json
    } catch {
      return t
    }
  }
  if (ret === 'none') return null
  if (ret === 'code') return exit.code
  if (ret === 'stderr') return parsed(out.stderr)
  if (ret === 'all') return { code: exit.code, stdout: parsed(out.stdout), stderr: out.stderr }
  return parsed(out.stdout)
}

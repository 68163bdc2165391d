// The floor under a warm invoke's worker hop: one JSON line to a Python process over a pipe and
// its answer back, with nothing of ours in between (no sandbox, no runtime). Median of `n`.
import { spawn } from 'node:child_process'

const ECHO = 'import sys\nfor line in sys.stdin:\n    sys.stdout.write(line)\n    sys.stdout.flush()\n'

export async function pipeRoundTripMs(python = '/usr/bin/python3', n = 2000): Promise<number> {
  const child = spawn(python, ['-S', '-u', '-c', ECHO], { stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdout.setEncoding('utf8')
  const times: number[] = []
  let pending: (() => void) | undefined
  child.stdout.on('data', () => pending?.())
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await new Promise<void>((resolve) => {
      pending = resolve
      child.stdin.write(`{"id":"${i}","input":{"n":1}}\n`)
    })
    times.push(performance.now() - t)
  }
  child.kill()
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!
}

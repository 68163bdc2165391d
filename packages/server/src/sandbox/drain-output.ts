// Waits for a finished sandbox process's stdout and stderr to be read to the end: its `exit`
// can come before the last output is delivered, and a summary parsed then would be cut short.
import { finished } from 'node:stream/promises'
import type { SandboxProcess } from './executor.ts'

/** Resolves once both streams ended, or after `limitMs` (a leftover process may hold them). */
export async function drainOutput(proc: SandboxProcess, limitMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs)
  })
  const ended = Promise.all(
    [proc.stdout, proc.stderr].map((s) => finished(s, { writable: false }).catch(() => {})),
  )
  await Promise.race([ended, limit])
  clearTimeout(timer)
}

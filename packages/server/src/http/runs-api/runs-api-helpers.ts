// Helpers for the runs API tests: a circle with python elements, and polling with a deadline
// (never fixed sleeps).
import type { TestServer } from '../../../test/test-server.ts'

export const TERMINAL = ['succeeded', 'failed', 'cancelled']

export const ECHO = [
  'import time',
  'def handler(input):',
  '    for i in range(input.get("lines", 0)):',
  '        print(f"line {i}", flush=True)',
  '    if input.get("sleep"):',
  '        time.sleep(input["sleep"])',
  '    if input.get("fail"):',
  '        raise RuntimeError("asked to")',
  '    return input',
  '',
].join('\n')

export async function createPython(s: TestServer, circle: string, slug: string, code = ECHO) {
  const r = await s.api('POST', `/api/${circle}`, {
    element_type: 'python',
    slug,
    spec: { source: { type: 'inline', code } },
  })
  if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

/** Polls GET /api/v1/runs/{id} until `done(run)` holds (default: it has ended). */
export async function pollRun(
  s: TestServer,
  id: string,
  done: (r: { status: string }) => boolean = (r) => TERMINAL.includes(r.status),
  ms = 60_000,
) {
  const deadline = Date.now() + ms
  for (;;) {
    const r = await s.api('GET', `/api/v1/runs/${id}`)
    if (r.status !== 200) throw new Error(`run ${id}: ${r.status} ${JSON.stringify(r.body)}`)
    if (done(r.body)) return r.body
    if (Date.now() > deadline) throw new Error(`run ${id} never matched: ${JSON.stringify(r.body)}`)
    await new Promise((res) => setTimeout(res, 50))
  }
}

/** Starts a run and returns its id (201, not waited for). */
export async function startRun(s: TestServer, target: string, input: unknown = {}, key?: string) {
  const r = await s.api('POST', '/api/v1/runs', { target, input }, key ? { key } : {})
  if (r.status !== 201) throw new Error(`start ${target}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body.id as string
}

// Per-run logs on every executor present: a run that writes nothing is marked quiet by the
// worker and skips the end-of-run sentinels; a run that writes, by print, stderr, a raw
// os.write, a child process or a file, keeps them. Either way each run gets exactly its output.
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { startTestServer } from '../../test/test-server.ts'

const executors = [
  { name: 'process', present: true },
  { name: 'bwrap', present: existsSync('/usr/bin/bwrap') || !!process.env['CI'] },
  { name: 'gvisor', present: existsSync('/usr/bin/runsc') },
]

const code = `import os, subprocess, sys, tempfile
def handler(i):
    m = i.get("mode")
    if m == "print": print("p", i["n"])
    if m == "err": sys.stderr.write("e%d\\n" % i["n"])
    if m == "os": os.write(1, b"raw\\n")
    if m == "child": subprocess.run(["echo", "child"])
    if m == "file":
        with tempfile.TemporaryFile() as f: f.write(b"not a log")
    return i["n"]
`

describe.each(executors)('run logs on $name', ({ name, present }) => {
  it.skipIf(!present)(
    'gives each run exactly its own output, quiet or not',
    async () => {
      const s = await startTestServer({ env: { PERIODIC_SANDBOX: name } })
      try {
        await s.createCircle('acme')
        const created = await s.api('POST', '/api/acme', {
          element_type: 'python',
          slug: 'q',
          spec: { source: { type: 'inline', code } },
        })
        expect(created.status).toBe(201)
        const modes = ['quiet', 'print', 'quiet', 'err', 'os', 'quiet', 'child', 'file', 'quiet', 'print']
        for (const [n, mode] of modes.entries()) {
          const r = await s.api('POST', '/api/acme/q/ops/invoke?wait_for_completion=60', { mode, n })
          expect(r.body.status, JSON.stringify(r.body.error)).toBe('succeeded')
          expect(r.body.output).toBe(n)
        }
        const runs = (await s.api('GET', '/api/acme/q/ops/logs?limit=50')).body.runs.reverse()
        // One string per run, the stream named where it changes (a pipe may split a write).
        const text = runs.map((r: { logs: Array<{ stream: string; data: string }> }) =>
          r.logs
            .map((l, i) => (r.logs[i - 1]?.stream === l.stream ? l.data : `${l.stream}:${l.data}`))
            .join(''),
        )
        expect(text).toEqual([
          '',
          'stdout:p 1\n',
          '',
          'stderr:e3\n',
          'stdout:raw\n',
          '',
          'stdout:child\n',
          '',
          '',
          'stdout:p 9\n',
        ])
      } finally {
        await s.close()
      }
    },
    120_000,
  )
})

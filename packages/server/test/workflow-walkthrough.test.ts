// The README's workflow walkthrough, run as written: the definition block saved as
// extract-invoice.yaml, every line of the shell block, then the SDK block. A local HTTP server
// stands in for the approvals endpoint (the one substitution, with its address allow-listed).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './test-server.ts'

const root = join(import.meta.dirname, '../../..')
const run = promisify(execFile)
const APPROVALS = 'https://approvals.example.com/requests'

function readmeBlock(name: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const m = new RegExp(`<!-- walkthrough:${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)
  if (!m) throw new Error(`README.md has no walkthrough:${name} block`)
  return m[1]!
}

describe('README walkthrough: a first workflow', () => {
  let s: TestServer
  let approvals: Server
  const requests: unknown[] = []
  let dir: string
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    approvals = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        requests.push(JSON.parse(body))
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ approval: requests.length, state: 'pending' }))
      })
    })
    await new Promise<void>((r) => approvals.listen(0, '127.0.0.1', r))
    const port = (approvals.address() as AddressInfo).port
    s = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${port}` } })
    dir = mkdtempSync(join(tmpdir(), 'periodic-workflow-walkthrough-'))
    const yaml = readmeBlock('workflow-yaml')
    expect(yaml).toContain(APPROVALS)
    writeFileSync(
      join(dir, 'extract-invoice.yaml'),
      yaml.replace(APPROVALS, `http://127.0.0.1:${port}/requests`),
    )
    const { PERIODIC_API_KEY: _drop, ...rest } = process.env
    env = { ...rest, PERIODIC_BASE_URL: s.url, PERIODIC_DATA_DIR: s.dataDir }
  }, 60_000)

  afterAll(async () => {
    await s?.close()
    approvals?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates the elements and the workflow, and runs it on the contract', async () => {
    const bin = `node ${JSON.stringify(join(root, 'packages/server/bin/periodic.mjs'))}`
    const outputs: string[] = []
    for (const line of readmeBlock('workflow')
      .split('\n')
      .filter((l) => l.trim())) {
      const { stdout } = await run(
        'bash',
        ['-c', `set -euo pipefail; ${line.replaceAll('npx periodic', bin)}`],
        {
          cwd: dir,
          env,
        },
      ).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`"${line}" failed: ${err.stderr || err.message}`)
      })
      outputs.push(stdout)
    }
    const ran = outputs[outputs.length - 2]!
    expect(ran).toMatch(/succeeded/)
    expect(ran).toContain('"approval":1')
    expect(requests).toEqual([{ lines: [{ amount: 9000 }, { amount: 3000 }], total: 12000 }])
    expect(outputs[outputs.length - 1]).toContain('extract-invoice')
    const steps = await s.api('GET', '/api/v1/runs?target=acme/extract-invoice')
    expect(steps.status).toBe(200)
  }, 180_000)

  it('runs the SDK block as written', async () => {
    const file = join(root, 'packages/server/test', `.walkthrough-workflow-${process.pid}.mjs`)
    writeFileSync(file, readmeBlock('workflow-sdk'))
    try {
      const { stdout } = await run(process.execPath, [file], {
        cwd: dir,
        env: { ...env, PERIODIC_API_KEY: s.adminKey },
      })
      expect(stdout.trim()).toBe('true succeeded')
      expect(requests).toHaveLength(2)
    } finally {
      rmSync(file, { force: true })
    }
  }, 120_000)
})

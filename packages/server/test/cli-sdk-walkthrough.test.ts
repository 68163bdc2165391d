// The README's CLI and SDK walkthrough, run exactly as written: every line of the two marked
// blocks is taken from README.md. The CLI finds the server and its admin.key the way it does
// beside `npm start` (PERIODIC_BASE_URL points at the test server, PERIODIC_DATA_DIR at its data).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './test-server.ts'

const root = join(import.meta.dirname, '../../..')
const run = promisify(execFile)

/** The fenced block after `<!-- walkthrough:NAME -->` in README.md. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const m = new RegExp(`<!-- walkthrough:${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)
  if (!m) throw new Error(`README.md has no walkthrough:${name} block`)
  return m[1]!
}

describe('README walkthrough: CLI and SDK', () => {
  let s: TestServer
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    s = await startTestServer()
    const { PERIODIC_API_KEY: _drop, ...rest } = process.env
    // No key in the environment: the CLI must find <data-dir>/admin.key itself.
    env = { ...rest, PERIODIC_BASE_URL: s.url, PERIODIC_DATA_DIR: s.dataDir }
  })
  afterAll(async () => s?.close())

  it('runs every CLI line: circle, python element, invoke, runs, logs, list, jar, ws', async () => {
    const lines = readmeBlock('cli')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
    expect(lines.length).toBeGreaterThanOrEqual(6)
    const outputs: string[] = []
    for (const line of lines) {
      const { stdout } = await run('bash', ['-c', `set -euo pipefail; ${line}`], { cwd: root, env }).catch(
        (err: { stdout?: string; stderr?: string; message: string }) => {
          throw new Error(`"${line}" failed: ${err.stderr || err.message}`)
        },
      )
      outputs.push(stdout)
    }
    const [circle, element, invoked, listed, logs, children, ...rest] = outputs
    const [jar, imported, described, exported, chat, broadcast, connections] = rest
    expect(circle).toContain('created demo (circle, v1)')
    expect(element).toContain('created demo/hello (python, v1)')
    expect(invoked).toMatch(/status\s+succeeded/)
    expect(invoked).toContain('{"message":"Hello, Ada"}')
    expect(listed).toMatch(/demo\/hello\s+succeeded/)
    expect(logs).toBe('hello Ada\n')
    expect(children).toMatch(/hello\s+python\s+deployed/)
    expect(jar).toContain('created demo/session (cookie-jar, v1)')
    expect(imported).toMatch(/cookie_count\s+1/)
    expect(described).toMatch(/example\.com\s+1/)
    expect(JSON.parse(exported!)).toEqual([
      expect.objectContaining({ name: 'sid', value: 'abc123', domain: '.example.com', sameSite: 'Lax' }),
    ])
    expect(chat).toContain('created demo/chat (websocket, v1)')
    expect(broadcast).toBe('delivered to 0 of 0\n')
    expect(connections).toBe('exposed: 0 connection(s), at most 100\n')
  }, 120_000)

  it('clones the function with git, pushes a change, promotes it and runs it, as written', async () => {
    const where = mkdtempSync(join(tmpdir(), 'periodic-walkthrough-'))
    const script = readmeBlock('source')
      .replaceAll('localhost:8420', new URL(s.url).host)
      .replaceAll('.periodic/admin.key', join(s.dataDir, 'admin.key'))
      .replaceAll('/tmp/periodic-hello', join(where, 'hello'))
      .replaceAll('npx periodic', `cd ${JSON.stringify(root)} && npx periodic`)
    try {
      const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script}`], { cwd: root, env })
      const [demo, live, ...invoked] = stdout.trim().split('\n')
      expect(JSON.parse(demo!)).toMatchObject({ from: 'draft', to: 'demo', tag: null })
      expect(JSON.parse(live!)).toMatchObject({ to: 'live', tag: 'v1' })
      expect(invoked.join('\n')).toContain('{"message":"Hi, Ada"}')
    } finally {
      rmSync(where, { recursive: true, force: true })
    }
  }, 120_000)

  it('deploys the Python function the README shows first, character for character', () => {
    const shown = /## A first Python function\n\n```python\n([\s\S]*?)```/.exec(
      readFileSync(join(root, 'README.md'), 'utf8'),
    )
    expect(shown, 'README.md has no python block under "A first Python function"').not.toBeNull()
    const spec = /--type python --slug hello --spec '([^']*)'/.exec(readmeBlock('cli'))![1]!
    expect(`${JSON.parse(spec).source.code}\n`).toBe(shown![1])
  })

  it('runs the SDK example as written', async () => {
    const file = join(root, 'packages/server/test', `.walkthrough-sdk-${process.pid}.mjs`)
    writeFileSync(file, readmeBlock('sdk'))
    try {
      const { stdout } = await run(process.execPath, [file], {
        cwd: root,
        env: { ...env, PERIODIC_API_KEY: s.adminKey },
      })
      const lines = stdout.trim().split('\n')
      // After the Source walkthrough made it say hi.
      expect(lines[0]).toBe("succeeded { message: 'Hi, Grace' }")
      expect(lines[1]).toBe("{ message: 'Hi, Linus' }")
      expect(lines[2]).toBe('1')
      expect(lines[3]).toBe('{ broadcast: true, delivered_to: 0, subscriber_count: 0 }')
      // Newest first: Linus, Grace, then Ada's runs from the Source and CLI walkthroughs.
      expect(lines.slice(4).map((l) => l.split(' ')[1])).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
      ])
    } finally {
      rmSync(file, { force: true })
    }
  }, 60_000)
})

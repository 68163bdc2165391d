// The README's agent and MCP walkthroughs, run as written: every line of the agent's shell block
// (in a circle `acme`, which the README's workflow section made), then the MCP client block. The
// scripted model server stands in for Ollama (the one substitution: its address for
// http://127.0.0.1:11434/v1, allowed in the outbound policy as the README says to allow Ollama's).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ScriptedModelServer, startScriptedModelServer } from './scripted-model-server.ts'
import { startTestServer, type TestServer } from './test-server.ts'

const root = join(import.meta.dirname, '../../..')
const run = promisify(execFile)
const OLLAMA = 'http://127.0.0.1:11434/v1'

function readmeBlock(name: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const m = new RegExp(`<!-- walkthrough:${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)
  if (!m) throw new Error(`README.md has no walkthrough:${name} block`)
  return m[1]!
}

describe('README walkthrough: an agent, and the circle as an MCP server', () => {
  let s: TestServer
  let model: ScriptedModelServer
  let dir: string
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    model = await startScriptedModelServer([
      { content: 'Let me add them.', tool_calls: [{ name: 'add', arguments: { a: 2, b: 40 } }] },
      { content: '2 + 40 is 42.' },
    ])
    s = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${model.port}` } })
    await s.createCircle('acme')
    dir = mkdtempSync(join(tmpdir(), 'periodic-agent-walkthrough-'))
    const { PERIODIC_API_KEY: _drop, ...rest } = process.env
    env = { ...rest, PERIODIC_BASE_URL: s.url, PERIODIC_DATA_DIR: s.dataDir }
  }, 60_000)

  afterAll(async () => {
    await s?.close()
    await model?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('creates the tool and the agent, runs it and shows its steps', async () => {
    const bin = `node ${JSON.stringify(join(root, 'packages/server/bin/periodic.mjs'))}`
    const block = readmeBlock('agent')
    expect(block).toContain(OLLAMA)
    const outputs: string[] = []
    for (const line of block.split('\n').filter((l) => l.trim())) {
      const command = line.replaceAll('npx periodic', bin).replaceAll(OLLAMA, model.baseUrl)
      const { stdout } = await run('bash', ['-c', `set -euo pipefail; ${command}`], { cwd: dir, env }).catch(
        (err: { stderr?: string; message: string }) => {
          throw new Error(`"${line}" failed: ${err.stderr || err.message}`)
        },
      )
      outputs.push(stdout)
    }
    const invoked = outputs[outputs.length - 2]!
    expect(invoked).toMatch(/succeeded/)
    expect(invoked).toContain('2 + 40 is 42.')
    const steps = outputs[outputs.length - 1]!
    expect(steps).toContain('execution')
    expect(steps).toMatch(/"sum":\s*42|sum: 42/)
    // The model was given the instructions from AGENT.md, the question and the tool's result.
    const [first, second] = model.requests
    expect(JSON.stringify(first!.body.messages)).toContain('Add numbers with the add tool')
    expect(JSON.stringify(first!.body.messages)).toContain('What is 2 + 40?')
    expect(first!.body.tools?.map((t) => t.function.name)).toEqual(['add'])
    expect(JSON.stringify(second!.body.messages)).toContain('{\\"sum\\":42}')
  }, 180_000)

  it('runs the MCP client block as written', async () => {
    const file = join(root, 'packages/server/test', `.walkthrough-mcp-${process.pid}.mjs`)
    writeFileSync(file, readmeBlock('mcp').replace('http://127.0.0.1:8420', s.url))
    try {
      const { stdout } = await run(process.execPath, [file], {
        cwd: dir,
        env: { ...env, PERIODIC_API_KEY: s.adminKey },
      })
      const [listed, text] = stdout.trim().split('\n')
      expect(listed).toBe('true')
      expect(text).toContain('42')
    } finally {
      rmSync(file, { force: true })
    }
  }, 120_000)
})

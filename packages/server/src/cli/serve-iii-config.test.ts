// `periodic serve --iii-config` as a user runs it: a real process reading an iii config, an
// unchanged iii worker joining its port without a key, http triggers on the iii-http port,
// the warning for what Periodic does not support, and exit 2 on a malformed config.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import { afterAll, describe, expect, it } from 'vitest'
import { eventually } from '../engine/engine-test-kit.ts'

const BIN = join(import.meta.dirname, '../../bin/periodic.mjs')
const dir = mkdtempSync(join(tmpdir(), 'periodic-iii-cli-'))
let child: ChildProcess | undefined
let worker: IIIClient | undefined

afterAll(async () => {
  await worker?.shutdown().catch(() => {})
  if (child && child.exitCode === null)
    await new Promise<void>((resolve) => {
      child!.on('exit', () => resolve())
      child!.kill('SIGTERM')
    })
  rmSync(dir, { recursive: true, force: true })
})

/** Starts the server and resolves with its JSON log lines once it is serving. */
function serve(config: string): Promise<any[]> {
  const file = join(dir, 'config.yaml')
  writeFileSync(file, config)
  child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--data-dir', join(dir, 'data'), '--iii-config', file],
    {
      env: { ...process.env, PERIODIC_ADMIN_KEY: '', DATABASE_URL: '', PERIODIC_RATE_LIMIT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 20 s:\n${stdout}`)), 20_000)
    child!.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('"periodic is serving"')) {
        clearTimeout(timer)
        resolve(
          stdout
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l)),
        )
      }
    })
    child!.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${stdout}`))
    })
  })
}

describe('periodic serve --iii-config', () => {
  it('runs an iii config: an unchanged worker on its port, http triggers on the iii-http port', async () => {
    const logs = await serve(
      'workers:\n  - name: iii-worker-manager\n    config: { port: 0 }\n  - name: iii-http\n    config: { port: 0 }\n  - name: iii-pubsub\n  - name: iii-cron\n  - name: iii-exec\n',
    )
    const workerPort = logs.find((l) => l.msg === 'engine iii worker port listening')
    const httpPort = logs.find((l) => l.msg === 'iii-http port listening')
    expect(workerPort.circle).toBe('default')
    expect(logs.filter((l) => /not supported by Periodic/.test(l.msg)).map((l) => l.unsupported)).toEqual([
      ['iii-exec'],
    ])
    // The worker as an iii user writes it: no key, just the engine URL.
    worker = registerWorker(`ws://127.0.0.1:${workerPort.port}`, {
      otel: { enabled: false },
      enableMetricsReporting: false,
    })
    worker.registerFunction('orders::create', async (req: any) => ({
      status_code: 201,
      body: { id: 1, item: req.body.item },
    }))
    worker.registerTrigger({
      type: 'http',
      function_id: 'orders::create',
      config: { api_path: '/orders', http_method: 'POST' },
    })
    const res = await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${httpPort.port}/orders`, {
        method: 'POST',
        body: '{"item":"widget"}',
      })
      expect(r.status).toBe(201)
      return r
    })
    expect(await res.json()).toEqual({ id: 1, item: 'widget' })
  })

  it('refuses a malformed config with exit code 2, naming the file and the problem', () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'workers:\n  - name: iii-worker-manager\n    config: { port: 99999 }\n')
    const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--iii-config', file], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('bad.yaml')
    expect(r.stderr).toContain('port must be a port number')
  })
})

// What the Python benchmarks share: a platform on a fresh data dir, an admin JSON client, and
// the load client run in its own process (so it never shares the server's event loop).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { type Platform, startPlatform } from '../src/main.ts'
import type { Storage } from '../src/storage/storage.ts'

export type LoadStats = {
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
  failed: number
}

export interface BenchPlatform {
  p: Platform
  dataDir: string
  config: ReturnType<typeof parseConfig>
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>
  /** `total` requests, `concurrency` at once, from load-client.mjs; POST when a body is given. */
  load(path: string, total: number, concurrency: number, body?: string): Promise<LoadStats>
  close(): Promise<void>
}

export async function startBenchPlatform(
  name: string,
  env: Record<string, string> = {},
  opts: { storage?: Storage } = {},
): Promise<BenchPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), `periodic-${name}-`))
  const config = parseConfig(['--port', '0', '--data-dir', dataDir], env)
  const p = await startPlatform(config, { logger: pino({ level: 'silent' }), ...opts })
  const headers = { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }
  const client = join(import.meta.dirname, 'load-client.mjs')
  return {
    p,
    dataDir,
    config,
    async api(method, path, body) {
      const r = await fetch(p.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return r.json() as Promise<Record<string, unknown>>
    },
    async load(path, total, concurrency, body) {
      const method = body === undefined ? 'GET' : 'POST'
      const { stdout } = await promisify(execFile)(process.execPath, [
        client,
        JSON.stringify({ url: p.url + path, method, headers, body, total, concurrency }),
      ])
      return JSON.parse(stdout) as LoadStats
    },
    async close() {
      await p.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

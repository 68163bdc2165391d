// Starts a real Periodic server on a random port for a test: a fresh data dir, and either
// embedded SQLite or a fresh PostgreSQL schema. Requests go over real HTTP with fetch.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { type Platform, type StartOptions, startPlatform } from '../src/main.ts'
import { createPostgresStorage, dropPostgresSchema } from '../src/storage/postgres.ts'

export type StorageKind = 'sqlite' | 'postgres'

/** The PostgreSQL URL for tests; in CI its absence is an error, never a silent skip. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env['PERIODIC_TEST_DATABASE_URL']
  if (!url && process.env['CI']) throw new Error('PERIODIC_TEST_DATABASE_URL must be set in CI')
  return url
}

export interface ApiResponse<T = any> {
  status: number
  body: T
  headers: Headers
}

export interface RequestOptions {
  key?: string | null
  headers?: Record<string, string>
  /** Send this string verbatim instead of JSON-encoding `body`. */
  raw?: string
}

export interface TestServer {
  url: string
  adminKey: string
  platform: Platform
  dataDir: string
  api<T = any>(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<ApiResponse<T>>
  createCircle(slug: string): Promise<any>
  /** Creates a circle key with the given scopes and returns its value. */
  createKey(circle: string, scopes: string[]): Promise<string>
  close(): Promise<void>
}

export async function startTestServer(
  opts: { storage?: StorageKind; env?: Record<string, string>; start?: Omit<StartOptions, 'storage'> } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-test-'))
  // No pre-started sandboxes unless a test (or PERIODIC_TEST_WARM_SANDBOXES, to run a suite on
  // them) asks for them: they hold quota (tests count it) and cost sandboxes on a shared machine.
  const config = parseConfig(['--port', '0', '--data-dir', dataDir], {
    PERIODIC_PYTHON_WARM_SANDBOXES: process.env['PERIODIC_TEST_WARM_SANDBOXES'] ?? '0',
    ...opts.env,
  })
  let schema: string | undefined
  const dbUrl = opts.storage === 'postgres' ? testDatabaseUrl() : undefined
  if (opts.storage === 'postgres' && !dbUrl) throw new Error('PERIODIC_TEST_DATABASE_URL is not set')
  if (dbUrl) schema = `t_${randomBytes(6).toString('hex')}`
  const storage =
    dbUrl && schema ? await createPostgresStorage({ url: dbUrl, schema, maxConnections: 4 }) : undefined
  const platform = await startPlatform(config, { logger: pino({ level: 'silent' }), ...opts.start, storage })

  async function api<T>(
    method: string,
    path: string,
    body?: unknown,
    o: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...o.headers }
    const key = o.key === undefined ? platform.adminKey : o.key
    if (key !== null) headers['authorization'] = `Bearer ${key}`
    let payload: string | undefined = o.raw
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body)
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json'
    }
    const res = await fetch(platform.url + path, { method, headers, body: payload })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {}
    return { status: res.status, body: parsed as T, headers: res.headers }
  }

  return {
    url: platform.url,
    adminKey: platform.adminKey,
    platform,
    dataDir,
    api,
    async createCircle(slug) {
      const r = await api('POST', '/api', { element_type: 'circle', slug })
      if (r.status !== 201) throw new Error(`createCircle ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body
    },
    async createKey(circle, scopes) {
      const r = await api<{ key: string }>('POST', `/api/${circle}/ops/api_keys`, {
        name: `test ${scopes.join(',')}`,
        scopes,
      })
      if (r.status !== 201) throw new Error(`createKey: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body.key
    },
    async close() {
      await platform.close()
      if (dbUrl && schema) await dropPostgresSchema(dbUrl, schema)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The storage kinds a suite runs on: both when PostgreSQL is configured. */
export function storageKinds(): StorageKind[] {
  return testDatabaseUrl() ? ['sqlite', 'postgres'] : ['sqlite']
}

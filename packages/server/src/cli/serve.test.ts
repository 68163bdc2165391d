// `periodic serve` as a user runs it: a real process, flags and environment, the admin key
// printed once and kept in <data-dir>/admin.key with mode 0600.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const BIN = join(import.meta.dirname, '../../bin/periodic.mjs')
const children: ChildProcess[] = []
const dirs: string[] = []

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'periodic-cli-'))
  dirs.push(d)
  return d
}

/** Starts `periodic serve` and resolves once it logs its URL. */
function serve(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ url: string; stdout: string; ms: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, PERIODIC_ADMIN_KEY: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stdout = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 20 s:\n${stdout}`)), 20_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const m = /"url":"(http:\/\/[^"]+)".*"periodic is serving"/.exec(stdout)
      if (m) {
        // The admin key banner is written right after the log line; give it a moment.
        setTimeout(() => {
          clearTimeout(timer)
          resolve({ url: m[1]!, stdout, ms: performance.now() - started })
        }, 200)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${stdout}`))
    })
  })
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve()
          c.removeAllListeners('exit')
          c.on('exit', () => resolve())
          c.kill('SIGTERM')
        }),
    ),
  )
}

afterEach(async () => {
  await stopAll()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('periodic serve', () => {
  it('generates an admin key on first start, prints it once and stores it with mode 0600', async () => {
    const dataDir = tempDir()
    const first = await serve(['--data-dir', dataDir])
    const keyFile = join(dataDir, 'admin.key')
    const key = readFileSync(keyFile, 'utf8').trim()
    expect(key).toMatch(/^pk_/)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(first.stdout).toContain(key)
    const health = await fetch(`${first.url}/healthz`)
    expect(await health.json()).toEqual({ status: 'ok' })
    const circles = await fetch(`${first.url}/api`, { headers: { authorization: `Bearer ${key}` } })
    expect(circles.status).toBe(200)
    await stopAll()

    const second = await serve(['--data-dir', dataDir])
    expect(second.stdout).not.toContain(key)
    const again = await fetch(`${second.url}/api`, { headers: { authorization: `Bearer ${key}` } })
    expect(again.status).toBe(200)
    console.log(
      `restart on an existing data dir: ${second.ms.toFixed(0)} ms to serving (process start included)`,
    )
  })

  it('uses PERIODIC_ADMIN_KEY and PERIODIC_DATA_DIR from the environment', async () => {
    const dataDir = tempDir()
    const key = 'env-admin-key-0123456789'
    const { url, stdout } = await serve([], { PERIODIC_ADMIN_KEY: key, PERIODIC_DATA_DIR: dataDir })
    expect(stdout).not.toContain(key)
    expect((await fetch(`${url}/api`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
    expect((await fetch(`${url}/api`, { headers: { authorization: 'Bearer pk_wrong' } })).status).toBe(401)
    expect(statSync(join(dataDir, 'periodic.db')).isFile()).toBe(true)
  })

  it('refuses a bad flag or port with exit code 2 and a message', () => {
    const bad = spawnSync(process.execPath, [BIN, 'serve', '--port', 'eighty'], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('port must be an integer')
    const unknown = spawnSync(process.execPath, [BIN, 'serve', '--nope'], { encoding: 'utf8' })
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('--nope')
  })

  it('prints help', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('PERIODIC_PORT')
    expect(r.stdout).toContain('DATABASE_URL')
  })
})

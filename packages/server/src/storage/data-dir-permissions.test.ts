// A server started on an existing, world-readable data dir (an older install, a directory made
// by hand) closes it: the directory becomes 0700 and the SQLite files 0600.
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, expect, it } from 'vitest'
import { parseConfig } from '../config.ts'
import { startPlatform } from '../main.ts'

const dir = mkdtempSync(join(tmpdir(), 'periodic-modes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('makes the data dir 0700 and the database, -wal and -shm 0600 at start', async () => {
  chmodSync(dir, 0o755)
  const config = parseConfig(['--port', '0', '--data-dir', dir], { PERIODIC_SANDBOX: 'process' })
  const platform = await startPlatform(config, { logger: pino({ level: 'silent' }) })
  try {
    const res = await fetch(`${platform.url}/api`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ element_type: 'circle', slug: 'acme' }),
    })
    expect(res.status).toBeLessThan(300)
    const mode = (p: string) => statSync(p).mode & 0o777
    expect(mode(dir)).toBe(0o700)
    const db = join(dir, 'periodic.db')
    const files = [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f))
    expect(files).toContain(db)
    expect(files.map(mode)).toEqual(files.map(() => 0o600))
  } finally {
    await platform.close()
  }
})

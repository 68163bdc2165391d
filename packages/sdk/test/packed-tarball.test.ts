// The package as a consumer gets it: `npm pack`, install the tarball into a fresh directory,
// and run a plain ESM script that imports @periodic/sdk and talks to a running server.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'

const run = promisify(execFile)
const sdkDir = join(dirname(fileURLToPath(import.meta.url)), '..')

const consumer = `
import { PeriodicClient, NotFoundError } from '@periodic/sdk'

const client = new PeriodicClient()
const created = await client.elements.create('acme', {
  element_type: 'python',
  slug: 'hello',
  spec: { source: { type: 'inline', code: 'def handler(input):\\n  return input' } },
})
const result = await client.python('acme/hello').invoke({ name: 'Ada' }, { waitForCompletion: 30 })
let notFound = false
try {
  await client.elements.get('acme/missing')
} catch (error) {
  notFound = error instanceof NotFoundError && error.code === 'ELEMENT_NOT_FOUND'
}
console.log(JSON.stringify({ slug: created.slug, status: result.status, output: result.output, notFound }))
`

let server: TestServer
let work: string

beforeAll(async () => {
  server = await startTestServer()
  await server.createCircle('acme')
  work = mkdtempSync(join(tmpdir(), 'periodic-sdk-pack-'))
})

afterAll(async () => {
  await server?.close()
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the packed @periodic/sdk', () => {
  it('installs from its tarball into a fresh project and works from plain JavaScript', async () => {
    const packDir = join(work, 'pack')
    const appDir = join(work, 'app')
    for (const dir of [packDir, appDir]) await run('mkdir', ['-p', dir])
    // `npm pack` runs `prepare`, so the tarball holds a fresh build.
    await run('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: sdkDir })
    const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))
    expect(tarball).toBeDefined()

    const { stdout: listing } = await run('tar', ['-tzf', join(packDir, tarball!)])
    const files = listing.trim().split('\n')
    expect(files).toContain('package/dist/index.js')
    expect(files).toContain('package/dist/index.d.ts')
    expect(files.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false)

    writeFileSync(
      join(appDir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    writeFileSync(join(appDir, 'main.mjs'), consumer)
    // No dependencies: installing the tarball needs no registry.
    await run(
      'npm',
      ['install', join(packDir, tarball!), '--no-audit', '--no-fund', '--offline', '--silent'],
      {
        cwd: appDir,
      },
    )

    const { stdout } = await run('node', ['main.mjs'], {
      cwd: appDir,
      env: { ...process.env, PERIODIC_API_KEY: server.adminKey, PERIODIC_BASE_URL: server.url },
    })
    expect(JSON.parse(stdout.trim())).toEqual({
      slug: 'hello',
      status: 'succeeded',
      output: { name: 'Ada' },
      notFound: true,
    })
  }, 180_000)
})

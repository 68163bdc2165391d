// Benchmark of the cookie jar over real HTTP on SQLite and (when reachable) PostgreSQL: import of
// 10 000 cookies merged into 10 000, export, describe at growing jar sizes (it should stay flat)
// and diff of two 10 000-cookie jars, each printed beside the anchor.
// Run: npx tsx packages/server/bench/cookie-jar.ts [--sqlite-only]. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { startPlatform } from '../src/main.ts'
import { createPostgresStorage, dropPostgresSchema } from '../src/storage/postgres.ts'

const ROUNDS = 7

function cookies(n: number, offset: number, tag: string) {
  return Array.from({ length: n }, (_, i) => {
    const k = i + offset
    return {
      name: `session_${k}`,
      value: `${tag}-${k}-${'x'.repeat(120)}`,
      domain: `.site${k % 200}.example.com`,
      path: '/',
      secure: true,
      httpOnly: k % 2 === 0,
      sameSite: k % 3 === 0 ? 'lax' : 'no_restriction',
      expirationDate: 1_900_000_000 + k,
    }
  })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`

async function run(kind: 'sqlite' | 'postgres') {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-bench-jar-'))
  const url = process.env['PERIODIC_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `bench_jar_${process.pid}`
  const config = parseConfig(['--port', '0', '--data-dir', dataDir, '--rate-limit', '0'], {})
  const storage = kind === 'postgres' ? await createPostgresStorage({ url, schema }) : undefined
  const p = await startPlatform(config, { logger: pino({ level: 'silent' }), storage })
  const h = { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }
  const call = async (method: string, path: string, body?: unknown) => {
    // The request body is encoded before the clock starts: that is the client's work.
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const t0 = performance.now()
    const r = await fetch(p.url + path, { method, headers: h, body: payload })
    const json = (await r.json()) as Record<string, unknown>
    const ms = performance.now() - t0
    if (r.status >= 300)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json).slice(0, 300)}`)
    return { ms, json }
  }
  try {
    await call('POST', '/api', { element_type: 'circle', slug: 'bench' })
    const lines: string[] = []

    // import: 10 000 cookies merged into a jar already holding 10 000 (5 000 overlap, so the
    // result stays within the bound: 15 000 would be refused).
    const importMs: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const slug = `imp-${round}`
      await call('POST', '/api/bench', { element_type: 'cookie-jar', slug })
      await call('POST', `/api/bench/${slug}/ops/import`, {
        cookies: cookies(10_000, 0, 'a'),
        mode: 'replace',
      })
      const r = await call('POST', `/api/bench/${slug}/ops/import`, {
        cookies: cookies(10_000, 0, 'b'),
        mode: 'merge',
      })
      importMs.push(r.ms)
    }
    lines.push(`import 10 000 merged into 10 000     ${fmt(median(importMs)).padStart(10)}   anchor < 300 ms`)

    const exportMs: number[] = []
    for (let round = 0; round < ROUNDS; round++)
      exportMs.push((await call('POST', '/api/bench/imp-0/ops/export')).ms)
    lines.push(`export 10 000                         ${fmt(median(exportMs)).padStart(10)}   (no anchor)`)

    // describe at growing sizes: flat means the 10 000 figure is close to the 10 figure.
    for (const n of [10, 1_000, 10_000]) {
      const slug = `desc-${n}`
      await call('POST', '/api/bench', { element_type: 'cookie-jar', slug })
      await call('POST', `/api/bench/${slug}/ops/import`, { cookies: cookies(n, 0, 'd'), mode: 'replace' })
      const ms: number[] = []
      for (let i = 0; i < 50; i++) ms.push((await call('GET', `/api/bench/${slug}/ops/describe`)).ms)
      lines.push(
        `describe, jar of ${String(n).padEnd(6)}               ${fmt(median(ms)).padStart(10)}   anchor < 5 ms, flat`,
      )
    }

    await call('POST', '/api/bench', { element_type: 'cookie-jar', slug: 'other' })
    await call('POST', '/api/bench/other/ops/import', {
      cookies: cookies(10_000, 2_500, 'c'),
      mode: 'replace',
    })
    const diffMs: number[] = []
    let diff: Record<string, unknown> = {}
    for (let round = 0; round < ROUNDS; round++) {
      const r = await call('POST', '/api/bench/imp-0/ops/diff', { other_jar_id: 'other' })
      diffMs.push(r.ms)
      diff = r.json
    }
    lines.push(
      `diff of two 10 000-cookie jars       ${fmt(median(diffMs)).padStart(10)}   anchor < 200 ms  (added ${diff['added']}, removed ${diff['removed']}, changed ${diff['changed']})`,
    )
    const load = loadavg()[0]!.toFixed(1)
    process.stdout.write(
      `\ncookie-jar on ${kind} (median of ${ROUNDS}; describe median of 50; over HTTP; load average ${load})\n${lines.join('\n')}\n`,
    )
  } finally {
    await p.close()
    rmSync(dataDir, { recursive: true, force: true })
    if (kind === 'postgres') await dropPostgresSchema(url, schema)
  }
}

await run('sqlite')
if (!process.argv.includes('--sqlite-only')) {
  await run('postgres').catch((err) =>
    process.stdout.write(`\npostgres skipped: ${(err as Error).message}\n`),
  )
}

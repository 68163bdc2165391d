// Every route of the OpenAPI document, called with the admin key against a real server holding
// one element of each type, with generated hostile inputs (openapi-fuzz-inputs.ts): never a
// 5xx (but the few 503s listed below, which need a browser), and /healthz healthy afterwards.
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../test/test-server.ts'
import {
  BAD_PATH_VALUES,
  type BodyVariant,
  bodyVariants,
  queryVariants,
  type Schema,
  sample,
  seeded,
} from './openapi-fuzz-inputs.ts'

/** 5xx codes a route may answer on this machine by design (no Chromium here). */
const ALLOWED_5XX = new Set(['BROWSER_UNAVAILABLE'])
/** Operations that would start a browser session (slow, and not what this test is about). */
const SKIP = new Set(['browser_start_post', 'browser_navigate_post'])
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

interface Call {
  label: string
  method: string
  path: string
  variant?: BodyVariant
}
interface Answer {
  status: number
  code: string | undefined
  message: string | undefined
}

describe('the OpenAPI document under hostile input', () => {
  let s: TestServer
  let runId: string
  const fixtures: Record<string, string> = {}

  /** Raw HTTP, so paths and bodies go out exactly as generated (fetch would normalize them). */
  function send(c: Call): Promise<Answer | 'timeout'> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${s.adminKey}`,
        ...c.variant?.headers,
      }
      if (c.variant?.contentType) headers['content-type'] = c.variant.contentType
      const req = request(`${s.url}${c.path}`, { method: c.method.toUpperCase(), headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => {
          if (chunks.length < 64) chunks.push(d)
        })
        res.on('end', () => {
          let body: { error?: { code?: string; message?: string } } = {}
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
          } catch {}
          resolve({ status: res.statusCode ?? 0, code: body.error?.code, message: body.error?.message })
        })
        res.on('error', reject)
      })
      // Event streams stay open while a run could still change; that is not a failure.
      req.setTimeout(3000, () => {
        req.destroy()
        resolve('timeout')
      })
      req.on('error', (err) => (req.destroyed ? resolve('timeout') : reject(err)))
      req.end(c.variant?.body)
    })
  }

  beforeAll(async () => {
    // PostgreSQL when configured: the stricter store (it refuses NUL in text, for one).
    s = await startTestServer({ storage: storageKinds().at(-1) })
    await s.createCircle('fz')
    const create = async (element_type: string, slug: string, spec: object = {}) => {
      const r = await s.api('POST', '/api/fz', { element_type, slug, spec })
      if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
      fixtures[element_type] = slug
    }
    await create('project', 'proj')
    await create('python', 'py', {
      source: { type: 'inline', code: 'def handler(input):\n    return {"ok": True}\n' },
    })
    await create('cookie-jar', 'jar')
    await create('variable', 'var', { value: 1 })
    await create('rate-limit', 'rl', { rate: 1000, burst: 1000 })
    await create('websocket', 'sock', { path: '/sock', handlers: { message: 'py' } })
    await create('browser', 'br')
    const run = await s.api('POST', '/api/v1/runs?wait_for_completion=30', { target: 'fz/py', input: {} })
    runId = run.body.id
    await s.api('PUT', `/api/v1/runs/${runId}/expected/output`, { ok: true })
  }, 60_000)
  afterAll(async () => s?.close())

  it('never answers 5xx to any route, and the server stays healthy', async () => {
    const doc = (await s.api('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, Schema>>
    }
    const rand = seeded(12)
    const calls: Call[] = []
    const late: Call[] = [] // deletes and disables go last, so the fixtures serve everything else
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method]
        if (!op || SKIP.has(String(op['operationId']))) continue
        const types = (op['x-element-types'] as string[] | undefined) ?? Object.keys(fixtures)
        // Generic operations are tried on two element types, picked by the seeded generator.
        const targets = op['x-element-types'] ? types : [types[Math.floor(rand() * types.length)]!, 'circle']
        for (const type of targets) {
          const element = type === 'circle' ? undefined : fixtures[type]
          if (template.includes('{element}') && !element) continue
          const fill = (name: string) =>
            ({ circle: 'fz', element, id: runId, run_id: runId, name: 'output', path: 'a.txt' })[name] ?? 'x'
          const path = template.replace(/\{(\w+)\}/g, (_m, n: string) => fill(n)!)
          const label = `${method.toUpperCase()} ${template} (${type})`
          const into = /\/(delete|disable)$/.test(template) || method === 'delete' ? late : calls
          const body = (op['requestBody'] as Schema | undefined)?.['content'] as
            | Record<string, Schema>
            | undefined
          const schema = body?.['application/json']?.['schema'] as Schema | undefined
          if (body)
            for (const variant of bodyVariants(schema, sample(schema, { runId }), rand))
              into.push({ label: `${label} body ${variant.name}`, method, path, variant })
          const params = ((op['parameters'] ?? []) as Schema[]).filter((p) => p['in'] === 'query')
          for (const q of queryVariants(
            params.map((p) => String(p['name'])),
            rand,
          ))
            into.push({ label: `${label} query ${q.slice(0, 60)}`, method, path: path + q })
          for (const name of template.match(/\{(\w+)\}/g) ?? []) {
            for (let k = 0; k < 3; k++) {
              const bad = BAD_PATH_VALUES[Math.floor(rand() * BAD_PATH_VALUES.length)]!
              const badPath = template.replace(name, bad).replace(/\{(\w+)\}/g, (_m, n: string) => fill(n)!)
              into.push({ label: `${label} ${name} = ${bad.slice(0, 20)}`, method, path: badPath })
            }
          }
        }
      }
    }
    const all = [...calls, ...late]
    expect(all.length).toBeLessThan(6000)

    const failures: string[] = []
    let timeouts = 0
    // A few at a time, in order within each phase.
    for (const phase of [calls, late]) {
      for (let i = 0; i < phase.length; i += 4) {
        await Promise.all(
          phase.slice(i, i + 4).map(async (c) => {
            const a = await send(c)
            if (a === 'timeout') timeouts++
            else if (a.status >= 500 && !(a.status === 503 && a.code && ALLOWED_5XX.has(a.code)))
              failures.push(`${c.label}: ${a.status} ${a.code} ${a.message?.slice(0, 200)}`)
          }),
        )
      }
    }
    expect(failures).toEqual([])
    expect(timeouts).toBeLessThan(all.length / 10)
    const health = await s.api('GET', '/healthz')
    expect(health.status).toBe(200)
  }, 120_000)
})

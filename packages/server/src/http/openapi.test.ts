// The OpenAPI document: the committed openapi.json is fresh, it validates as OpenAPI 3.1, the
// server serves the same document, and it lists every operation of every registered type.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'
import { operationPath } from '../elements/element.ts'
import { Registry } from '../elements/registry.ts'
import { buildOpenApi } from './openapi.ts'

const COMMITTED = join(import.meta.dirname, '../../openapi.json')
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

type Operation = { operationId: string; parameters?: Array<{ name: string; in: string }> }
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> }

const generate = () => buildOpenApi(new Registry()) as unknown as Doc
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([url, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ url, method, op })),
  )

describe('OpenAPI document', () => {
  it('is committed and fresh', () => {
    let committed = ''
    try {
      committed = readFileSync(COMMITTED, 'utf8')
    } catch {}
    expect(
      committed,
      'packages/server/openapi.json is stale: run `npm run openapi` and commit the result',
    ).toBe(`${JSON.stringify(generate(), null, 2)}\n`)
  })

  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator()
    const result = await validator.validate(generate() as unknown as Record<string, unknown>)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })

  it('has unique operation ids and declares every path template parameter', () => {
    const all = operations(generate())
    const ids = all.map((o) => o.op.operationId)
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
    for (const { url, method, op } of all) {
      const inTemplate = [...url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      const declared = (op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort()
      expect(declared, `${method} ${url}`).toEqual(inTemplate)
    }
  })

  it('lists every operation of every registered type', () => {
    const doc = generate()
    const registry = new Registry()
    for (const type of registry.list()) {
      for (const op of registry.operationsOf(type)) {
        const tail = `/ops/${operationPath(op).replace(/:(\w+)/g, '{$1}')}`
        const entries = Object.entries(doc.paths).filter(
          ([url, item]) => url.endsWith(tail) && item[op.method.toLowerCase()],
        )
        expect(entries.length, `${type.type} ${op.method} ${tail}`).toBeGreaterThan(0)
        const entry = entries.map(([, item]) => item[op.method.toLowerCase()] as Record<string, unknown>)
        const covers = entry.some((e) => {
          const types = e['x-element-types'] as string[]
          return types.includes('*') || types.includes(type.type)
        })
        expect(covers, `${type.type} ${op.method} ${tail}`).toBe(true)
      }
    }
  })

  describe('over HTTP', () => {
    let s: TestServer
    beforeAll(async () => {
      s = await startTestServer()
    })
    afterAll(async () => s?.close())

    it('serves the same document at GET /api/openapi.json', async () => {
      const r = await s.api('GET', '/api/openapi.json')
      expect(r.status).toBe(200)
      expect(r.headers.get('content-type')).toMatch(/application\/json/)
      expect(r.body).toEqual(JSON.parse(JSON.stringify(generate())))
    })
  })
})

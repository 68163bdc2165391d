// Read operations over real HTTP: schema (MCP tools/list shape), intention (direct, inherited,
// resolved), readme and readme_update.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

type Tool = {
  name: string
  description: string
  inputSchema: { type: string; properties?: Record<string, unknown> }
  annotations: { method: string; path: string; auth: string; readOnlyHint: boolean }
}

describe('read operations', () => {
  let s: TestServer
  const c = 'reads'
  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    for (const [parent, element_type, slug] of [
      [c, 'project', 'p'],
      [`${c}/p`, 'variable', 'v'],
      [c, 'variable', 'plain'],
    ] as const) {
      const r = await s.api('POST', `/api/${parent}`, { element_type, slug })
      if (r.status !== 201) throw new Error(JSON.stringify(r.body))
    }
  })
  afterAll(async () => s?.close())

  describe('types (on a circle)', () => {
    it('lists the creatable types with their spec schemas, circles excluded', async () => {
      const r = await s.api('GET', `/api/${c}/ops/types`)
      expect(r.status).toBe(200)
      const byType = new Map(r.body.types.map((t: { type: string }) => [t.type, t]))
      expect(byType.has('circle')).toBe(false)
      for (const t of ['python', 'cookie-jar', 'websocket', 'browser', 'variable', 'project'])
        expect(byType.has(t), t).toBe(true)
      expect(byType.get('python')).toMatchObject({
        name: expect.any(String),
        symbol: expect.any(String),
        category: expect.any(String),
        spec_schema: { type: 'object', properties: expect.any(Object) },
      })
      expect(byType.get('project')).toMatchObject({ container: true })
    })

    it('needs a key of the circle', async () => {
      expect((await s.api('GET', `/api/${c}/ops/types`, undefined, { key: null })).status).toBe(401)
    })
  })

  describe('schema', () => {
    it('lists one MCP tool per operation of the type, with unique names and object input schemas', async () => {
      const r = await s.api('GET', `/api/${c}/p/v/ops/schema`)
      expect(r.status).toBe(200)
      expect(r.body.element_type).toBe('variable')
      expect(r.body.spec_schema).toMatchObject({ type: 'object', properties: { value: {} } })
      const tools = r.body.tools as Tool[]
      const names = tools.map((t) => t.name)
      expect(new Set(names).size).toBe(names.length)
      for (const t of tools) {
        expect(typeof t.description, t.name).toBe('string')
        expect(t.description.length, t.name).toBeGreaterThan(0)
        expect(t.inputSchema.type, t.name).toBe('object')
        expect(t.annotations.path, t.name).toMatch(/^\/ops\//)
      }
      for (const op of ['value', 'set', 'get', 'update', 'schema', 'attach', 'compose', 'tree', 'activity'])
        expect(names).toContain(op)
      const set = tools.find((t) => t.name === 'set')!
      expect(set.annotations).toMatchObject({ method: 'POST', auth: 'write', readOnlyHint: false })
      expect(Object.keys(set.inputSchema.properties ?? {})).toContain('value')
      expect(tools.find((t) => t.name === 'value')!.annotations.readOnlyHint).toBe(true)
    })

    it('has one tool for every route the type answers (the operation list of a 404 agrees)', async () => {
      const tools = (await s.api('GET', `/api/${c}/ops/schema`)).body.tools as Tool[]
      const missing = await s.api('GET', `/api/${c}/ops/no-such-op`)
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('OPERATION_NOT_FOUND')
      const routes = (missing.body.error.details.operations as string[]).sort()
      expect(
        tools.map((t) => `${t.annotations.method} ${t.annotations.path.slice('/ops/'.length)}`).sort(),
      ).toEqual(routes)
      // The circle defines api_keys for two methods: the tool names stay unique.
      const names = tools.map((t) => t.name)
      expect(new Set(names).size).toBe(names.length)
      expect(names.filter((x) => x.startsWith('api_keys')).length).toBeGreaterThan(1)
    })
  })

  describe('intention', () => {
    it('returns the direct intention, those inherited from circle and project, and the joined result', async () => {
      const plain = await s.api('GET', `/api/${c}/plain/ops/intention`)
      expect(plain.status).toBe(200)
      expect(plain.body).toEqual({ direct: '', inherited: [], resolved: '' })

      await s.api('PATCH', `/api/${c}/ops/update`, { intention: 'Serve the readers.' })
      await s.api('PATCH', `/api/${c}/p/ops/update`, { intention: 'Keep greetings short.' })
      await s.api('PATCH', `/api/${c}/p/v/ops/update`, { intention: 'Say hello.' })
      const r = await s.api('GET', `/api/${c}/p/v/ops/intention`)
      expect(r.body.direct).toBe('Say hello.')
      expect(r.body.inherited.map((i: { slug: string; intention: string }) => [i.slug, i.intention])).toEqual(
        [
          [c, 'Serve the readers.'],
          ['p', 'Keep greetings short.'],
        ],
      )
      expect(r.body.resolved).toBe('Serve the readers.\n\nKeep greetings short.\n\nSay hello.')

      const fromCircleOnly = await s.api('GET', `/api/${c}/plain/ops/intention`)
      expect(fromCircleOnly.body).toMatchObject({ direct: '', resolved: 'Serve the readers.' })
      const circle = await s.api('GET', `/api/${c}/ops/intention`)
      expect(circle.body).toEqual({
        direct: 'Serve the readers.',
        inherited: [],
        resolved: 'Serve the readers.',
      })
    })
  })

  describe('readme', () => {
    it('is empty by default and stores what readme_update writes', async () => {
      const empty = await s.api('GET', `/api/${c}/plain/ops/readme`)
      expect(empty.status).toBe(200)
      expect(empty.body).toEqual({ content: '', format: 'markdown' })
      const content = '# Plain\n\nA variable with **notes** — ünïcode too.\n'
      const w = await s.api('POST', `/api/${c}/plain/ops/readme_update`, { content })
      expect(w.status).toBe(200)
      expect(w.body).toMatchObject({ content, format: 'markdown' })
      expect((await s.api('GET', `/api/${c}/plain/ops/readme`)).body.content).toBe(content)
      // A README is not part of the versioned spec.
      expect((await s.api('GET', `/api/${c}/plain`)).body.version).toBe(1)
    })

    it('needs the write scope', async () => {
      const key = await s.createKey(c, ['read'])
      const r = await s.api('POST', `/api/${c}/plain/ops/readme_update`, { content: 'x' }, { key })
      expect(r.status).toBe(403)
      expect(r.body.error.details.required_scope).toBe('write')
    })

    it('refuses content over 1 MiB, counted in bytes, and keeps the old README', async () => {
      await s.api('POST', `/api/${c}/p/ops/readme_update`, { content: 'kept' })
      for (const content of ['x'.repeat(1024 * 1024 + 1), '€'.repeat(400_000)]) {
        const r = await s.api('POST', `/api/${c}/p/ops/readme_update`, { content })
        expect([400, 413]).toContain(r.status)
        expect(r.body.error.details.field).toBe('content')
      }
      expect((await s.api('GET', `/api/${c}/p/ops/readme`)).body.content).toBe('kept')
      const exactly = 'y'.repeat(1024 * 1024)
      expect((await s.api('POST', `/api/${c}/p/ops/readme_update`, { content: exactly })).status).toBe(200)
    })

    it('rejects unknown fields and a missing content', async () => {
      for (const body of [{}, { content: 'x', extra: 1 }, { content: 5 }]) {
        const r = await s.api('POST', `/api/${c}/plain/ops/readme_update`, body)
        expect(r.status).toBe(400)
        expect(r.body.error.code).toBe('VALIDATION_FAILED')
      }
    })
  })
})

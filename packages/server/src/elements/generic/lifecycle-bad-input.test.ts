// Bad input to the generic lifecycle operations and the variable operations, over real HTTP on
// every storage: exact status, error code and the field named, and nothing changed after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ApiResponse,
  startTestServer,
  storageKinds,
  type TestServer,
} from '../../../test/test-server.ts'

function expectError(r: ApiResponse, status: number, code: string, field?: string, label?: string) {
  expect(r.status, label).toBe(status)
  expect(r.body.error.code, label).toBe(code)
  if (field !== undefined) expect(r.body.error.details.field, label).toBe(field)
}

for (const storage of storageKinds()) {
  describe(`lifecycle bad input on ${storage}`, () => {
    let s: TestServer
    const c = 'bad'
    const v = `/api/${c}/proj/var`

    beforeAll(async () => {
      s = await startTestServer({ storage })
      await s.createCircle(c)
      for (const [parent, element_type, slug] of [
        [c, 'project', 'proj'],
        [`${c}/proj`, 'variable', 'var'],
      ]) {
        const r = await s.api('POST', `/api/${parent}`, { element_type, slug, spec: {} })
        if (r.status !== 201) throw new Error(JSON.stringify(r.body))
      }
    })
    afterAll(async () => s?.close())

    /** The variable's version stays put: a refused write changes nothing. */
    const versionOf = async () => (await s.api('GET', `${v}/ops/version`)).body.version as number

    describe('create', () => {
      it('refuses malformed slugs: pattern and reserved words as INVALID_SLUG, lengths by the schema', async () => {
        for (const slug of ['Upper', 'has space', '-lead', 'trail-', 'under_score', 'café', 'ops', 'a/b']) {
          const r = await s.api('POST', `/api/${c}`, { element_type: 'variable', slug })
          expectError(r, 400, 'INVALID_SLUG', 'slug', slug)
        }
        for (const slug of ['', 'a'.repeat(64), 5, null]) {
          const r = await s.api('POST', `/api/${c}`, { element_type: 'variable', slug })
          expectError(r, 400, 'VALIDATION_FAILED', 'slug', String(slug))
        }
        expect(
          (await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: 'a'.repeat(63) })).status,
        ).toBe(201)
        expect((await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: '0' })).status).toBe(201)
      })

      it('refuses missing, unknown and extra fields and a bad spec', async () => {
        expectError(await s.api('POST', `/api/${c}`, { slug: 'x' }), 400, 'VALIDATION_FAILED', 'element_type')
        expectError(
          await s.api('POST', `/api/${c}`, { element_type: 'variable' }),
          400,
          'VALIDATION_FAILED',
          'slug',
        )
        expectError(await s.api('POST', `/api/${c}`), 400, 'VALIDATION_FAILED')
        expectError(await s.api('POST', `/api/${c}`, []), 400, 'VALIDATION_FAILED')
        const unknown = await s.api('POST', `/api/${c}`, { element_type: 'teapot', slug: 'x' })
        expectError(unknown, 400, 'UNKNOWN_ELEMENT_TYPE', 'element_type')
        expect(unknown.body.error.details.known).toEqual(
          expect.arrayContaining(['circle', 'project', 'variable']),
        )
        const base = { element_type: 'variable', slug: 'x' }
        expectError(
          await s.api('POST', `/api/${c}`, { ...base, colour: 'red' }),
          400,
          'VALIDATION_FAILED',
          'colour',
        )
        expectError(await s.api('POST', `/api/${c}`, { ...base, spec: [] }), 400, 'VALIDATION_FAILED', 'spec')
        const extra = await s.api('POST', `/api/${c}`, { ...base, spec: { colour: 'red' } })
        expectError(extra, 400, 'VALIDATION_FAILED', 'spec.colour')
        const desc = await s.api('POST', `/api/${c}`, { ...base, spec: { description: 5 } })
        expectError(desc, 400, 'VALIDATION_FAILED', 'spec.description')
        expectError(
          await s.api('POST', `/api/${c}`, { ...base, name: 'n'.repeat(201) }),
          400,
          'VALIDATION_FAILED',
          'name',
        )
        const proto = await s.api('POST', `/api/${c}`, undefined, {
          raw: '{"element_type":"variable","slug":"x","meta":{"__proto__":{"admin":true}}}',
        })
        expectError(proto, 400, 'FORBIDDEN_KEY')
        expectError(await s.api('POST', `/api/${c}`, undefined, { raw: '{"slug":' }), 400, 'INVALID_JSON')
        // None of these created anything.
        expect((await s.api('GET', `/api/${c}/x`)).status).toBe(404)
      })

      it('creates children only under containers, and circles only at /api with the platform admin key', async () => {
        const underVar = await s.api('POST', v, { element_type: 'variable', slug: 'y' })
        expectError(underVar, 400, 'NOT_A_CONTAINER')
        expectError(
          await s.api('POST', `/api/${c}`, { element_type: 'circle', slug: 'inner' }),
          400,
          'NOT_A_CONTAINER',
        )
        const notCircle = await s.api('POST', '/api', { element_type: 'variable', slug: 'top' })
        expectError(notCircle, 400, 'VALIDATION_FAILED', 'element_type')
        const admin = await s.createKey(c, ['admin'])
        const denied = await s.api('POST', '/api', { element_type: 'circle', slug: 'mine' }, { key: admin })
        expect(denied.status).toBe(403)
        expect(denied.body.error).toMatchObject({
          code: 'FORBIDDEN',
          details: { required_scope: 'platform_admin' },
        })
        expectError(
          await s.api('POST', '/api', { element_type: 'circle', slug: 'mine' }, { key: null }),
          401,
          'AUTH_REQUIRED',
        )
        const read = await s.createKey(c, ['read'])
        const noWrite = await s.api(
          'POST',
          `/api/${c}`,
          { element_type: 'variable', slug: 'z' },
          { key: read },
        )
        expect(noWrite.status).toBe(403)
        expect(noWrite.body.error.details.required_scope).toBe('write')
        expect((await s.api('GET', '/api/mine')).status).toBe(404)
      })
    })

    it('update refuses bad fields and an invalid resulting spec without a new version', async () => {
      const before = await versionOf()
      for (const [body, field] of [
        [{ spec: 'x' }, 'spec'],
        [{ spec: [1] }, 'spec'],
        [{ deep: 'no' }, 'deep'],
        [{ expected_version: 0 }, 'expected_version'],
        [{ expected_version: 'one' }, 'expected_version'],
        [{ colour: 'red' }, 'colour'],
        [{ spec: { colour: 'red' } }, 'spec.colour'],
        [{ spec: { description: 'd'.repeat(2001) } }, 'spec.description'],
        [{ name: 'n'.repeat(201) }, 'name'],
        [{ message: 'm'.repeat(501) }, 'message'],
      ] as const) {
        expectError(
          await s.api('PATCH', `${v}/ops/update`, body),
          400,
          'VALIDATION_FAILED',
          field,
          JSON.stringify(body),
        )
      }
      const deepFalse = await s.api('PATCH', `${v}/ops/update`, { spec: { colour: 1 }, deep: false })
      expectError(deepFalse, 400, 'VALIDATION_FAILED', 'spec.colour')
      expectError(await s.api('PATCH', `${v}/ops/update`, { slug: 'other' }), 400, 'SLUG_IMMUTABLE', 'slug')
      const stale = await s.api('PATCH', `${v}/ops/update`, { spec: { value: 1 }, expected_version: 99 })
      expectError(stale, 409, 'VERSION_CONFLICT')
      const read = await s.createKey(c, ['read'])
      expect((await s.api('PATCH', `${v}/ops/update`, { spec: { value: 1 } }, { key: read })).status).toBe(
        403,
      )
      expect(await versionOf()).toBe(before)
      expect((await s.api('GET', v)).body.spec).toEqual({ value: null, description: '' })
    })

    it('update_meta refuses a missing or non-object meta, extra fields and more than 64 KiB', async () => {
      for (const body of [{}, { meta: null }, { meta: [1] }, { meta: 'x' }, { meta: {}, extra: 1 }]) {
        expectError(
          await s.api('PATCH', `${v}/ops/update_meta`, body),
          400,
          'VALIDATION_FAILED',
          undefined,
          JSON.stringify(body),
        )
      }
      const big = await s.api('PATCH', `${v}/ops/update_meta`, { meta: { blob: 'x'.repeat(64 * 1024) } })
      expectError(big, 400, 'VALIDATION_FAILED', 'meta')
      expect((await s.api('GET', v)).body.meta).toEqual({})
    })

    it('version refuses out-of-range, non-numeric and unknown query parameters', async () => {
      for (const q of [
        'limit=0',
        'limit=-1',
        'limit=1001',
        'limit=100000000000',
        'limit=abc',
        'limit=1.5',
        'limit=',
      ]) {
        expectError(
          await s.api('GET', `${v}/ops/version?history=true&${q}`),
          400,
          'VALIDATION_FAILED',
          'limit',
          q,
        )
      }
      expectError(await s.api('GET', `${v}/ops/version?history=maybe`), 400, 'VALIDATION_FAILED', 'history')
      expectError(await s.api('GET', `${v}/ops/version?colour=red`), 400, 'VALIDATION_FAILED', 'colour')
      expectError(await s.api('POST', `${v}/ops/version`, {}), 405, 'METHOD_NOT_ALLOWED')
    })

    it('activity refuses out-of-range paging parameters', async () => {
      for (const q of ['limit=0', 'limit=501', 'limit=x', 'before=0', 'before=x', 'before=1e20', 'after=1']) {
        expectError(
          await s.api('GET', `${v}/ops/activity?${q}`),
          400,
          'VALIDATION_FAILED',
          q.split('=')[0],
          q,
        )
      }
      const far = await s.api('GET', `${v}/ops/activity?before=${Number.MAX_SAFE_INTEGER}`)
      expect(far.status).toBe(200)
      expect(far.body.events.length).toBeGreaterThan(0)
    })

    it('restore refuses a missing or invalid version, an unknown one (404) and non-admin keys', async () => {
      const before = await versionOf()
      for (const body of [
        {},
        { version: 0 },
        { version: -1 },
        { version: 1.5 },
        { version: '1' },
        { version: 1, x: 1 },
      ]) {
        expectError(
          await s.api('POST', `${v}/ops/restore`, body),
          400,
          'VALIDATION_FAILED',
          undefined,
          JSON.stringify(body),
        )
      }
      for (const version of [before + 1, 2_147_483_648]) {
        const r = await s.api('POST', `${v}/ops/restore`, { version })
        expectError(r, 404, 'VERSION_NOT_FOUND', undefined, String(version))
        expect(r.body.error.details.version).toBe(version)
      }
      const write = await s.createKey(c, ['read', 'write'])
      const denied = await s.api('POST', `${v}/ops/restore`, { version: 1 }, { key: write })
      expect(denied.status).toBe(403)
      expect(denied.body.error.details.required_scope).toBe('admin')
      // No "Before restore" snapshot was left behind by any refusal.
      expect(await versionOf()).toBe(before)
    })

    it('enable, disable and delete refuse bad input', async () => {
      expectError(await s.api('POST', `${v}/ops/disable`, { reason: 5 }), 400, 'VALIDATION_FAILED', 'reason')
      expectError(
        await s.api('POST', `${v}/ops/disable`, { reason: 'r'.repeat(501) }),
        400,
        'VALIDATION_FAILED',
        'reason',
      )
      expectError(await s.api('POST', `${v}/ops/enable`, { force: true }), 400, 'VALIDATION_FAILED', 'force')
      expect((await s.api('GET', v)).body.enabled).toBe(true)
      for (const body of [{ confirm: 'yes' }, { confirm: 1 }, { confirm: true, hard: true }]) {
        expectError(await s.api('DELETE', v, body), 400, 'VALIDATION_FAILED', undefined, JSON.stringify(body))
      }
      expectError(await s.api('DELETE', `${v}?confirm=maybe`), 400, 'VALIDATION_FAILED', 'confirm')
      expectError(await s.api('DELETE', `${v}?confirm=false`), 400, 'CONFIRMATION_REQUIRED', 'confirm')
      expect((await s.api('GET', v)).status).toBe(200)
      expectError(await s.api('DELETE', `/api/${c}/nope`, { confirm: true }), 404, 'ELEMENT_NOT_FOUND')
      expectError(await s.api('GET', '/api/no-circle/var'), 404, 'CIRCLE_NOT_FOUND')
      expectError(await s.api('PUT', v, {}), 405, 'METHOD_NOT_ALLOWED')
    })

    describe('variable value and set', () => {
      it('reads and replaces the value (objects are replaced, not merged) with compare-and-set', async () => {
        const start = await versionOf()
        const first = await s.api('POST', `${v}/ops/set`, { value: { a: 1, nested: { x: 1 } } })
        expect(first.status).toBe(200)
        expect(first.body).toEqual({ value: { a: 1, nested: { x: 1 } }, version: start + 1 })
        const second = await s.api('POST', `${v}/ops/set`, {
          value: { nested: { y: 2 } },
          expected_version: start + 1,
        })
        expect(second.body).toEqual({ value: { nested: { y: 2 } }, version: start + 2 })
        for (const value of [null, 0, false, '', [1, [2]], 'ünïcode €']) {
          const r = await s.api('POST', `${v}/ops/set`, { value })
          expect(r.status).toBe(200)
          expect((await s.api('GET', `${v}/ops/value`)).body).toEqual({ value, version: r.body.version })
        }
        // set keeps the rest of the spec.
        await s.api('PATCH', v, { spec: { description: 'kept' } })
        await s.api('POST', `${v}/ops/set`, { value: 1 })
        expect((await s.api('GET', v)).body.spec).toEqual({ value: 1, description: 'kept' })
      })

      it('refuses bad set input, a stale expected_version and values over 1 MiB, changing nothing', async () => {
        const before = await versionOf()
        const value = (await s.api('GET', `${v}/ops/value`)).body.value
        for (const [body, field] of [
          [{}, 'value'],
          [{ value: 1, extra: true }, 'extra'],
          [{ value: 1, expected_version: 0 }, 'expected_version'],
          [{ value: 1, expected_version: '1' }, 'expected_version'],
        ] as const) {
          expectError(
            await s.api('POST', `${v}/ops/set`, body),
            400,
            'VALIDATION_FAILED',
            field,
            JSON.stringify(body),
          )
        }
        const stale = await s.api('POST', `${v}/ops/set`, { value: 2, expected_version: before - 1 })
        expectError(stale, 409, 'VERSION_CONFLICT')
        expect(stale.body.error.details).toEqual({ expected_version: before - 1, current_version: before })
        const huge = await s.api('POST', `${v}/ops/set`, { value: 'x'.repeat(1024 * 1024) })
        expectError(huge, 400, 'VALIDATION_FAILED', 'spec.value')
        expectError(await s.api('GET', `${v}/ops/set`), 405, 'METHOD_NOT_ALLOWED')
        expectError(await s.api('POST', `${v}/ops/value`, {}), 405, 'METHOD_NOT_ALLOWED')
        const read = await s.createKey(c, ['read'])
        const denied = await s.api('POST', `${v}/ops/set`, { value: 3 }, { key: read })
        expect(denied.status).toBe(403)
        expect(denied.body.error.details.required_scope).toBe('write')
        expect((await s.api('GET', `${v}/ops/value`, undefined, { key: read })).body).toEqual({
          value,
          version: before,
        })
      })
    })
  })
}

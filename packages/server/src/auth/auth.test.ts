// Authentication and authorization over real HTTP, on every storage: bearer keys, scopes, the
// api_keys operations of a circle, hashing at rest, circle isolation and the public endpoints.
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiResponse, startTestServer, storageKinds, type TestServer } from '../../test/test-server.ts'
import { errorCatalogue } from '../errors.ts'

const ENVELOPE_KEYS = ['class', 'code', 'details', 'message', 'retryable']

/** Asserts the status, the code, and that the body is the catalogue's error envelope. */
function expectError(r: ApiResponse, status: number, code: string): void {
  expect({ status: r.status, code: r.body?.error?.code }, JSON.stringify(r.body)).toEqual({ status, code })
  expect(Object.keys(r.body.error).sort()).toEqual(ENVELOPE_KEYS)
  const def = errorCatalogue().find((d) => d.code === code)
  expect(def, code).toMatchObject({ status, class: r.body.error.class, retryable: r.body.error.retryable })
  expect(r.body.request_id).toBe(r.headers.get('x-request-id'))
}

for (const storage of storageKinds()) {
  describe(`auth (${storage})`, () => {
    let s: TestServer
    const a = 'alpha'
    const b = 'beta'
    let alphaId: string

    beforeAll(async () => {
      s = await startTestServer({ storage })
      alphaId = (await s.createCircle(a)).id
      await s.createCircle(b)
      for (const circle of [a, b]) {
        const r = await s.api('POST', `/api/${circle}`, {
          element_type: 'variable',
          slug: 'v',
          spec: { value: circle },
        })
        if (r.status !== 201) throw new Error(JSON.stringify(r.body))
      }
    })
    afterAll(async () => s?.close())

    describe('the Authorization header', () => {
      it('is required: no header is 401 AUTH_REQUIRED, before anything about the path is revealed', async () => {
        for (const path of ['/api', `/api/${a}/v`, '/api/no-such-circle/nothing', `/api/${a}/ops/api_keys`]) {
          expectError(await s.api('GET', path, undefined, { key: null }), 401, 'AUTH_REQUIRED')
        }
        expectError(
          await s.api('POST', '/api', { element_type: 'circle', slug: 'anon' }, { key: null }),
          401,
          'AUTH_REQUIRED',
        )
      })

      it('refuses unknown keys with 401 AUTH_INVALID', async () => {
        for (const key of ['garbage', `pk_${randomBytes(32).toString('base64url')}`, `${s.adminKey}x`]) {
          expectError(await s.api('GET', `/api/${a}/v`, undefined, { key }), 401, 'AUTH_INVALID')
        }
        expectError(
          await s.api('GET', '/api/no-such-circle', undefined, { key: 'garbage' }),
          401,
          'AUTH_INVALID',
        )
      })

      it('refuses a malformed header with 401 AUTH_INVALID', async () => {
        for (const authorization of [
          'Basic dXNlcjpwYXNz',
          'Bearer',
          'Bearer    ',
          `Bearer ${s.adminKey} extra`,
          s.adminKey,
          `Token ${s.adminKey}`,
          `Bearer ${'x'.repeat(513)}`,
        ]) {
          const r = await s.api('GET', `/api/${a}/v`, undefined, { key: null, headers: { authorization } })
          expectError(r, 401, 'AUTH_INVALID')
        }
      })

      it('accepts the scheme in any case', async () => {
        const r = await s.api('GET', `/api/${a}/v`, undefined, {
          key: null,
          headers: { authorization: `bearer ${s.adminKey}` },
        })
        expect(r.status).toBe(200)
      })
    })

    describe('api_keys', () => {
      it('creates a key shown once, lists keys without value or hash, and the key works', async () => {
        const r = await s.api('POST', `/api/${a}/ops/api_keys`, { name: '  ci  ', scopes: ['write', 'read'] })
        expect(r.status).toBe(201)
        const key: string = r.body.key
        expect(key).toMatch(/^pk_[\w-]{43}$/)
        expect(r.body).toMatchObject({
          name: 'ci',
          prefix: key.slice(0, 10),
          scopes: ['read', 'write'],
          created_by: 'platform-admin',
          revoked_at: null,
        })
        expect(r.body).not.toHaveProperty('hash')

        const list = await s.api('GET', `/api/${a}/ops/api_keys`)
        expect(list.status).toBe(200)
        const listed = list.body.api_keys.find((k: { id: string }) => k.id === r.body.id)
        expect(listed).toEqual({ ...r.body, key: undefined })
        for (const k of list.body.api_keys) {
          expect(Object.keys(k).sort()).toEqual(
            ['created_at', 'created_by', 'id', 'name', 'prefix', 'revoked_at', 'scopes'].sort(),
          )
        }
        expect(JSON.stringify(list.body)).not.toContain(key)
        expect(JSON.stringify(list.body)).not.toContain(createHash('sha256').update(key).digest('hex'))

        const get = await s.api('GET', `/api/${a}/v`, undefined, { key })
        expect(get.status).toBe(200)
        expect(get.body.spec.value).toBe(a)
      })

      it('defaults the name when it is omitted', async () => {
        const r = await s.api('POST', `/api/${a}/ops/api_keys`, { scopes: ['read'] })
        expect(r.status).toBe(201)
        expect(r.body.name).toBe('api key')
      })

      it('stores the key as a SHA-256 hash, never its value', async () => {
        const key = await s.createKey(a, ['read'])
        const rows = await s.platform.storage.listApiKeys(alphaId)
        const row = rows.find((k) => k.prefix === key.slice(0, 10))!
        expect(row.hash).toBe(createHash('sha256').update(key).digest('hex'))
        for (const r of rows) for (const v of Object.values(r)) expect(JSON.stringify(v)).not.toContain(key)
        if (storage === 'sqlite') {
          await s.api('GET', '/healthz') // nothing to flush, but make sure the write is on disk
          for (const f of readdirSync(s.dataDir)) {
            const path = join(s.dataDir, f)
            try {
              expect(readFileSync(path).includes(key), f).toBe(false)
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err
            }
          }
        }
      })

      it('revokes a key: it is refused at once, listed as revoked, and cannot be revoked twice', async () => {
        const created = await s.api('POST', `/api/${a}/ops/api_keys`, { name: 'temp', scopes: ['admin'] })
        const { id, key } = created.body
        expect((await s.api('GET', `/api/${a}/v`, undefined, { key })).status).toBe(200)

        const del = await s.api('DELETE', `/api/${a}/ops/api_keys/${id}`)
        expect(del.status).toBe(200)
        expect(del.body).toEqual({ revoked: true, id })

        expectError(await s.api('GET', `/api/${a}/v`, undefined, { key }), 401, 'AUTH_INVALID')
        expectError(
          await s.api('POST', `/api/${a}/ops/api_keys`, { scopes: ['admin'] }, { key }),
          401,
          'AUTH_INVALID',
        )
        const listed = (await s.api('GET', `/api/${a}/ops/api_keys`)).body.api_keys.find(
          (k: { id: string }) => k.id === id,
        )
        expect(typeof listed.revoked_at).toBe('string')
        expectError(await s.api('DELETE', `/api/${a}/ops/api_keys/${id}`), 404, 'API_KEY_NOT_FOUND')
      })

      it('lets a circle admin key create, list and revoke keys of its own circle', async () => {
        const admin = await s.createKey(a, ['admin'])
        const r = await s.api(
          'POST',
          `/api/${a}/ops/api_keys`,
          { name: 'child', scopes: ['read'] },
          { key: admin },
        )
        expect(r.status).toBe(201)
        expect(r.body.created_by).not.toBe('platform-admin')
        expect((await s.api('GET', `/api/${a}/ops/api_keys`, undefined, { key: admin })).status).toBe(200)
        const del = await s.api('DELETE', `/api/${a}/ops/api_keys/${r.body.id}`, undefined, { key: admin })
        expect(del.status).toBe(200)
      })

      it('refuses bad input with 400 VALIDATION_FAILED naming the field', async () => {
        const cases: Array<[unknown, string]> = [
          [{ name: '', scopes: ['read'] }, 'name'],
          [{ name: '   ', scopes: ['read'] }, 'name'],
          [{ name: 'x'.repeat(201), scopes: ['read'] }, 'name'],
          [{ name: 7, scopes: ['read'] }, 'name'],
          [{ name: 'x', scopes: ['superuser'] }, 'scopes.0'],
          [{ name: 'x', scopes: [] }, 'scopes'],
          [{ name: 'x', scopes: ['read', 'read'] }, 'scopes'],
          [{ name: 'x', scopes: 'read' }, 'scopes'],
          [{ name: 'x' }, 'scopes'],
          [{ name: 'x', scopes: ['read'], extra: true }, 'extra'],
          [{ name: 'x', scopes: ['read'], hash: 'abc' }, 'hash'],
        ]
        const before = (await s.api('GET', `/api/${a}/ops/api_keys`)).body.api_keys.length
        for (const [body, field] of cases) {
          const r = await s.api('POST', `/api/${a}/ops/api_keys`, body)
          expectError(r, 400, 'VALIDATION_FAILED')
          expect(r.body.error.details.field, JSON.stringify(body)).toBe(field)
        }
        expect((await s.api('GET', `/api/${a}/ops/api_keys`)).body.api_keys.length).toBe(before)
      })

      it('answers 404 API_KEY_NOT_FOUND for an unknown id, and for another circle’s key', async () => {
        for (const id of ['not-a-uuid', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300)]) {
          expectError(await s.api('DELETE', `/api/${a}/ops/api_keys/${id}`), 404, 'API_KEY_NOT_FOUND')
        }
        const other = await s.api('POST', `/api/${b}/ops/api_keys`, { scopes: ['read'] })
        expectError(
          await s.api('DELETE', `/api/${a}/ops/api_keys/${other.body.id}`),
          404,
          'API_KEY_NOT_FOUND',
        )
        expect((await s.api('GET', `/api/${b}/v`, undefined, { key: other.body.key })).status).toBe(200)
      })
    })

    describe('scopes', () => {
      const forbidden = (r: ApiResponse, scope: string) => {
        expectError(r, 403, 'FORBIDDEN')
        expect(r.body.error.details.required_scope).toBe(scope)
        expect(r.body.error.message).toContain(`"${scope}"`)
      }

      it('a read key can read but not write, create, execute or administer', async () => {
        const key = await s.createKey(a, ['read'])
        expect((await s.api('GET', `/api/${a}/v`, undefined, { key })).status).toBe(200)
        expect((await s.api('GET', `/api/${a}/v/ops/value`, undefined, { key })).status).toBe(200)
        expect((await s.api('GET', '/api', undefined, { key })).status).toBe(200)
        forbidden(await s.api('PATCH', `/api/${a}/v/ops/update`, { spec: { value: 1 } }, { key }), 'write')
        forbidden(await s.api('PATCH', `/api/${a}/v`, { spec: { value: 1 } }, { key }), 'write')
        forbidden(
          await s.api('POST', `/api/${a}`, { element_type: 'variable', slug: 'r1' }, { key }),
          'write',
        )
        forbidden(await s.api('POST', `/api/${a}/v/ops/compose`, {}, { key }), 'execute')
        forbidden(await s.api('DELETE', `/api/${a}/v`, { confirm: true }, { key }), 'admin')
        forbidden(await s.api('GET', `/api/${a}/ops/api_keys`, undefined, { key }), 'admin')
        expect((await s.api('GET', `/api/${a}/v`)).body.version).toBe(1)
        expect((await s.api('GET', `/api/${a}/r1`)).status).toBe(404)
      })

      it('a write key can write but not execute, delete, or manage keys', async () => {
        const key = await s.createKey(a, ['read', 'write'])
        const w = await s.api('POST', `/api/${a}`, { element_type: 'variable', slug: 'w1' }, { key })
        expect(w.status).toBe(201)
        expect(
          (await s.api('PATCH', `/api/${a}/w1/ops/update`, { spec: { value: 2 } }, { key })).status,
        ).toBe(200)
        forbidden(await s.api('POST', `/api/${a}/w1/ops/compose`, {}, { key }), 'execute')
        forbidden(await s.api('DELETE', `/api/${a}/w1/ops/delete`, { confirm: true }, { key }), 'admin')
        forbidden(await s.api('POST', `/api/${a}/w1/ops/disable`, {}, { key }), 'admin')
        forbidden(await s.api('POST', `/api/${a}/ops/api_keys`, { scopes: ['read'] }, { key }), 'admin')
        forbidden(await s.api('DELETE', `/api/${a}/ops/api_keys/whatever`, undefined, { key }), 'admin')
        expect((await s.api('GET', `/api/${a}/w1`)).body.enabled).toBe(true)
      })

      it('execute is its own scope: an execute key can compose but not read or write', async () => {
        const key = await s.createKey(a, ['execute'])
        const r = await s.api('POST', `/api/${a}/v/ops/compose`, {}, { key })
        expect(r.status).toBe(200)
        expect(r.body).toEqual({ added: [], removed: [] })
        forbidden(await s.api('GET', `/api/${a}/v`, undefined, { key }), 'read')
        forbidden(await s.api('PATCH', `/api/${a}/v/ops/update`, { spec: {} }, { key }), 'write')
      })

      it('admin implies every scope within the circle', async () => {
        const key = await s.createKey(a, ['admin'])
        expect((await s.api('GET', `/api/${a}/v`, undefined, { key })).status).toBe(200)
        expect(
          (await s.api('POST', `/api/${a}`, { element_type: 'variable', slug: 'ad1' }, { key })).status,
        ).toBe(201)
        expect((await s.api('POST', `/api/${a}/ad1/ops/compose`, {}, { key })).status).toBe(200)
        const del = await s.api('DELETE', `/api/${a}/ad1`, { confirm: true }, { key })
        expect(del.status).toBe(200)
        expect(del.body.deleted).toBe(true)
      })

      it('only the bootstrap admin key creates circles; a circle admin key gets 403', async () => {
        const key = await s.createKey(a, ['admin'])
        const r = await s.api('POST', '/api', { element_type: 'circle', slug: 'gamma' }, { key })
        expectError(r, 403, 'FORBIDDEN')
        expect(r.body.error.details.required_scope).toBe('platform_admin')
        expectError(await s.api('GET', '/api/gamma'), 404, 'CIRCLE_NOT_FOUND')
        expect((await s.api('POST', '/api', { element_type: 'circle', slug: 'gamma' })).status).toBe(201)
      })

      it('GET /api lists only the circles a key can see', async () => {
        const key = await s.createKey(a, ['read'])
        const mine = await s.api('GET', '/api', undefined, { key })
        expect(mine.body.circles.map((c: { slug: string }) => c.slug)).toEqual([a])
        const all = await s.api('GET', '/api')
        expect(all.body.circles.map((c: { slug: string }) => c.slug)).toEqual(expect.arrayContaining([a, b]))
      })
    })

    describe('circle isolation', () => {
      it('answers 404 CIRCLE_NOT_FOUND for another circle, exactly as for a missing one', async () => {
        const key = await s.createKey(a, ['admin'])
        const calls: Array<[string, string, unknown]> = [
          ['GET', '', undefined],
          ['GET', '/v', undefined],
          ['GET', '/missing', undefined],
          ['PATCH', '/v/ops/update', { spec: { value: 'stolen' } }],
          ['POST', '', { element_type: 'variable', slug: 'planted' }],
          ['DELETE', '/v', { confirm: true }],
          ['GET', '/ops/api_keys', undefined],
          ['POST', '/ops/api_keys', { scopes: ['admin'] }],
          ['GET', '/v/ops/no-such-op', undefined],
        ]
        for (const [method, rest, body] of calls) {
          const other = await s.api(method, `/api/${b}${rest}`, body, { key })
          const missing = await s.api(method, `/api/nowhere${rest}`, body, { key })
          expectError(other, 404, 'CIRCLE_NOT_FOUND')
          expectError(missing, 404, 'CIRCLE_NOT_FOUND')
          expect(other.body.error.message.replace(b, 'X')).toBe(
            missing.body.error.message.replace('nowhere', 'X'),
          )
          expect(other.body.error.details).toEqual(missing.body.error.details)
        }
        const readOnly = await s.createKey(a, ['read'])
        expectError(
          await s.api('PATCH', `/api/${b}/v/ops/update`, { spec: {} }, { key: readOnly }),
          404,
          'CIRCLE_NOT_FOUND',
        )
        const v = await s.api('GET', `/api/${b}/v`)
        expect(v.body.spec.value).toBe(b)
        expect(v.body.version).toBe(1)
        expect((await s.api('GET', `/api/${b}/planted`)).status).toBe(404)
      })
    })

    describe('public endpoints', () => {
      it('GET /healthz answers without auth, and ignores a bad key', async () => {
        for (const key of [null, 'garbage']) {
          const r = await s.api('GET', '/healthz', undefined, { key })
          expect(r.status).toBe(200)
          expect(r.body).toEqual({ status: 'ok' })
        }
      })

      it('GET /api/openapi.json is public, GET /metrics needs the admin key, as documented', async () => {
        expect((await s.api('GET', '/metrics', undefined, { key: null })).status).toBe(401)
        const m = await s.api('GET', '/metrics')
        expect(m.status).toBe(200)
        expect(m.headers.get('content-type')).toMatch(/^text\/plain/)
        expect(m.body).toContain('periodic_http_requests_total')
        expect(m.body).not.toContain(s.adminKey)
        const o = await s.api('GET', '/api/openapi.json', undefined, { key: null })
        expect(o.status).toBe(200)
        expect(o.body.openapi).toMatch(/^3\.1/)
      })
    })
  })
}

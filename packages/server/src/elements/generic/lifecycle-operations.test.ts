// Generic lifecycle operations over real HTTP, on every storage: create, get, update,
// update_meta, version history, restore, enable/disable, delete and the activity each write
// records. Bad input is covered in lifecycle-bad-input.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

type Version = { version: number; message: string; spec: { value: unknown }; name: string }
type Event = { action: string; element_id: string; details: Record<string, unknown> }

for (const storage of storageKinds()) {
  describe(`lifecycle operations on ${storage}`, () => {
    let s: TestServer
    const c = 'life'
    let circleId: string
    let projectId: string

    async function create(parent: string, element_type: string, slug: string, extra: object = {}) {
      const r = await s.api('POST', `/api/${parent}`, { element_type, slug, ...extra })
      if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body
    }
    const actions = async (path: string): Promise<string[]> => {
      const r = await s.api('GET', `/api/${path}/ops/activity`)
      expect(r.status).toBe(200)
      return (r.body.events as Event[]).map((e) => e.action)
    }

    beforeAll(async () => {
      s = await startTestServer({ storage })
      circleId = (await s.createCircle(c)).id
      projectId = (await create(c, 'project', 'proj')).id
    })
    afterAll(async () => s?.close())

    describe('create', () => {
      it('creates under a circle with defaults, a derived name and every element field', async () => {
        const r = await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: 'my-first-var' })
        expect(r.status).toBe(201)
        expect(r.body).toEqual({
          id: expect.stringMatching(UUID),
          circle: c,
          slug: 'my-first-var',
          name: 'My First Var',
          element_type: 'variable',
          category: 'data',
          form: 'atom',
          symbol: 'Va',
          state: 'ready',
          state_reason: null,
          enabled: true,
          intention: '',
          spec: { value: null, description: '' },
          meta: {},
          version: 1,
          parent: circleId,
          path: `${c}/my-first-var`,
          created_at: expect.stringMatching(ISO),
          updated_at: r.body.created_at,
          warnings: [],
        })
      })

      it('creates under a project (POST to the parent path or ops/create) with given name, spec, meta', async () => {
        const r = await s.api('POST', `/api/${c}/proj/ops/create`, {
          element_type: 'variable',
          slug: 'nested',
          name: '  Named  ',
          intention: 'Hold it.',
          spec: { value: { a: [1, 2] } },
          meta: { x: 1 },
        })
        expect(r.status).toBe(201)
        expect(r.body).toMatchObject({
          name: 'Named',
          parent: projectId,
          path: `${c}/proj/nested`,
          intention: 'Hold it.',
          spec: { value: { a: [1, 2] }, description: '' },
          meta: { x: 1 },
        })
        expect((await s.api('GET', `/api/${c}/proj/nested`)).body.id).toBe(r.body.id)
        // A circle slug is unique among circles; an element slug is unique in its whole circle.
        const dupCircle = await s.api('POST', '/api', { element_type: 'circle', slug: c })
        expect(dupCircle.status).toBe(409)
        expect(dupCircle.body.error).toMatchObject({ code: 'SLUG_TAKEN', details: { field: 'slug' } })
        for (const parent of [c, `${c}/proj`]) {
          const dup = await s.api('POST', `/api/${parent}`, { element_type: 'project', slug: 'nested' })
          expect(dup.status).toBe(409)
          expect(dup.body.error).toMatchObject({
            code: 'SLUG_TAKEN',
            details: { field: 'slug', slug: 'nested' },
          })
        }
      })

      it('warns (without refusing) when a value is over 256 KiB', async () => {
        const big = await create(c, 'variable', 'big', { spec: { value: 'x'.repeat(300 * 1024) } })
        expect(big.warnings).toEqual([{ field: 'spec.value', message: expect.stringContaining('256 KiB') }])
      })
    })

    it('GET on the element path equals ops/get', async () => {
      for (const path of [c, `${c}/proj`, `${c}/proj/nested`]) {
        const a = await s.api('GET', `/api/${path}`)
        const b = await s.api('GET', `/api/${path}/ops/get`)
        expect(a.status).toBe(200)
        expect(b.body).toEqual(a.body)
      }
    })

    describe('update', () => {
      it('deep-merges by default, replaces lists, and bumps the version every time', async () => {
        await create(c, 'variable', 'merge', {
          spec: { value: { a: { x: 1, y: 2 }, list: [1, 2, 3], keep: true } },
        })
        const r = await s.api('PATCH', `/api/${c}/merge/ops/update`, {
          spec: { value: { a: { y: 20, z: 30 }, list: [9] } },
        })
        expect(r.status).toBe(200)
        expect(r.body.version).toBe(2)
        expect(r.body.spec.value).toEqual({ a: { x: 1, y: 20, z: 30 }, list: [9], keep: true })
        const empty = await s.api('PATCH', `/api/${c}/merge/ops/update`, { spec: {} })
        expect(empty.body).toMatchObject({ version: 3, spec: r.body.spec })
        const named = await s.api('PATCH', `/api/${c}/merge`, { name: 'Renamed', intention: 'i' })
        expect(named.body).toMatchObject({ version: 4, name: 'Renamed', intention: 'i', spec: r.body.spec })
        // An empty name falls back to the one derived from the slug.
        expect((await s.api('PATCH', `/api/${c}/merge/ops/update`, { name: ' ' })).body.name).toBe('Merge')
      })

      it('replaces the spec wholesale with deep:false (defaults re-applied)', async () => {
        await create(c, 'variable', 'whole', { spec: { value: { a: 1 }, description: 'd' } })
        const r = await s.api('PATCH', `/api/${c}/whole/ops/update`, {
          spec: { value: { b: 2 } },
          deep: false,
        })
        expect(r.status).toBe(200)
        expect(r.body.spec).toEqual({ value: { b: 2 }, description: '' })
      })

      it('checks expected_version: a stale one is 409 VERSION_CONFLICT and changes nothing', async () => {
        await create(c, 'variable', 'cas', { spec: { value: 1 } })
        const ok = await s.api('PATCH', `/api/${c}/cas/ops/update`, {
          spec: { value: 2 },
          expected_version: 1,
        })
        expect(ok.body.version).toBe(2)
        const stale = await s.api('PATCH', `/api/${c}/cas/ops/update`, {
          spec: { value: 3 },
          expected_version: 1,
        })
        expect(stale.status).toBe(409)
        expect(stale.body.error).toMatchObject({
          code: 'VERSION_CONFLICT',
          details: { expected_version: 1, current_version: 2 },
        })
        const after = await s.api('GET', `/api/${c}/cas`)
        expect(after.body).toMatchObject({ version: 2, spec: { value: 2 } })
        expect((await s.api('GET', `/api/${c}/cas/ops/version?history=true`)).body.total).toBe(2)
      })

      it('accepts the current slug but refuses a new one', async () => {
        await create(c, 'variable', 'fixed')
        expect((await s.api('PATCH', `/api/${c}/fixed/ops/update`, { slug: 'fixed' })).status).toBe(200)
        const r = await s.api('PATCH', `/api/${c}/fixed/ops/update`, { slug: 'moved' })
        expect(r.status).toBe(400)
        expect(r.body.error).toMatchObject({ code: 'SLUG_IMMUTABLE', details: { field: 'slug' } })
        expect((await s.api('GET', `/api/${c}/moved`)).status).toBe(404)
      })
    })

    it('update_meta shallow-merges and does not create a version', async () => {
      await create(c, 'variable', 'meta', { meta: { a: { deep: 1 }, b: 2 } })
      const r = await s.api('PATCH', `/api/${c}/meta/ops/update_meta`, { meta: { a: { other: 1 }, c: null } })
      expect(r.status).toBe(200)
      expect(r.body.meta).toEqual({ a: { other: 1 }, b: 2, c: null })
      expect(r.body.version).toBe(1)
      expect((await s.api('GET', `/api/${c}/meta`)).body.meta).toEqual(r.body.meta)
      expect((await s.api('GET', `/api/${c}/meta/ops/version?history=true`)).body.total).toBe(1)
    })

    it('version gives the current version, or the history newest first bounded by limit', async () => {
      await create(c, 'variable', 'hist', { spec: { value: 1 } })
      for (const value of [2, 3, 4]) await s.api('POST', `/api/${c}/hist/ops/set`, { value })
      const cur = await s.api('GET', `/api/${c}/hist/ops/version`)
      expect(cur.status).toBe(200)
      expect(cur.body).toEqual({
        element_id: expect.stringMatching(UUID),
        version: 4,
        updated_at: expect.any(String),
      })
      const all = await s.api('GET', `/api/${c}/hist/ops/version?history=true`)
      expect(all.body.total).toBe(4)
      expect((all.body.history as Version[]).map((v) => [v.version, v.spec.value, v.message])).toEqual([
        [4, 4, 'Value set'],
        [3, 3, 'Value set'],
        [2, 2, 'Value set'],
        [1, 1, 'Created'],
      ])
      for (const [limit, n] of [
        [1, 1],
        [2, 2],
        [1000, 4],
      ]) {
        const r = await s.api('GET', `/api/${c}/hist/ops/version?history=true&limit=${limit}`)
        expect(r.status).toBe(200)
        expect(r.body.total).toBe(4)
        expect((r.body.history as Version[]).map((v) => v.version)).toEqual([4, 3, 2, 1].slice(0, n))
      }
    })

    it('restore snapshots the current state, then restores spec, name and intention of version N', async () => {
      await create(c, 'variable', 'rest', { spec: { value: 'one' } })
      await s.api('PATCH', `/api/${c}/rest`, { spec: { value: 'two' }, name: 'Two', intention: 'second' })
      const r = await s.api('POST', `/api/${c}/rest/ops/restore`, { version: 1 })
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ version: 4, name: 'Rest', intention: '', spec: { value: 'one' } })
      const h = (await s.api('GET', `/api/${c}/rest/ops/version?history=true`)).body.history as Version[]
      expect(h.map((v) => [v.version, v.message, v.spec.value, v.name])).toEqual([
        [4, 'Restored from v1', 'one', 'Rest'],
        [3, 'Before restore to v1', 'two', 'Two'],
        [2, 'Updated', 'two', 'Two'],
        [1, 'Created', 'one', 'Rest'],
      ])
      const acts = await actions(`${c}/rest`)
      expect(acts.slice(0, 2)).toEqual(['element.restored', 'element.snapshot'])
    })

    it('disable refuses the type operations but not the generic ones; enable re-allows; both idempotent', async () => {
      await create(c, 'variable', 'toggle', { spec: { value: 7 } })
      const off = await s.api('POST', `/api/${c}/toggle/ops/disable`, { reason: 'maintenance' })
      expect(off.status).toBe(200)
      expect(off.body).toMatchObject({
        enabled: false,
        state: 'disabled',
        state_reason: 'maintenance',
        changed: true,
      })
      const again = await s.api('POST', `/api/${c}/toggle/ops/disable`, {})
      expect(again.body).toMatchObject({ enabled: false, state_reason: 'maintenance', changed: false })
      for (const [method, op, body] of [
        ['GET', 'value', undefined],
        ['POST', 'set', { value: 8 }],
      ] as const) {
        const r = await s.api(method, `/api/${c}/toggle/ops/${op}`, body)
        expect(r.status, op).toBe(409)
        expect(r.body.error, op).toMatchObject({
          code: 'ELEMENT_DISABLED',
          details: { reason: 'maintenance' },
        })
      }
      expect((await s.api('GET', `/api/${c}/toggle`)).body.spec.value).toBe(7)
      expect((await s.api('GET', `/api/${c}/toggle/ops/version`)).status).toBe(200)
      const upd = await s.api('PATCH', `/api/${c}/toggle/ops/update`, { spec: { value: 9 } })
      expect(upd.body).toMatchObject({ version: 2, enabled: false, state: 'disabled' })

      const on = await s.api('POST', `/api/${c}/toggle/ops/enable`, {})
      expect(on.body).toMatchObject({ enabled: true, state: 'ready', state_reason: null, changed: true })
      expect((await s.api('POST', `/api/${c}/toggle/ops/enable`)).body.changed).toBe(false)
      expect((await s.api('GET', `/api/${c}/toggle/ops/value`)).body).toEqual({ value: 9, version: 2 })
      const plain = await s.api('POST', `/api/${c}/toggle/ops/disable`)
      expect(plain.body).toMatchObject({ enabled: false, state_reason: null, changed: true })
      expect((await actions(`${c}/toggle`)).slice(0, 3)).toEqual([
        'element.disabled',
        'element.enabled',
        'element.updated',
      ])
      const write = await s.createKey(c, ['read', 'write'])
      const denied = await s.api('POST', `/api/${c}/toggle/ops/enable`, {}, { key: write })
      expect(denied.status).toBe(403)
      expect(denied.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required_scope: 'admin' } })
    })

    describe('delete', () => {
      it('needs confirm and the admin scope, and is refused while the element has children', async () => {
        await create(c, 'project', 'parent')
        await create(`${c}/parent`, 'variable', 'child')
        for (const body of [undefined, {}, { confirm: false }]) {
          const r = await s.api('DELETE', `/api/${c}/parent/child`, body)
          expect(r.status).toBe(400)
          expect(r.body.error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { field: 'confirm' } })
        }
        const write = await s.createKey(c, ['read', 'write'])
        const denied = await s.api('DELETE', `/api/${c}/parent/child`, { confirm: true }, { key: write })
        expect(denied.status).toBe(403)
        expect(denied.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required_scope: 'admin' } })
        const busy = await s.api('DELETE', `/api/${c}/parent`, { confirm: true })
        expect(busy.status).toBe(409)
        expect(busy.body.error).toMatchObject({ code: 'ELEMENT_HAS_CHILDREN', details: { children: 1 } })
        expect((await s.api('GET', `/api/${c}/parent/child`)).status).toBe(200)

        const admin = await s.createKey(c, ['admin'])
        const del = await s.api(
          'DELETE',
          `/api/${c}/parent/child/ops/delete`,
          { confirm: true },
          { key: admin },
        )
        expect(del.status).toBe(200)
        expect(del.body).toEqual({
          deleted: true,
          id: expect.any(String),
          slug: 'child',
          deleted_at: expect.any(String),
        })
        expect((await s.api('DELETE', `/api/${c}/parent?confirm=true`)).status).toBe(200)
      })

      it('hides the element (404) and frees its slug for a new element with a fresh history', async () => {
        const old = await create(c, 'variable', 'gone', { spec: { value: 'old' } })
        await s.api('PATCH', `/api/${c}/gone`, { spec: { value: 'older' } })
        expect((await s.api('DELETE', `/api/${c}/gone`, { confirm: true })).status).toBe(200)
        for (const path of [`/api/${c}/gone`, `/api/${c}/gone/ops/value`]) {
          const r = await s.api('GET', path)
          expect(r.status).toBe(404)
          expect(r.body.error.code).toBe('ELEMENT_NOT_FOUND')
        }
        const again = await s.api('DELETE', `/api/${c}/gone`, { confirm: true })
        expect(again.status).toBe(404)
        const children = (await s.api('GET', `/api/${c}/ops/children`)).body.children as { slug: string }[]
        expect(children.map((x) => x.slug)).not.toContain('gone')

        const fresh = await create(c, 'project', 'gone')
        expect(fresh.id).not.toBe(old.id)
        expect(fresh).toMatchObject({ element_type: 'project', version: 1 })
        expect((await s.api('GET', `/api/${c}/gone/ops/version?history=true`)).body.total).toBe(1)
      })
    })

    it('records an activity event for every write, newest first, scoped to the element', async () => {
      const v = await create(`${c}/proj`, 'variable', 'audited')
      const p = `${c}/proj/audited`
      await s.api('PATCH', `/api/${p}/ops/update`, { spec: { value: 1 } })
      await s.api('POST', `/api/${p}/ops/set`, { value: 2 })
      await s.api('PATCH', `/api/${p}/ops/update_meta`, { meta: { k: 1 } })
      await s.api('POST', `/api/${p}/ops/restore`, { version: 1 })
      await s.api('POST', `/api/${p}/ops/disable`, { reason: 'r' })
      await s.api('POST', `/api/${p}/ops/enable`)
      const expected = [
        'element.enabled',
        'element.disabled',
        'element.restored',
        'element.snapshot',
        'element.meta_updated',
        'element.updated',
        'element.updated',
        'element.created',
      ]
      const r = await s.api('GET', `/api/${p}/ops/activity`)
      expect((r.body.events as Event[]).map((e) => e.action)).toEqual(expected)
      expect((r.body.events as Event[]).every((e) => e.element_id === v.id)).toBe(true)
      const byAction = (a: string) => (r.body.events as Event[]).find((e) => e.action === a)!.details
      expect(byAction('element.disabled')).toEqual({ reason: 'r' })
      expect(byAction('element.meta_updated')).toEqual({ keys: ['k'] })
      expect(byAction('element.created')).toMatchObject({ element_type: 'variable', slug: 'audited' })
      // The project and the circle see their members' events too.
      expect((await actions(`${c}/proj`)).slice(0, expected.length)).toEqual(expected)
      expect((await actions(c)).slice(0, expected.length)).toEqual(expected)
      await s.api('DELETE', `/api/${p}`, { confirm: true })
      expect((await actions(c))[0]).toBe('element.deleted')
    })
  })
}

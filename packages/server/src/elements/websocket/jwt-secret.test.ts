// The websocket element's JWT secret at rest, over real HTTP and sockets on SQLite files: never
// in clear in the element row, its versions or any file of the data dir; never shown; JWT auth
// opens it; update and restore of an old version keep working; delete destroys its data key.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { join as joinWs, refusal, wsUrl } from '../../../test/ws-test-client.ts'
import { sealLegacyJwtSecrets } from './legacy-jwt-secrets.ts'
import { signJwtHs256 } from './upgrade-auth.ts'

const FIRST = 'MARKER-first-jwt-secret-5d1e9a'
const SECOND = 'MARKER-second-jwt-secret-77c2b0'

describe.each(storageKinds())('websocket jwt_secret sealed at rest (%s)', (storage) => {
  let s: TestServer
  let id: string
  const token = (secret: string) =>
    signJwtHs256({ sub: 'ann', exp: Math.floor(Date.now() / 1000) + 600 }, secret)
  const connectWith = (secret: string) => joinWs(wsUrl(s.url, `/ws/acme/live?token=${token(secret)}`))
  const refusedWith = async (secret: string) =>
    (await refusal(wsUrl(s.url, `/ws/acme/live?token=${token(secret)}`))).status

  /** Every byte of the data dir (SQLite file and WAL included) and the raw rows, in clear. */
  async function expectNowhere(secrets: string[], files = true) {
    const rows = [
      await s.platform.elements.records.getElement(id),
      ...(await s.platform.elements.records.listVersions(id, 1000)),
    ]
    expect(rows.length).toBeGreaterThan(1)
    for (const row of rows) {
      expect(JSON.stringify(row)).toContain('"jwt_secret":{"sealed":"')
      for (const m of secrets) expect(JSON.stringify(row)).not.toContain(m)
    }
    if (!files) return
    for (const e of readdirSync(s.dataDir, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue
      const bytes = readFileSync(join(e.parentPath, e.name))
      for (const m of secrets) expect(bytes.includes(Buffer.from(m)), `${m} in ${e.name}`).toBe(false)
    }
  }

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    const r = await s.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'live',
      spec: { path: '/live', auth: { mode: 'jwt', jwt_secret: FIRST } },
    })
    expect(r.status).toBe(201)
    id = r.body.id
  })
  afterAll(async () => s?.close())

  it('stores only a sealed blob, shows a redaction, and verifies JWTs signed with the secret', async () => {
    const got = await s.api('GET', '/api/acme/live')
    expect(got.body.spec.auth.jwt_secret).toBe('********')
    const versions = await s.api('GET', '/api/acme/live/ops/version?history=true')
    expect(versions.status).toBe(200)
    expect(versions.body.history[0].spec.auth.jwt_secret).toBe('********')
    expect(JSON.stringify([got.body, versions.body])).not.toMatch(/MARKER|sealed/)
    // One more version, so the history has more than the first row.
    expect((await s.api('PATCH', '/api/acme/live', { spec: { description: 'live feed' } })).status).toBe(200)
    await expectNowhere([FIRST])
    const c = await connectWith(FIRST)
    expect(c.welcome.user).toBe('ann')
    c.ws.close()
    expect(await refusedWith('some-other-secret-0123456789')).toBe(401)
  })

  it('seals a new secret on update and brings the old one back on restore', async () => {
    const before = (await s.api('GET', '/api/acme/live')).body.version as number
    const up = await s.api('PATCH', '/api/acme/live', { spec: { auth: { jwt_secret: SECOND } } })
    expect(up.status).toBe(200)
    expect(up.body.spec.auth.jwt_secret).toBe('********')
    ;(await connectWith(SECOND)).ws.close()
    expect(await refusedWith(FIRST)).toBe(401)
    const restored = await s.api('POST', '/api/acme/live/ops/restore', { version: before })
    expect(restored.status).toBe(200)
    ;(await connectWith(FIRST)).ws.close()
    expect(await refusedWith(SECOND)).toBe(401)
    await expectNowhere([FIRST, SECOND])
  })

  it('refuses a sealed blob copied from another element, and a secret that is too short', async () => {
    const other = await s.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'other',
      spec: { path: '/other', auth: { mode: 'jwt', jwt_secret: 'other-secret-0123456789' } },
    })
    expect(other.status).toBe(201)
    const stolen = (await s.platform.elements.records.getElement(other.body.id))!.spec['auth'] as {
      jwt_secret: unknown
    }
    const r = await s.api('PATCH', '/api/acme/live', { spec: { auth: { jwt_secret: stolen.jwt_secret } } })
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'spec.auth.jwt_secret' },
    })
    const short = await s.api('PATCH', '/api/acme/live', { spec: { auth: { jwt_secret: 'short' } } })
    expect(short.status).toBe(400)
    expect(short.body.error.code).toBe('VALIDATION_FAILED')
  })

  it('seals secrets that rows written before sealing hold in clear, in the row and its versions', async () => {
    const db = s.platform.storage.kysely as unknown as Kysely<{
      elements: { id: string; spec: string }
      element_versions: { element_id: string; spec: string }
    }>
    const old = 'MARKER-legacy-plain-secret-0c4d'
    const row = (await s.platform.elements.records.getElement(id))!
    const plain = JSON.stringify({ ...row.spec, auth: { ...(row.spec['auth'] as object), jwt_secret: old } })
    await db.updateTable('elements').set({ spec: plain }).where('id', '=', id).execute()
    await db.updateTable('element_versions').set({ spec: plain }).where('element_id', '=', id).execute()
    // Rows as an older server left them still verify...
    s.platform.bus.publish({ type: 'element.updated', element_id: id } as never)
    ;(await connectWith(old)).ws.close()
    // ...and the start-up sweep seals them in place.
    const versions = (await s.platform.elements.records.listVersions(id, 1000)).length
    expect(await sealLegacyJwtSecrets(s.platform.elements)).toBe(versions + 1)
    expect(await sealLegacyJwtSecrets(s.platform.elements)).toBe(0)
    // Rows only: the pages this test wrote in clear may linger in the WAL until a checkpoint.
    await expectNowhere([old], false)
    ;(await connectWith(old)).ws.close()
  })

  it('destroys the data key when the element is deleted', async () => {
    expect(await s.platform.storage.getDataKey(id)).toBeDefined()
    const del = await s.api('DELETE', '/api/acme/live', { confirm: true })
    expect(del.status).toBe(200)
    expect(await s.platform.storage.getDataKey(id)).toBeUndefined()
  })
})

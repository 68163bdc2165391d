// Project promotion over real HTTP with real sandboxes: dev → demo freezes each member's draft
// commit, demo → live (admin) — also when written by hand makes it what the members run by default; the snapshots live in
// the project's spec.environments, a restore of the project rolls the environments back, repair
// re-derives the members' refs, and the bad requests answer with their codes.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const c = 'envs'
const code = (word: string) => `def handler(input):\n    return {"word": "${word}"}\n`

describe('project environments', () => {
  let s: TestServer
  let writer: string
  let admin: string
  let helloId = ''
  const project = `/api/${c}/shop`
  const hello = `/api/${c}/shop/hello`
  const promote = (body: object, key = writer) => s.api('POST', `${project}/ops/promote`, body, { key })
  const word = async (query = '') => {
    const r = await s.api('POST', `${hello}/ops/invoke?wait_for_completion=60${query}`, {}, { key: writer })
    expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
    return {
      word: r.body.output.word as string,
      ref: r.body.source_ref as string,
      version: r.body.element_version,
    }
  }
  const setCode = async (w: string) =>
    expect(
      (await s.api('PATCH', hello, { spec: { source: { code: code(w) } } }, { key: writer })).status,
    ).toBe(200)

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    writer = await s.createKey(c, ['read', 'write', 'execute'])
    admin = await s.createKey(c, ['admin'])
    expect((await s.api('POST', `/api/${c}`, { element_type: 'project', slug: 'shop' })).status).toBe(201)
    const r = await s.api(
      'POST',
      project,
      { element_type: 'python', slug: 'hello', spec: { source: { type: 'inline', code: code('one') } } },
      { key: writer },
    )
    expect(r.status).toBe(201)
    helloId = r.body.id
    expect(
      (await s.api('POST', project, { element_type: 'cookie-jar', slug: 'jar' }, { key: writer })).status,
    ).toBe(201)
  })
  afterAll(async () => s?.close())

  it('freezes the members’ drafts into demo; members keep running their drafts by default', async () => {
    const r = await promote({ to: 'demo' })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body).toMatchObject({ from: 'dev', to: 'demo', environment: { snapshot: 1 }, missing: [] })
    expect(r.body.environment.members.map((m: { path: string }) => m.path)).toEqual(['hello', 'jar'])
    expect(r.body.environment.members[0]).toMatchObject({ element_id: helloId, version: 1 })
    const shown = await s.api('GET', project)
    expect(shown.body.spec.environments.demo.snapshot).toBe(1)

    await setCode('two')
    expect(await word()).toMatchObject({ word: 'two', ref: 'draft' })
    expect(await word('&ref=environments/demo')).toMatchObject({
      word: 'one',
      ref: 'environments/demo',
      version: 1,
    })
  })

  it('needs the admin scope for live, then serves the frozen versions by default', async () => {
    const refused = await promote({ to: 'live' })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('FORBIDDEN')
    const r = await promote({ from: 'demo', to: 'live' }, admin)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.environment).toMatchObject({ snapshot: 1, from: 'demo' })
    expect(await word()).toMatchObject({ word: 'one', ref: 'environments/live', version: 1 })
    expect(await word('&ref=draft')).toMatchObject({ word: 'two', ref: 'draft' })
  })

  it('moves live forward with the next snapshot, and back with a restore of the project', async () => {
    const before = (await s.api('GET', project)).body.version
    expect((await promote({ to: 'demo' })).body.environment.snapshot).toBe(2)
    expect((await promote({ to: 'live' }, admin)).status).toBe(200)
    expect(await word()).toMatchObject({ word: 'two', ref: 'environments/live' })

    const live = (await s.api('GET', project)).body.spec.environments.live
    const forged = { environments: { live: { ...live, members: [] } } }
    const patched = await s.api('PATCH', project, { spec: forged }, { key: writer })
    expect(patched.status).toBe(403)
    expect(patched.body.error.details).toMatchObject({ required_scope: 'admin' })

    const restored = await s.api('POST', `${project}/ops/restore`, { version: before }, { key: admin })
    expect(restored.status, JSON.stringify(restored.body)).toBe(200)
    expect(restored.body.spec.environments.live.snapshot).toBe(1)
    expect(await word()).toMatchObject({ word: 'one', ref: 'environments/live' })
  })

  it('repairs members’ refs that no longer match the project’s snapshots', async () => {
    const gitdir = join(s.platform.elements.source.store.root, `${helloId}.git`)
    rmSync(join(gitdir, 'refs/environments/live'))
    expect(await word()).toMatchObject({ ref: 'draft' })
    const dry = await s.api('POST', `${project}/ops/source/repair`, {}, { key: writer })
    expect(dry.status).toBe(200)
    expect(dry.body.environments).toMatchObject({
      differences: [{ element_id: helloId, path: 'hello', environment: 'live', actual: null }],
    })
    expect(dry.body.healthy).toBe(false)
    const fixed = await s.api('POST', `${project}/ops/source/repair`, { dry_run: false }, { key: writer })
    expect(fixed.status).toBe(200)
    expect(await word()).toMatchObject({ word: 'one', ref: 'environments/live' })
    const again = await s.api('POST', `${project}/ops/source/repair`, {}, { key: writer })
    expect(again.body).toMatchObject({ healthy: true, environments: { differences: [] } })
  })

  it('answers bad promotions with codes', async () => {
    const notProject = await s.api('POST', `${hello}/ops/promote`, { to: 'demo' }, { key: writer })
    expect(notProject.status).toBe(400)
    expect(notProject.body.error.code).toBe('SOURCE_NOT_A_PROJECT')
    const skip = await promote({ from: 'dev', to: 'live' }, admin)
    expect(skip.status).toBe(400)
    expect(skip.body.error.code).toBe('SOURCE_PROMOTION_INVALID')
    const bad = await promote({ to: 'prod' })
    expect(bad.status).toBe(400)
    expect((await s.api('POST', `/api/${c}`, { element_type: 'project', slug: 'empty' })).status).toBe(201)
    const noDemo = await s.api('POST', `/api/${c}/empty/ops/promote`, { to: 'live' }, { key: admin })
    expect(noDemo.status).toBe(409)
    expect(noDemo.body.error.code).toBe('SOURCE_ENVIRONMENT_EMPTY')
    const noMembers = await s.api('POST', `/api/${c}/empty/ops/promote`, { to: 'demo' }, { key: writer })
    expect(noMembers.status).toBe(409)
    expect(noMembers.body.error.code).toBe('SOURCE_ENVIRONMENT_EMPTY')
    const reader = await s.createKey(c, ['read'])
    expect((await promote({ to: 'demo' }, reader)).status).toBe(403)
  })
})

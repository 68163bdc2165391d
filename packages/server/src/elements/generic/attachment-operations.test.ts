// Attachment operations over real HTTP: attach/detach/targets on the source, attachments,
// compose and remove-modifier on the target, and what deleting an attached element does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'

describe.each(storageKinds())('attachment operations on %s', (storage) => {
  let s: TestServer
  let n = 0
  beforeAll(async () => {
    s = await startTestServer({ storage })
  })
  afterAll(async () => s?.close())

  /** A fresh circle with variables `a`, `b`, `c` and a project `p` holding a variable `m`. */
  async function circleWithElements(): Promise<string> {
    const circle = `att-${storage}-${++n}`
    await s.createCircle(circle)
    for (const slug of ['a', 'b', 'c']) {
      const r = await s.api('POST', `/api/${circle}`, { element_type: 'variable', slug })
      expect(r.status).toBe(201)
    }
    expect((await s.api('POST', `/api/${circle}`, { element_type: 'project', slug: 'p' })).status).toBe(201)
    expect((await s.api('POST', `/api/${circle}/p`, { element_type: 'variable', slug: 'm' })).status).toBe(
      201,
    )
    return circle
  }

  const attachments = async (circle: string, slug: string) =>
    (await s.api('GET', `/api/${circle}/${slug}/ops/attachments`)).body

  it('attaches by target slug and by target_id, and lists both sides', async () => {
    const c = await circleWithElements()
    const b = (await s.api('GET', `/api/${c}/b`)).body
    const bySlug = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b', priority: 5 })
    expect(bySlug.status).toBe(201)
    expect(bySlug.body.attachment).toMatchObject({
      target: { id: b.id, slug: 'b', element_type: 'variable' },
      priority: 5,
      cascade_policy: 'none',
      version_pin: null,
    })
    const byId = await s.api('POST', `/api/${c}/c/ops/attach`, { target_id: b.id })
    expect(byId.status).toBe(201)
    expect(byId.body.attachment.priority).toBe(100)

    const onTarget = await attachments(c, 'b')
    expect(onTarget.attachments.map((x: { source: { slug: string } }) => x.source.slug)).toEqual(['a', 'c'])
    expect(onTarget.attachments.every((x: { is_modifier: boolean }) => x.is_modifier === false)).toBe(true)
    expect(onTarget).toMatchObject({ modifiers: 0, resources: 2 })

    const targets = await s.api('GET', `/api/${c}/a/ops/targets`)
    expect(targets.status).toBe(200)
    expect(targets.body.targets).toHaveLength(1)
    expect(targets.body.targets[0]).toMatchObject({ id: bySlug.body.attachment.id, target: { slug: 'b' } })
  })

  it('attaches to a target given by project path', async () => {
    const c = await circleWithElements()
    const r = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'p/m' })
    expect(r.status).toBe(201)
    expect(r.body.attachment.target.slug).toBe('m')
    expect((await attachments(c, 'p/m')).attachments).toHaveLength(1)
  })

  it('refuses self-attachment and circles as source or target with INVALID_ATTACHMENT', async () => {
    const c = await circleWithElements()
    const circle = (await s.api('GET', `/api/${c}`)).body
    for (const [path, body] of [
      [`/api/${c}/a/ops/attach`, { target: 'a' }],
      [`/api/${c}/a/ops/attach`, { target_id: circle.id }],
      [`/api/${c}/a/ops/attach`, { target: c }],
      [`/api/${c}/ops/attach`, { target: 'a' }],
    ] as const) {
      const r = await s.api('POST', path, body)
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400)
      expect(r.body.error.code).toBe('INVALID_ATTACHMENT')
    }
  })

  it('answers 409 ATTACHMENT_EXISTS when attaching twice', async () => {
    const c = await circleWithElements()
    expect((await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })).status).toBe(201)
    const again = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ATTACHMENT_EXISTS')
  })

  it('needs exactly one of target_id and target', async () => {
    const c = await circleWithElements()
    const b = (await s.api('GET', `/api/${c}/b`)).body
    for (const body of [{}, { target: 'b', target_id: b.id }]) {
      const r = await s.api('POST', `/api/${c}/a/ops/attach`, body)
      expect(r.status).toBe(400)
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'target_id' } })
    }
  })

  it('answers 404 for a target in another circle, by id or by slug', async () => {
    const c = await circleWithElements()
    const other = await circleWithElements()
    const foreign = (await s.api('GET', `/api/${other}/b`)).body
    const byId = await s.api('POST', `/api/${c}/a/ops/attach`, { target_id: foreign.id })
    expect(byId.status).toBe(404)
    expect(byId.body.error.code).toBe('ELEMENT_NOT_FOUND')
    const byPath = await s.api('POST', `/api/${c}/a/ops/attach`, { target: `${other}/p/m` })
    expect(byPath.status).toBe(404)
  })

  it('detaches, and answers 404 ATTACHMENT_NOT_FOUND when not attached', async () => {
    const c = await circleWithElements()
    const a = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })
    const d = await s.api('POST', `/api/${c}/a/ops/detach`, { target: 'b' })
    expect(d.status).toBe(200)
    expect(d.body).toMatchObject({ detached: true, attachment_id: a.body.attachment.id })
    expect((await attachments(c, 'b')).attachments).toEqual([])
    const again = await s.api('POST', `/api/${c}/a/ops/detach`, { target: 'b' })
    expect(again.status).toBe(404)
    expect(again.body.error.code).toBe('ATTACHMENT_NOT_FOUND')
  })

  it('composes adds by slug, path and version pin, and removes by attachment id', async () => {
    const c = await circleWithElements()
    await s.api('PATCH', `/api/${c}/c/ops/update`, { spec: { value: 2 } })
    const old = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })
    const r = await s.api('POST', `/api/${c}/b/ops/compose`, {
      add: [{ ref: 'p/m', priority: 1 }, { ref: 'c@v2' }],
      remove: [{ attachment_id: old.body.attachment.id }],
    })
    expect(r.status).toBe(200)
    expect(r.body.removed).toEqual([old.body.attachment.id])
    expect(
      r.body.added.map((x: { source: { slug: string }; version_pin: number | null }) => [
        x.source.slug,
        x.version_pin,
      ]),
    ).toEqual([
      ['m', null],
      ['c', 2],
    ])
    const now = await attachments(c, 'b')
    expect(now.attachments.map((x: { source: { slug: string } }) => x.source.slug)).toEqual(['m', 'c'])

    const pinNoV = await s.api('POST', `/api/${c}/a/ops/compose`, { add: [{ ref: 'c@1' }] })
    expect(pinNoV.status).toBe(200)
    expect(pinNoV.body.added[0].version_pin).toBe(1)
  })

  it('applies nothing when one part of a compose fails', async () => {
    const c = await circleWithElements()
    const old = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })
    // The second add collides with the existing attachment of `a`: the removal and first add roll back.
    const other = await s.api('POST', `/api/${c}/m/ops/attach`, { target: 'b' })
    const r = await s.api('POST', `/api/${c}/b/ops/compose`, {
      add: [{ ref: 'c' }, { ref: 'a' }],
      remove: [{ attachment_id: other.body.attachment.id }],
    })
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('ATTACHMENT_EXISTS')
    const ids = (await attachments(c, 'b')).attachments.map((x: { id: string }) => x.id)
    expect(ids.sort()).toEqual([old.body.attachment.id, other.body.attachment.id].sort())

    const unknownRemove = await s.api('POST', `/api/${c}/b/ops/compose`, {
      add: [{ ref: 'c' }],
      remove: [{ attachment_id: 'nope' }],
    })
    expect(unknownRemove.status).toBe(404)
    expect(unknownRemove.body.error.code).toBe('ATTACHMENT_NOT_FOUND')
    expect((await attachments(c, 'b')).attachments).toHaveLength(2)
  })

  it('answers 404 VERSION_NOT_FOUND for an unknown version pin and 404 for an unknown ref', async () => {
    const c = await circleWithElements()
    const pin = await s.api('POST', `/api/${c}/b/ops/compose`, { add: [{ ref: 'c@v9' }] })
    expect(pin.status).toBe(404)
    expect(pin.body.error).toMatchObject({ code: 'VERSION_NOT_FOUND', details: { version: 9 } })
    const missing = await s.api('POST', `/api/${c}/b/ops/compose`, { add: [{ ref: 'ghost' }] })
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('ELEMENT_NOT_FOUND')
    const bad = await s.api('POST', `/api/${c}/b/ops/compose`, { add: [{ ref: 'Not A Ref!' }] })
    expect(bad.status).toBe(400)
    expect((await attachments(c, 'b')).attachments).toEqual([])
  })

  it('checks the version_pin of attach: 404 for an unknown version, 400 beyond the integer range', async () => {
    const c = await circleWithElements()
    const ok = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b', version_pin: 1 })
    expect(ok.status).toBe(201)
    expect(ok.body.attachment.version_pin).toBe(1)
    const unknown = await s.api('POST', `/api/${c}/c/ops/attach`, { target: 'b', version_pin: 7 })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error).toMatchObject({ code: 'VERSION_NOT_FOUND', details: { version: 7 } })
    const huge = await s.api('POST', `/api/${c}/c/ops/attach`, { target: 'b', version_pin: 2 ** 40 })
    expect(huge.status).toBe(400)
    expect(huge.body.error.code).toBe('VALIDATION_FAILED')
    expect((await attachments(c, 'b')).attachments).toHaveLength(1)
  })
  it('removes a modifier with the execute scope only, and only one attached to this element', async () => {
    const c = await circleWithElements()
    const a = await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })
    const id = a.body.attachment.id
    const writeKey = await s.createKey(c, ['read', 'write'])
    const denied = await s.api(
      'POST',
      `/api/${c}/b/ops/remove-modifier`,
      { attachment_id: id },
      { key: writeKey },
    )
    expect(denied.status).toBe(403)
    expect(denied.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required_scope: 'execute' } })
    const composeDenied = await s.api('POST', `/api/${c}/b/ops/compose`, { add: [] }, { key: writeKey })
    expect(composeDenied.status).toBe(403)

    const wrongTarget = await s.api('POST', `/api/${c}/c/ops/remove-modifier`, { attachment_id: id })
    expect(wrongTarget.status).toBe(404)
    expect(wrongTarget.body.error.code).toBe('ATTACHMENT_NOT_FOUND')

    const execKey = await s.createKey(c, ['execute'])
    const ok = await s.api('POST', `/api/${c}/b/ops/remove-modifier`, { attachment_id: id }, { key: execKey })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ removed: true, attachment_id: id })
    expect((await attachments(c, 'b')).attachments).toEqual([])
  })

  it('drops the attachments of a deleted element on both sides', async () => {
    const c = await circleWithElements()
    await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })
    await s.api('POST', `/api/${c}/b/ops/attach`, { target: 'c' })
    const del = await s.api('DELETE', `/api/${c}/b`, { confirm: true })
    expect(del.status).toBe(200)
    expect((await s.api('GET', `/api/${c}/a/ops/targets`)).body.targets).toEqual([])
    expect((await attachments(c, 'c')).attachments).toEqual([])
    // A new element with the freed slug starts without the old element's attachments.
    expect((await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: 'b' })).status).toBe(201)
    expect((await attachments(c, 'b')).attachments).toEqual([])
    expect((await s.api('POST', `/api/${c}/a/ops/attach`, { target: 'b' })).status).toBe(201)
  })
})

// Layers across nodes: two platforms on one data directory (one SQLite file). The event bus is
// per process, so node B learns of a layer node A updated or deleted from its poll of the
// mounted layers' versions, and retires its warm workers of the old version.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../auth/actor.ts'
import { parseConfig } from '../../config.ts'
import { eventually } from '../../engine/engine-test-kit.ts'
import { type Platform, startPlatform } from '../../main.ts'

const ADMIN = `admin-${randomBytes(12).toString('hex')}`

describe('python layers on several nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-layer-nodes-'))
  const nodes: Platform[] = []
  let a: Platform
  let b: Platform

  const api = async (node: Platform, method: string, path: string, body?: unknown) => {
    const r = await fetch(node.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: r.status, body: (await r.json()) as Record<string, any> }
  }
  const invoke = async (node: Platform, slug: string) =>
    (await api(node, 'POST', `/api/acme/${slug}/ops/invoke?wait_for_completion=60`, {})).body

  beforeAll(async () => {
    for (let i = 0; i < 2; i++)
      nodes.push(
        await startPlatform(
          parseConfig(['--port', '0', '--data-dir', dir], {
            PERIODIC_ADMIN_KEY: ADMIN,
            PERIODIC_RATE_LIMIT: '0',
          }),
          { logger: pino({ level: 'silent' }) },
        ),
      )
    ;[a, b] = nodes as [Platform, Platform]
    expect((await api(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
  })
  afterAll(async () => {
    for (const n of nodes) await n.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('node B’s warm workers follow a layer node A updates, and fail once node A deletes it', async () => {
    const layer = await api(a, 'POST', '/api/acme', {
      element_type: 'python-layer',
      slug: 'lib',
      spec: { files: { 'libmod.py': 'VALUE = "one"\n' } },
    })
    expect(layer.status, JSON.stringify(layer.body)).toBe(201)
    const fn = await api(a, 'POST', '/api/acme', {
      element_type: 'python',
      slug: 'user',
      spec: {
        source: { type: 'inline', code: 'import libmod\ndef handler(input):\n    return libmod.VALUE\n' },
        layers: ['lib'],
      },
    })
    expect(fn.status, JSON.stringify(fn.body)).toBe(201)
    expect(await invoke(b, 'user')).toMatchObject({ status: 'succeeded', output: 'one' })
    expect(await invoke(b, 'user')).toMatchObject({ output: 'one', cold_start: false })

    const up = await api(a, 'PATCH', '/api/acme/lib', { spec: { files: { 'libmod.py': 'VALUE = "two"\n' } } })
    expect(up.status, JSON.stringify(up.body)).toBe(200)
    await eventually(async () => expect(await invoke(b, 'user')).toMatchObject({ output: 'two' }), 30_000)

    // Node A refuses to delete a layer in use (409); one deleted anyway (a reference written during
    // the delete) is what node B must notice: the service-level delete stands for that race.
    expect((await api(a, 'DELETE', '/api/acme/lib', { confirm: true })).body.error.code).toBe(
      'PYTHON_LAYER_IN_USE',
    )
    await a.elements.softDelete((await a.storage.getElement(layer.body['id']))!, SYSTEM_ACTOR)
    await eventually(
      async () =>
        expect(await invoke(b, 'user')).toMatchObject({
          status: 'failed',
          error: { code: 'PYTHON_LAYER_NOT_FOUND' },
        }),
      30_000,
    )
  })
})

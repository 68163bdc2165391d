// client.elements against a real server: create, get, list (one page and every page), update,
// call any operation, delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { type Element, NotFoundError, PeriodicClient } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
})

afterAll(async () => {
  await server?.close()
})

describe('client.elements', () => {
  it('creates, reads, updates and deletes an element', async () => {
    const created = await client.elements.create('acme', {
      element_type: 'variable',
      slug: 'greeting',
      spec: { value: 'hi' },
    })
    expect(created).toMatchObject({ slug: 'greeting', element_type: 'variable', version: 1, circle: 'acme' })

    const read = await client.elements.get('acme/greeting')
    expect(read.id).toBe(created.id)
    expect(read.spec['value']).toBe('hi')

    const updated = await client.elements.update('acme/greeting', {
      spec: { value: 'hello' },
      expected_version: 1,
    })
    expect(updated.version).toBe(2)
    expect(updated.spec['value']).toBe('hello')

    const deleted = await client.elements.delete('acme/greeting')
    expect(deleted).toMatchObject({ deleted: true, id: created.id, slug: 'greeting' })
    await expect(client.elements.get('acme/greeting')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('creates under a project and addresses the child through it or directly', async () => {
    await client.elements.create('acme', { element_type: 'project', slug: 'web' })
    await client.elements.create('acme/web', { element_type: 'variable', slug: 'theme', spec: { value: 1 } })
    expect((await client.elements.get('acme/web/theme')).slug).toBe('theme')
    expect((await client.elements.get('acme/theme')).slug).toBe('theme')
  })

  it('lists one page with await, and every child across pages with for await', async () => {
    await client.elements.create('acme', { element_type: 'project', slug: 'many' })
    for (let i = 0; i < 5; i++) {
      await client.elements.create('acme/many', {
        element_type: 'variable',
        slug: `v-${i}`,
        spec: { value: i },
      })
    }
    const page = await client.elements.list('acme/many', { limit: 2 })
    expect(page.children).toHaveLength(2)
    expect(page.total).toBe(5)

    const slugs: string[] = []
    for await (const child of client.elements.list('acme/many', { limit: 2 })) slugs.push(child.slug)
    expect(slugs.sort()).toEqual(['v-0', 'v-1', 'v-2', 'v-3', 'v-4'])

    const projects = await client.elements.list('acme', { element_type: 'project' }).toArray()
    expect(projects.map((p: Element) => p.slug).sort()).toEqual(['many', 'web'])
  })

  it('calls any operation by name: GET input goes in the query, POST input in the body', async () => {
    await client.elements.create('acme', { element_type: 'variable', slug: 'counter', spec: { value: 0 } })
    await client.elements.call('acme/counter', 'set', { value: 1 })
    const history = await client.elements.call<{ version: number; history: unknown[] }>(
      'acme/counter',
      'version',
      { history: true },
      { method: 'GET' },
    )
    expect(history.version).toBe(2)
    expect(history.history).toHaveLength(2)
    expect(await client.elements.call('acme/counter', 'value')).toMatchObject({ value: 1 })
  })

  it('offers the same element operations through an element handle', async () => {
    await client.elements.create('acme', { element_type: 'python', slug: 'handle', spec: { source: inline } })
    const handle = client.python('acme/handle')
    expect((await handle.get()).element_type).toBe('python')
    expect((await handle.update({ intention: 'say hello' })).intention).toBe('say hello')
    expect((await handle.call<{ content: string }>('readme')).content).toBe('')
    expect((await handle.delete()).deleted).toBe(true)
  })
})

const inline = { type: 'inline', code: 'def handler(input):\n  return input' }

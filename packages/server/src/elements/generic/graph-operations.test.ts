// Graph operations over real HTTP: context (connected elements by relation, depth, type filter)
// and tree (ancestors, nested children to a depth, truncation, metadata).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'

type Connection = { relation: string; depth: number; via: string; element: { slug: string } }
type TreeNode = { slug: string; name?: string; state?: string; children?: TreeNode[]; truncated?: boolean }

describe.each(storageKinds())('graph operations on %s', (storage) => {
  let s: TestServer
  const c = `graph-${storage}`
  beforeAll(async () => {
    s = await startTestServer({ storage })
    // c ─ p1 ─ p2 ─ p3 ─ p4 ─ leaf ; p1 ─ var ; c ─ top ; var attaches to top
    await s.createCircle(c)
    const create = async (parent: string, element_type: string, slug: string) => {
      const r = await s.api('POST', `/api/${parent}`, { element_type, slug })
      if (r.status !== 201) throw new Error(`${slug}: ${JSON.stringify(r.body)}`)
    }
    await create(c, 'project', 'p1')
    await create(`${c}/p1`, 'project', 'p2')
    await create(`${c}/p2`, 'project', 'p3')
    await create(`${c}/p3`, 'project', 'p4')
    await create(`${c}/p4`, 'variable', 'leaf')
    await create(`${c}/p1`, 'variable', 'var')
    await create(c, 'variable', 'top')
    expect((await s.api('POST', `/api/${c}/var/ops/attach`, { target: 'top' })).status).toBe(201)
  })
  afterAll(async () => s?.close())

  const context = async (slug: string, query = '') => {
    const r = await s.api('GET', `/api/${c}/${slug}/ops/context${query}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return r.body as { depth: number; element: { slug: string }; connections: Connection[] }
  }
  const rel = (list: Connection[]) => list.map((x) => `${x.relation}:${x.element.slug}`).sort()

  describe('context', () => {
    it('lists direct connections at depth 1 by default, with each relation', async () => {
      const vr = await context('var')
      expect(vr.depth).toBe(1)
      expect(vr.element.slug).toBe('var')
      expect(rel(vr.connections)).toEqual(['attaches:top', 'contained_by:p1'])
      expect(vr.connections.every((x) => x.depth === 1 && x.via === 'var')).toBe(true)

      expect(rel((await context('top')).connections)).toEqual([`contained_by:${c}`, 'attached_by:var'].sort())
      expect(rel((await context('p1')).connections)).toEqual([
        `contained_by:${c}`,
        'contains:p2',
        'contains:var',
      ])
    })

    it('walks further with depth and reports each element once, at its nearest depth', async () => {
      const deep = await context('var', '?depth=2')
      expect(deep.connections.map((x) => [x.element.slug, x.depth, x.via]).sort()).toEqual(
        [
          ['p1', 1, 'var'],
          ['top', 1, 'var'],
          [c, 2, 'p1'],
          ['p2', 2, 'p1'],
        ].sort(),
      )
      const slugs = (await context('var', '?depth=10')).connections.map((x) => x.element.slug)
      expect(new Set(slugs).size).toBe(slugs.length)
      expect(slugs).toContain('leaf')
    })

    it('filters by element type or by category', async () => {
      const byType = await context('var', '?depth=3&types=project')
      expect(byType.connections.map((x) => x.element.slug).sort()).toEqual(['p1', 'p2', 'p3'])
      const byCategory = await context('var', '?depth=2&types=data,namespace')
      expect(byCategory.connections.map((x) => x.element.slug).sort()).toEqual([c, 'top'].sort())
      expect((await context('var', '?types=nothing')).connections).toEqual([])
    })

    it('refuses depth 0 and depth 11 with 400', async () => {
      for (const depth of [0, 11]) {
        const r = await s.api('GET', `/api/${c}/var/ops/context?depth=${depth}`)
        expect(r.status).toBe(400)
        expect(r.body.error.code).toBe('VALIDATION_FAILED')
      }
    })
  })

  describe('tree', () => {
    const tree = async (slug: string, query = '') => {
      const path = slug ? `/api/${c}/${slug}/ops/tree${query}` : `/api/${c}/ops/tree${query}`
      const r = await s.api('GET', path)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return r.body
    }

    it('shows ancestors top first and nested children to depth 3, truncating below', async () => {
      const t = await tree('p2')
      expect(t.element.slug).toBe('p2')
      expect(t.ancestors.map((a: { slug: string }) => a.slug)).toEqual([c, 'p1'])
      // p2 > p3 > p4 > leaf: three levels shown, nothing deeper to truncate.
      expect(t.children[0].slug).toBe('p3')
      expect(t.children[0].children[0].slug).toBe('p4')
      expect(t.children[0].children[0].children[0]).toEqual({
        id: expect.any(String),
        slug: 'leaf',
        element_type: 'variable',
      })
      expect(t.stats).toMatchObject({ depth: 3, descendants_shown: 3, by_type: { project: 2, variable: 1 } })

      const fromTop = await tree('p1')
      const p4 = fromTop.children.find((x: TreeNode) => x.slug === 'p2').children[0].children[0]
      expect(p4).toMatchObject({ slug: 'p4', truncated: true })
      expect(p4.children).toBeUndefined()
    })

    it('follows depth up to 10 and refuses more', async () => {
      const shallow = await tree('', '?depth=1')
      const names = shallow.children.map((x: TreeNode) => x.slug).sort()
      expect(names).toEqual(['p1', 'top'])
      expect(shallow.children.find((x: TreeNode) => x.slug === 'p1').truncated).toBe(true)
      const full = await tree('', '?depth=10')
      expect(full.stats.descendants_shown).toBe(7)
      expect(JSON.stringify(full)).not.toContain('truncated')
      for (const depth of [0, 11]) {
        const r = await s.api('GET', `/api/${c}/ops/tree?depth=${depth}`)
        expect(r.status).toBe(400)
      }
    })

    it('adds name and state with include_metadata', async () => {
      const plain = await tree('p4')
      expect(plain.children[0].name).toBeUndefined()
      const rich = await tree('p4', '?include_metadata=true')
      expect(rich.children[0]).toMatchObject({ slug: 'leaf', name: 'Leaf', state: 'ready' })
      expect(rich.element).toMatchObject({ slug: 'p4', name: 'P4', state: 'ready' })
    })

    it('lists attachments in both directions', async () => {
      const vr = await tree('var')
      expect(vr.attachments.outgoing.map((a: { target: { slug: string } }) => a.target.slug)).toEqual(['top'])
      expect(vr.attachments.incoming).toEqual([])
      const top = await tree('top')
      expect(top.attachments.incoming.map((a: { source: { slug: string } }) => a.source.slug)).toEqual([
        'var',
      ])
    })
  })
})

// Generic graph operations: context (connected elements by relation) and tree (ancestors,
// nested children, attachments, subtree counts). Both load the circle once and walk in memory.
import { Type } from '@sinclair/typebox'
import type { AttachmentRow, ElementRow } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { defineOperation } from '../element.ts'

interface CircleGraph {
  byId: Map<string, ElementRow>
  children: Map<string, ElementRow[]>
  attachments: AttachmentRow[]
}

async function loadGraph(svc: ElementsPort, circleId: string): Promise<CircleGraph> {
  const rows = await svc.records.listCircleElements(circleId)
  const byId = new Map(rows.map((r) => [r.id, r]))
  const children = new Map<string, ElementRow[]>()
  for (const r of rows) {
    if (!r.parent_id) continue
    const list = children.get(r.parent_id) ?? []
    list.push(r)
    children.set(r.parent_id, list)
  }
  const attachments = await svc.records.listAttachments({ circleId })
  return { byId, children, attachments }
}

const summary = (svc: ElementsPort, r: ElementRow) => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  element_type: r.element_type,
  category: svc.registry.get(r.element_type)?.category ?? 'unknown',
  state: r.state,
})

type Relation = 'contains' | 'contained_by' | 'attaches' | 'attached_by'

export const graphOperations = [
  defineOperation({
    name: 'context',
    method: 'GET',
    auth: 'read',
    summary: 'Connected elements with their relation (contains, contained_by, attaches, attached_by)',
    input: Type.Object(
      {
        depth: Type.Integer({ minimum: 1, maximum: 10, default: 1 }),
        types: Type.Optional(
          Type.String({ maxLength: 500, description: 'Comma-separated element types or categories.' }),
        ),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const svc = ctx.elements
      const g = await loadGraph(svc, ctx.element.circle_id)
      const filter = ctx.input.types
        ? new Set(
            ctx.input.types
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        : undefined
      const seen = new Set([ctx.element.id])
      const connections: Array<{
        relation: Relation
        depth: number
        via: string
        element: ReturnType<typeof summary>
      }> = []
      let frontier = [ctx.element]
      for (let depth = 1; depth <= ctx.input.depth && frontier.length; depth++) {
        const next: ElementRow[] = []
        for (const from of frontier) {
          const edges: Array<[Relation, string | null]> = [
            ...(g.children.get(from.id) ?? []).map((c): [Relation, string] => ['contains', c.id]),
            ['contained_by', from.parent_id],
            ...g.attachments
              .filter((a) => a.source_id === from.id)
              .map((a): [Relation, string] => ['attaches', a.target_id]),
            ...g.attachments
              .filter((a) => a.target_id === from.id)
              .map((a): [Relation, string] => ['attached_by', a.source_id]),
          ]
          for (const [relation, id] of edges) {
            const to = id ? g.byId.get(id) : undefined
            if (!to || seen.has(to.id)) continue
            seen.add(to.id)
            next.push(to)
            const s = summary(svc, to)
            if (!filter || filter.has(s.element_type) || filter.has(s.category))
              connections.push({ relation, depth, via: from.slug, element: s })
          }
        }
        frontier = next
      }
      return { element: summary(svc, ctx.element), depth: ctx.input.depth, connections }
    },
  }),
  defineOperation({
    name: 'tree',
    method: 'GET',
    auth: 'read',
    summary: 'Ancestors, nested children (default depth 3, max 10), attachments and subtree counts',
    input: Type.Object(
      {
        depth: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
        include_metadata: Type.Boolean({ default: false }),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const svc = ctx.elements
      const g = await loadGraph(svc, ctx.element.circle_id)
      const meta = ctx.input.include_metadata
      const node = (r: ElementRow) => ({
        id: r.id,
        slug: r.slug,
        element_type: r.element_type,
        ...(meta ? { name: r.name, state: r.state } : {}),
      })
      const byType: Record<string, number> = {}
      let descendants = 0
      type TreeNode = ReturnType<typeof node> & { children?: TreeNode[]; truncated?: boolean }
      const build = (r: ElementRow, depth: number): TreeNode[] =>
        (g.children.get(r.id) ?? []).map((c) => {
          descendants++
          byType[c.element_type] = (byType[c.element_type] ?? 0) + 1
          const kids = g.children.get(c.id) ?? []
          if (depth >= ctx.input.depth) return kids.length ? { ...node(c), truncated: true } : node(c)
          return { ...node(c), children: build(c, depth + 1) }
        })
      const ancestors: ElementRow[] = []
      for (let p = ctx.element.parent_id; p; p = g.byId.get(p)?.parent_id ?? null) {
        const a = g.byId.get(p)
        if (!a) break
        ancestors.unshift(a)
      }
      const children = build(ctx.element, 1)
      const ref = (id: string) => {
        const r = g.byId.get(id)
        return r ? node(r) : { id, missing: true }
      }
      return {
        element: node(ctx.element),
        ancestors: ancestors.map(node),
        children,
        attachments: {
          outgoing: g.attachments
            .filter((a) => a.source_id === ctx.element.id)
            .map((a) => ({ attachment_id: a.id, target: ref(a.target_id) })),
          incoming: g.attachments
            .filter((a) => a.target_id === ctx.element.id)
            .map((a) => ({ attachment_id: a.id, source: ref(a.source_id) })),
        },
        stats: { depth: ctx.input.depth, descendants_shown: descendants, by_type: byType },
      }
    },
  }),
]

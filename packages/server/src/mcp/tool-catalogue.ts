// A circle's MCP tools and README resources, built from its elements and cached per circle: a
// `tools/list` on a circle of 1,000 elements must not re-read and re-describe them every time.
// Element events on the bus drop the circle's entry; a short lifetime covers writes made on other
// nodes (the bus is per process). Calls never trust the cache for authority: they resolve the
// element and check the scope again (mcp-tool-call.ts).
import { type Actor, hasScope } from '../auth/actor.ts'
import type { AuthLevel, OperationDef } from '../elements/element.ts'
import type { ElementService } from '../elements/element-service.ts'
import { genericOperations } from '../elements/generic/index.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { ElementRow } from '../storage/storage.ts'
import { type McpToolJson, toolTemplates } from './tool-json.ts'
import { circleToolName, disambiguated, elementToolName, genericToolName } from './tool-names.ts'

/** Where a tool call goes: a type's own operation on one element, or a generic one on any. */
export type ToolTarget =
  | { kind: 'element'; segments: string[]; op: OperationDef }
  | { kind: 'generic'; op: OperationDef }

export interface ToolEntry {
  tool: McpToolJson
  auth: AuthLevel
  target: ToolTarget
}

export interface ReadmeEntry {
  /** Path below the circle; [] for the circle itself. */
  segments: string[]
  name: string
  bytes: number
}

export interface Catalogue {
  byName: Map<string, ToolEntry>
  readmes: ReadmeEntry[]
  /** The listing per scope set, filtered once. */
  listings: Map<string, McpToolJson[]>
  builtAt: number
  /** Tools renamed because their name was taken (logged, never silently dropped). */
  renamed: string[]
}

/** Element writes on other nodes reach this node's listing within this time. */
export const CATALOGUE_TTL_MS = 5_000
const MAX_CIRCLES = 1_000

export class ToolCatalogue {
  private readonly circles = new Map<string, Catalogue>()
  private readonly building = new Map<string, Promise<Catalogue>>()
  private readonly unsubscribe: () => void
  private generation = 0

  constructor(
    private readonly elements: ElementService,
    bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = bus.subscribe('element.*', (e) => {
      if (e.type.startsWith('element.')) this.invalidate(e.circle_id)
    })
  }

  invalidate(circleId: string): void {
    this.generation++
    this.circles.delete(circleId)
    this.building.delete(circleId)
  }

  close(): void {
    this.unsubscribe()
    this.circles.clear()
  }

  async get(circle: ElementRow): Promise<Catalogue> {
    const cached = this.circles.get(circle.id)
    if (cached && this.now() - cached.builtAt < CATALOGUE_TTL_MS) return cached
    let pending = this.building.get(circle.id)
    if (!pending) {
      const generation = this.generation
      pending = this.build(circle).then((c) => {
        // An event during the build means the listing may already be stale: serve it once, keep none.
        if (generation === this.generation) {
          if (this.circles.size >= MAX_CIRCLES) this.circles.clear()
          this.circles.set(circle.id, c)
        }
        return c
      })
      pending.finally(() => this.building.delete(circle.id)).catch(() => {})
      this.building.set(circle.id, pending)
    }
    return pending
  }

  /** The tools `actor` may call, in catalogue order. */
  async list(circle: ElementRow, actor: Actor): Promise<McpToolJson[]> {
    const c = await this.get(circle)
    const key = scopeKey(actor)
    let tools = c.listings.get(key)
    if (!tools) {
      tools = [...c.byName.values()].filter((e) => allowed(actor, e.auth)).map((e) => e.tool)
      c.listings.set(key, tools)
    }
    return tools
  }

  private async build(circle: ElementRow): Promise<Catalogue> {
    const { registry, records } = this.elements
    const rows = await records.listCircleElements(circle.id)
    const c: Catalogue = {
      byName: new Map(),
      readmes: [],
      listings: new Map(),
      builtAt: this.now(),
      renamed: [],
    }
    const add = (entry: ToolEntry) => {
      let name = entry.tool.name
      if (c.byName.has(name)) {
        name = disambiguated(name, c.byName.size)
        c.renamed.push(`${entry.tool.name} -> ${name}`)
      }
      c.byName.set(name, { ...entry, tool: { ...entry.tool, name } })
    }
    const circleType = this.elements.typeOf(circle)
    for (const t of toolTemplates(circleType.name, circleType.operations ?? []))
      add({
        tool: { ...t.tool, name: circleToolName(t.tool.name) },
        auth: t.op.auth,
        target: { kind: 'element', segments: [], op: t.op },
      })
    for (const t of toolTemplates(undefined, genericOperations))
      add({ tool: { ...t.tool, name: genericToolName(t.tool.name) }, auth: t.op.auth, target: gen(t.op) })
    if (circle.readme !== '') c.readmes.push({ segments: [], name: circle.name, bytes: circle.readme.length })

    const paths = segmentsOf(rows, circle.id)
    for (const row of rows) {
      const segments = paths.get(row.id)
      const type = registry.get(row.element_type)
      if (!segments || !type || row.parent_id === null) continue
      if (row.readme !== '') c.readmes.push({ segments, name: row.name, bytes: row.readme.length })
      for (const t of toolTemplates(type.name, type.operations ?? [])) {
        if (!row.enabled && !t.op.allowWhenDisabled) continue
        add({
          tool: describeFor(t.tool, elementToolName(segments, t.tool.name), row, segments),
          auth: t.op.auth,
          target: { kind: 'element', segments, op: t.op },
        })
      }
    }
    return c
  }
}

const gen = (op: OperationDef): ToolTarget => ({ kind: 'generic', op })

function allowed(actor: Actor, auth: AuthLevel): boolean {
  return auth === 'none' || hasScope(actor, auth)
}

function scopeKey(actor: Actor): string {
  if (actor.platformAdmin || actor.scopes.has('admin')) return 'all'
  return [...actor.scopes].sort().join(',')
}

function describeFor(tool: McpToolJson, name: string, row: ElementRow, segments: string[]): McpToolJson {
  const intention = row.intention.trim().split('\n')[0]?.slice(0, 200) ?? ''
  const head = `[${segments.join('/')} · ${row.element_type}${row.name !== row.slug ? ` · ${row.name}` : ''}]`
  return {
    ...tool,
    name,
    description: [head, tool.description, intention].filter(Boolean).join(' '),
    annotations: { ...tool.annotations, title: `${segments.join('/')}: ${tool.annotations.title}` },
    _meta: { ...tool._meta, 'periodic/element': segments.join('/') },
  }
}

/** Each live element's path below the circle (slugs, top first), from the flat listing. */
function segmentsOf(rows: ElementRow[], circleId: string): Map<string, string[]> {
  const byId = new Map(rows.map((r) => [r.id, r]))
  const out = new Map<string, string[]>()
  const walk = (row: ElementRow, depth: number): string[] | undefined => {
    const known = out.get(row.id)
    if (known) return known
    if (depth > 64) return undefined
    if (row.parent_id === null || row.parent_id === circleId) {
      const path = row.parent_id === null ? [] : [row.slug]
      out.set(row.id, path)
      return path
    }
    const parent = byId.get(row.parent_id)
    const above = parent && walk(parent, depth + 1)
    if (!above) return undefined
    const path = [...above, row.slug]
    out.set(row.id, path)
    return path
  }
  for (const r of rows) walk(r, 0)
  return out
}

// The circle view's data: the circle's top-level elements (the canvas cards, one paginated list
// request of up to 1,000 per page), the nested element tree (one `ops/tree` request), and how the
// live events of the circle change them. Cards keep the element JSON as the API presents it;
// a card's position is `meta.canvas {x, y}`, saved with `update_meta` (no new version).
import { api } from '../../lib/api.ts'
import type { CircleEvent } from '../../lib/circle-events.svelte.ts'
import type { ElementJson } from '../../lib/types.ts'

export interface TreeNode {
  id: string
  slug: string
  element_type: string
  name?: string
  state?: unknown
  children?: TreeNode[]
  truncated?: boolean
}

export interface Position {
  x: number
  y: number
}

const PAGE = 1000

/** `acme/proj/slug` → `proj/slug`: the element's path inside its circle (the route's tail). */
export function pathInCircle(el: { path: string }): string {
  return el.path.split('/').slice(1).join('/')
}

/** Where the API answers for an element (`/api/acme/proj/slug`), each segment encoded. */
export function apiPath(path: string): string {
  return `/api/${path.split('/').map(encodeURIComponent).join('/')}`
}

export function positionOf(el: ElementJson): Position | null {
  const c = el.meta?.['canvas'] as { x?: unknown; y?: unknown } | undefined
  if (c && typeof c.x === 'number' && typeof c.y === 'number') return { x: c.x, y: c.y }
  return null
}

export class CircleStore {
  elements = $state<ElementJson[]>([])
  tree = $state<TreeNode[]>([])
  loaded = $state(false)
  treeLoaded = $state(false)
  error = $state<unknown>(null)
  treeError = $state<unknown>(null)
  /** Bumped when an element's live data (runs, connections, jar) should be fetched again. */
  liveTick = $state<Record<string, number>>({})
  /** Jar cards changed live since the view loaded: id → true (cleared when the card is selected). */
  changed = $state<Record<string, boolean>>({})
  /** Connection counts pushed by `websocket.connections` events. */
  connections = $state<Record<string, number>>({})
  private treeTimer: ReturnType<typeof setTimeout> | undefined

  constructor(readonly circle: string) {}

  get base(): string {
    return `/api/${encodeURIComponent(this.circle)}`
  }

  async load(): Promise<void> {
    this.error = null
    try {
      const all: ElementJson[] = []
      for (let offset = 0; ; offset += PAGE) {
        const page = await api<{ children: ElementJson[]; total: number }>(
          'GET',
          `${this.base}/ops/children?limit=${PAGE}&offset=${offset}`,
        )
        all.push(...page.children)
        if (all.length >= page.total || page.children.length === 0) break
      }
      this.elements = all
      this.loaded = true
    } catch (e) {
      this.error = e
    }
    await this.loadTree()
  }

  async loadTree(): Promise<void> {
    try {
      const t = await api<{ children: TreeNode[] }>(
        'GET',
        `${this.base}/ops/tree?depth=10&include_metadata=true`,
      )
      this.tree = t.children
      this.treeError = null
      this.treeLoaded = true
    } catch (e) {
      this.treeError = e
    }
  }

  /** Coalesces tree refetches when many elements change at once. */
  refreshTreeSoon(): void {
    clearTimeout(this.treeTimer)
    this.treeTimer = setTimeout(() => void this.loadTree(), 250)
  }

  byId(id: string): ElementJson | undefined {
    return this.elements.find((e) => e.id === id)
  }

  /** Replaces (or adds, when it is a top-level element) one element as the API has it now. */
  async refreshElement(path: string): Promise<void> {
    try {
      const el = await api<ElementJson>('GET', apiPath(path))
      this.upsert(el)
    } catch {
      // Gone meanwhile: the deleted event removes it.
    }
  }

  upsert(el: ElementJson): void {
    if (el.path.split('/').length !== 2) return // a project member: in the tree, not on the canvas
    const i = this.elements.findIndex((e) => e.id === el.id)
    if (i >= 0) this.elements[i] = el
    else this.elements.push(el)
  }

  remove(id: string): void {
    this.elements = this.elements.filter((e) => e.id !== id)
  }

  private saving = new Map<string, Promise<unknown>>()

  /** Saves a card's position (one save per element at a time, in order); the card moves at
   *  once and goes back if the save fails. */
  savePosition(el: ElementJson, pos: Position): Promise<void> {
    const before = el.meta?.['canvas']
    const prev = this.saving.get(el.id) ?? Promise.resolve()
    const next = prev.catch(() => {}).then(() => this.putPosition(el, pos, before))
    this.saving.set(el.id, next)
    const target = this.byId(el.id)
    if (target) target.meta = { ...target.meta, canvas: pos }
    return next
  }

  private async putPosition(el: ElementJson, pos: Position, before: unknown): Promise<void> {
    try {
      await api('PATCH', `${apiPath(el.path)}/ops/update_meta`, { meta: { canvas: pos } })
    } catch (e) {
      const t = this.byId(el.id)
      if (t) t.meta = { ...t.meta, canvas: before }
      throw e
    }
  }

  private bump(id: string): void {
    this.liveTick[id] = (this.liveTick[id] ?? 0) + 1
  }

  /** Applies one live event of the circle. */
  apply(e: CircleEvent): void {
    const id = e.element_id ?? ''
    const path = e.element_path ?? null
    if (e.type === 'reset') {
      void this.load()
      return
    }
    if (e.type === 'element.deleted') {
      this.remove(id)
      this.refreshTreeSoon()
    } else if (e.type === 'element.created') {
      if (path) void this.refreshElement(path)
      this.refreshTreeSoon()
    } else if (e.type === 'element.meta_updated' || e.type === 'element.updated') {
      if (path) void this.refreshElement(path)
      if (e.type === 'element.updated') this.refreshTreeSoon()
    } else if (e.type === 'element.state_changed') {
      if (path) void this.refreshElement(path)
      this.bump(id)
      this.refreshTreeSoon()
    } else if (e.type.startsWith('run.')) {
      this.bump(id)
    } else if (e.type === 'cookie_jar.changed') {
      const el = this.byId(id)
      if (el) {
        const spec = { ...el.spec }
        if (typeof e.data['count'] === 'number') spec['cookie_count'] = e.data['count']
        if (typeof e.data['cookies_updated_at'] === 'string')
          spec['cookies_updated_at'] = e.data['cookies_updated_at']
        el.spec = spec
      }
      this.changed[id] = true
      this.bump(id)
    } else if (e.type === 'websocket.connections') {
      if (typeof e.data['count'] === 'number') this.connections[id] = e.data['count']
    }
  }
}

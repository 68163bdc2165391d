// What a python element's spec.layers put on its workers' sys.path: for each python-layer in
// order, its files (a content-addressed directory) and its built requirements (a dependency
// layer, built and cached like the element's own). Resolved once per element version and kept
// until a python-layer changes; pools then retire through `onStale`. This node hears of its own
// writes on the event bus at once; another node's (the bus is per process) are found by a poll
// of the mounted layers' versions every LAYER_POLL_MS.
import { PlatformError } from '../../errors.ts'
import type { EventBus } from '../../events/event-bus.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { materializeLayerFiles } from '../python-layer/layer-files.ts'
import { layerRequirements } from '../python-layer/layer-spec.ts'
import type { BuildRecord, Layer, LayerBuilder } from './layer-builder.ts'
import { LAYER_TYPE, parseLayerReference, resolveLayer } from './layer-references.ts'
import { pythonSpecOf } from './spec.ts'

export interface MountedLayers {
  /**
   * Part of the pool key: `|<id>@<version>` per unpinned layer, `|<id>=<version>` per pinned one
   * ('' without layers), so a changed layer means another pool and stale pools can be found.
   */
  key: string
  /** Host directories for sys.path, in order (each mounted read-only at its own path). */
  paths: string[]
}

type OnBuild = (b: { record: BuildRecord; done: Promise<Layer> }) => void

const NONE: MountedLayers = { key: '', paths: [] }
const MAX_CACHED = 4096
/** How soon a layer written on another node reaches this node's workers. */
export const LAYER_POLL_MS = 2000

export class LayerMounts {
  private readonly cache = new Map<string, Promise<MountedLayers>>()
  private readonly staleListeners = new Set<(test: (poolKey: string) => boolean) => void>()
  private readonly unsubscribe: () => void
  /** Mounted layers by id, with the version each had when last resolved (for the poll). */
  private readonly watched = new Map<string, number>()
  private readonly poller: NodeJS.Timeout
  private polling = false

  constructor(
    private readonly elements: ElementsPort,
    private readonly builder: LayerBuilder,
    private readonly dataDir: string,
    bus: EventBus,
  ) {
    this.unsubscribe = bus.subscribe('element.*', (e) => {
      if (e.data['element_type'] !== LAYER_TYPE || !e.element_id) return
      // A new version moves unpinned references; a deleted layer takes pinned ones too.
      const changed = /^element\.(updated|restored)$/.test(e.type)
      const deleted = e.type === 'element.deleted'
      if (changed || deleted) this.stale(e.element_id, deleted)
    })
    this.poller = setInterval(() => void this.poll(), LAYER_POLL_MS)
    this.poller.unref()
  }

  /** Forgets resolutions and retires the pools that mount `layerId` (unpinned, or any when deleted). */
  private stale(layerId: string, deleted: boolean): void {
    this.cache.clear()
    this.watched.delete(layerId)
    const mark = deleted ? `|${layerId}` : `|${layerId}@`
    for (const listener of this.staleListeners) listener((poolKey) => poolKey.includes(mark))
  }

  /** Finds layers another node changed: one point read per mounted layer. */
  private async poll(): Promise<void> {
    if (this.polling || this.watched.size === 0) return
    this.polling = true
    try {
      for (const [id, version] of [...this.watched]) {
        const row = await this.elements.records.getElement(id).catch(() => null)
        if (row === null) continue // storage unavailable: try again next time
        const gone = !row || row.deleted_at !== null
        if (gone || row.version !== version) this.stale(id, gone)
      }
    } finally {
      this.polling = false
    }
  }

  /** Calls `listener` with a test of pool keys whose layers changed; returns the unsubscribe. */
  onStale(listener: (test: (poolKey: string) => boolean) => void): () => void {
    this.staleListeners.add(listener)
    return () => this.staleListeners.delete(listener)
  }

  /** The layers of `element`'s version, materialized and built (builds told to `onBuild`). */
  mount(element: ElementRow, circleSlug: string, onBuild?: OnBuild): Promise<MountedLayers> {
    if (pythonSpecOf(element).layers.length === 0) return Promise.resolve(NONE)
    const key = `${element.id}:${element.version}`
    let p = this.cache.get(key)
    if (!p) {
      p = this.resolve(element, circleSlug, onBuild)
      if (this.cache.size >= MAX_CACHED) this.cache.clear()
      this.cache.set(key, p)
      // A failure (a layer deleted, a build failed) is tried afresh by the next start.
      p.catch(() => {
        if (this.cache.get(key) === p) this.cache.delete(key)
      })
    }
    return p
  }

  private async resolve(element: ElementRow, circleSlug: string, onBuild?: OnBuild): Promise<MountedLayers> {
    const refs = pythonSpecOf(element).layers.map(parseLayerReference)
    const layers = await Promise.all(
      refs.map((ref, i) => resolveLayer(this.elements, circleSlug, ref, i, element.id)),
    )
    const built = await Promise.all(
      layers.map(async (layer) => {
        const files = materializeLayerFiles(this.dataDir, layer.spec.files)
        const deps = await this.builder.ensure(layerRequirements(layer.spec), onBuild)
        return { layer, files, deps }
      }),
    )
    const paths: string[] = []
    let key = ''
    for (const { layer, files, deps } of built) {
      this.watched.set(layer.id, layer.current)
      key += `|${layer.id}${layer.ref.version === null ? '@' : '='}${layer.version}:${files.hash}`
      paths.push(files.dir)
      if (deps) paths.push(`${deps.dir}/site-packages`)
    }
    return { key, paths: [...new Set(paths)] }
  }

  /**
   * Starts (or joins) the builds of the layers' requirements, recorded for `element`'s
   * build_status, as the `build` operation does for the element's own; layers without any are
   * left out.
   */
  async startBuilds(
    element: ElementRow,
    circleSlug: string,
    force: boolean,
  ): Promise<Array<{ layer: string; build: ReturnType<LayerBuilder['startBuild']> }>> {
    const refs = pythonSpecOf(element).layers.map(parseLayerReference)
    const layers = await Promise.all(
      refs.map((ref, i) => resolveLayer(this.elements, circleSlug, ref, i, element.id)),
    )
    return layers.flatMap((l) => {
      const requirements = layerRequirements(l.spec)
      return requirements.length
        ? [{ layer: l.ref.text, build: this.builder.startBuild(requirements, force, element.id) }]
        : []
    })
  }

  /** What each spec.layers entry names now (for diagnostics): the layer and version, or why not. */
  describe(element: ElementRow, circleSlug: string): Promise<JsonObject[]> {
    const refs = pythonSpecOf(element).layers.map(parseLayerReference)
    return Promise.all(
      refs.map(async (ref, i): Promise<JsonObject> => {
        try {
          const l = await resolveLayer(this.elements, circleSlug, ref, i, element.id)
          return {
            layer: ref.text,
            id: l.id,
            version: l.version,
            pinned: ref.version !== null,
            latest_version: l.current,
            files: Object.keys(l.spec.files).sort(),
            requirements: layerRequirements(l.spec),
          }
        } catch (err) {
          if (!(err instanceof PlatformError)) throw err
          return { layer: ref.text, error: { code: err.code, message: err.message } }
        }
      }),
    )
  }

  close(): void {
    clearInterval(this.poller)
    this.unsubscribe()
    this.staleListeners.clear()
  }
}

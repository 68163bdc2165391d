// What a python element's spec.layers put on its workers' sys.path: for each python-layer in
// order, its files (a content-addressed directory) and its built requirements (a dependency
// layer, built and cached like the element's own). Resolved once per element version and kept
// until a python-layer changes; pools then retire through `onStale`.
import type { EventBus } from '../../events/event-bus.ts'
import type { ElementRow } from '../../storage/storage.ts'
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

export class LayerMounts {
  private readonly cache = new Map<string, Promise<MountedLayers>>()
  private readonly staleListeners = new Set<(test: (poolKey: string) => boolean) => void>()
  private readonly unsubscribe: () => void

  constructor(
    private readonly elements: ElementsPort,
    private readonly builder: LayerBuilder,
    private readonly dataDir: string,
    bus: EventBus,
  ) {
    this.unsubscribe = bus.subscribe('*', (e) => {
      if (e.data['element_type'] !== LAYER_TYPE || !e.element_id) return
      // A new version moves unpinned references; a deleted layer takes pinned ones too.
      const changed = /^element\.(updated|restored)$/.test(e.type)
      const deleted = e.type === 'element.deleted'
      if (!changed && !deleted) return
      this.cache.clear()
      const mark = deleted ? `|${e.element_id}` : `|${e.element_id}@`
      for (const listener of this.staleListeners) listener((poolKey) => poolKey.includes(mark))
    })
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

  close(): void {
    this.unsubscribe()
    this.staleListeners.clear()
  }
}

// The python runtime's worker pools: one per (element version, code, layer, environment). An
// element keeps its current pool and one other warm (live's beside draft's, when both run);
// older ones close. Inline code is fixed by the version, so its pool is found without hashing.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { WarmSandboxSets } from '../../python/warm-sandbox-sets.ts'
import { type PoolOptions, WorkerPool } from '../../python/worker-pool.ts'
import type { ElementRow } from '../../storage/storage.ts'
import type { PlatformContext } from '../element.ts'
import type { LayerBuilder } from './layer-builder.ts'
import type { LayerMounts } from './layer-mounts.ts'
import type { PythonEvents } from './python-events.ts'
import { resourceEnvironment } from './resource-environment.ts'
import type { SourceMaterializer } from './source-materializer.ts'
import { pythonSpecOf } from './spec.ts'
import { idleWorkerReliever, warmSandboxBudget, workerAdmission } from './worker-quotas.ts'

/** The memory_mb warm sandboxes are started with: the spec's default, what most elements use. */
const WARM_MEMORY_MB = 128
const MAX_PIDS = 256

export class ElementPools {
  private readonly pools = new Map<string, WorkerPool>()
  private readonly envCache = new Map<string, Record<string, string>>()
  private readonly inlinePools = new Map<string, { version: number; pool: WorkerPool }>()
  private readonly circleOfPool = new WeakMap<WorkerPool, string>()
  private readonly unsubscribe: () => void
  private readonly removeReliever: () => void
  private readonly unwatchLayers: () => void
  /**
   * Pre-started sandboxes (bwrap only: see warm-sandboxes.ts): the generic ones start with the
   * first pool, those of a layer combination with its first cold start (warm-sandbox-sets.ts).
   */
  readonly warm: WarmSandboxSets

  constructor(
    private readonly p: PlatformContext,
    private readonly source: SourceMaterializer,
    private readonly layers: LayerBuilder,
    private readonly events: PythonEvents,
    private readonly layerMounts: LayerMounts,
  ) {
    // Attachments and data changes alter injected RESOURCE_* variables: forget cached ones.
    this.unsubscribe = p.bus.subscribe('element.*', (e) => {
      if (/^element\.(attached|detached|composed|updated|deleted)$/.test(e.type)) {
        this.envCache.clear()
        this.inlinePools.clear()
      }
    })
    // A python-layer changed: pools that mount its old version stop (busy workers finish first).
    this.unwatchLayers = layerMounts.onStale((stale) => {
      for (const [k, pool] of this.pools)
        if (stale(k)) {
          pool.close()
          this.pools.delete(k)
        }
    })
    this.warm = new WarmSandboxSets({
      size: p.executor?.name === 'bwrap' ? p.config.python.warmSandboxes : 0,
      config: {
        executor: p.executor!,
        python: p.config.python.interpreter,
        codeDir: '',
        entry: 'main.py',
        env: {},
        handler: '',
        slug: '',
        memoryMb: WARM_MEMORY_MB,
        maxPids: MAX_PIDS,
        logCapBytes: p.config.python.logCapBytes,
        filesRoot: join(p.config.dataDir, 'workers'),
      },
      ...warmSandboxBudget(p.quotas, WARM_MEMORY_MB),
      onError: (err) => p.log.warn({ err }, 'a warm python sandbox did not start'),
    })
    const idle = idleWorkerReliever(() =>
      [...this.pools.values()].map((pool) => ({ pool, circleId: this.circleOfPool.get(pool) ?? '' })),
    )
    // Waiting sandboxes give way first, when the server's budget is what is short.
    this.removeReliever = p.quotas.addReliever(
      (circleId, resource) => (circleId === null && this.warm.relieve()) || idle(circleId, resource),
    )
  }

  /** The pool for this element's version, source, layer and environment. */
  async poolFor(element: ElementRow): Promise<WorkerPool> {
    const spec = pythonSpecOf(element)
    const inline =
      spec.source.type === 'inline' ? this.inlinePools.get(`${element.id}:${element.version}`) : undefined
    if (inline?.version === element.version && this.pools.has(inline.pool.key)) return inline.pool
    const circle = await this.p.elements.circleSlug(element.circle_id)
    const onBuild = (b: Parameters<PythonEvents['build']>[1]) => this.events.build(element, b)
    const [code, layer, env, mounted] = await Promise.all([
      this.source.materialize(element, circle),
      this.layers.ensure(this.layers.requirementsOf(spec), onBuild),
      this.environmentOf(element),
      this.layerMounts.mount(element, circle, onBuild),
    ])
    const envHash = createHash('sha256').update(JSON.stringify(env)).digest('hex').slice(0, 12)
    const key = `${element.id}:${element.version}:${code.hash}:${layer?.key ?? '-'}:${envHash}${mounted.key}`
    let pool = this.pools.get(key)
    if (pool) {
      if (spec.source.type === 'inline')
        this.inlinePools.set(`${element.id}:${element.version}`, { version: element.version, pool })
      this.pools.delete(key) // most recently used last
      this.pools.set(key, pool)
      return pool
    }
    // One other definition stays warm (live's beside draft's, both run); older ones close.
    const others = [...this.pools].filter(([k]) => k.startsWith(`${element.id}:`))
    for (const [k, old] of others.slice(0, -1)) {
      old.close()
      this.pools.delete(k)
    }
    const opts: PoolOptions = {
      max: spec.concurrency.max,
      reserved: spec.concurrency.reserved,
      idleMs: this.p.config.python.idleTimeoutMs,
      admission: workerAdmission(this.p.quotas, element.circle_id, spec.memory_mb),
      start: (cfg) => this.warm.start(cfg),
    }
    this.warm.refill()
    pool = new WorkerPool(
      key,
      {
        executor: this.p.executor!,
        python: this.p.config.python.interpreter,
        codeDir: code.dir,
        entry: code.entry,
        layerDir: layer?.dir,
        layerPaths: mounted.paths,
        env,
        handler: spec.handler,
        slug: element.slug,
        memoryMb: spec.memory_mb,
        maxPids: MAX_PIDS,
        logCapBytes: this.p.config.python.logCapBytes,
        filesRoot: join(this.p.config.dataDir, 'workers'),
      },
      opts,
    )
    this.pools.set(key, pool)
    this.circleOfPool.set(pool, element.circle_id)
    return pool
  }

  private async environmentOf(element: ElementRow): Promise<Record<string, string>> {
    let env = this.envCache.get(`${element.id}:${element.version}`)
    if (!env) {
      const spec = pythonSpecOf(element)
      env = { ...spec.environment, ...(await resourceEnvironment(this.p.elements, element)) }
      this.envCache.set(`${element.id}:${element.version}`, env)
    }
    return env
  }

  /** The element's pools and their counters (diagnostics). */
  statsOf(elementId: string) {
    return [...this.pools.entries()]
      .filter(([k]) => k.startsWith(`${elementId}:`))
      .map(([key, p]) => ({ key, ...p.stats() }))
  }

  close(): void {
    this.unsubscribe()
    this.unwatchLayers()
    this.removeReliever()
    this.warm.close()
    for (const pool of this.pools.values()) pool.destroy()
    this.pools.clear()
  }
}

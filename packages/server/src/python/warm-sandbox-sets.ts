// The server's pre-started sandboxes (warm-sandboxes.ts): the generic set, for elements without
// layers, and a set of one per layer combination that cold-started a worker lately. Layers (a
// dependency layer's venv, python-layers) are mounts and sys.path entries fixed when the
// interpreter starts, so an element with layers can only take a sandbox started with exactly
// its layers. Once one such element has started, the next cold start with the same layers — a
// new version of the element, a scale-up, a replaced worker, another element on the same
// requirements — only loads its code. At most MAX_LAYERED sets are kept, the least recently
// used closed first; waiting sandboxes give up their budget when it runs short, generic first.
import type { PythonWorker } from './python-worker.ts'
import { layersKey, WarmSandboxes, type WarmSandboxOptions } from './warm-sandboxes.ts'
import type { WorkerConfig } from './worker-types.ts'

const MAX_LAYERED = 4

export class WarmSandboxSets {
  private readonly generic: WarmSandboxes
  private readonly layered = new Map<string, WarmSandboxes>()

  constructor(private readonly o: WarmSandboxOptions) {
    this.generic = new WarmSandboxes(o)
  }

  /** A worker of `cfg`: from the set of its layers when one is ready, else freshly started. */
  start(cfg: WorkerConfig): Promise<PythonWorker> {
    const key = layersKey(cfg)
    if (key === '') return this.generic.start(cfg)
    let set = this.layered.get(key)
    if (set)
      this.layered.delete(key) // most recently used last
    else {
      const layers = { layerDir: cfg.layerDir, layerPaths: cfg.layerPaths }
      set = new WarmSandboxes({
        ...this.o,
        size: Math.min(1, this.o.size),
        config: { ...this.o.config, ...layers },
      })
      // Limits or a variable that would start it differently: it would never serve.
      if (!set.fits(cfg)) return this.generic.start(cfg)
    }
    this.layered.set(key, set)
    for (const [k, old] of this.layered) {
      if (this.layered.size <= MAX_LAYERED) break
      old.close()
      this.layered.delete(k)
    }
    // Taking (or finding none) refills the set in the background for the next cold start.
    return set.start(cfg)
  }

  /** Starts the generic set's sandboxes (layered sets start with their first use). */
  refill(): void {
    this.generic.refill()
  }

  /** Stops one waiting sandbox to give its lease to a reservation that waits. */
  relieve(): boolean {
    if (this.generic.relieve()) return true
    for (const set of this.layered.values()) if (set.relieve()) return true
    return false
  }

  /** The generic set's counters, and each layered set's. */
  stats() {
    return { ...this.generic.stats(), layered: [...this.layered.values()].map((s) => s.stats()) }
  }

  close(): void {
    this.generic.close()
    for (const set of this.layered.values()) set.close()
    this.layered.clear()
  }
}

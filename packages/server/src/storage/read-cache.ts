// The reads every request repeats (an element by its path, an element's attachments, an API
// key by its hash), remembered by the embedded database. SQLite is one process's: every write
// to elements, attachments or API keys goes through this process's KyselyStorage, which forgets
// everything when such a write starts, when it ends and when its transaction ends — so a revoked
// key or an updated element is never served from memory after its write returns. PostgreSQL
// (several nodes write) has no read cache.
//
// Measured: the element lookup was ~40 µs of SQL plus Kysely's query building per invoke, the
// attachments read another ~12 µs (warm-invoke profile, bench:python).

const MAX_ENTRIES = 10_000

export class ReadCache {
  private generation = 0
  /** JSON text: decoding it is each caller's own copy, cheaper than structuredClone (profiled). */
  private readonly entries = new Map<string, string>()

  /** Drops every remembered read; called around each write that could change one. */
  forget(): void {
    this.generation++
    this.entries.clear()
  }

  /**
   * The remembered value of `key`, else `load()`'s, remembered when no write happened while it
   * loaded. Found values only (a miss is read again). Callers get their own copy. Rows only:
   * their values are JSON (strings, numbers, booleans, null, parsed JSON columns).
   */
  async read<T extends object>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.entries.get(key)
    if (hit !== undefined) return JSON.parse(hit) as T
    const at = this.generation
    const value = await load()
    if (value !== undefined && at === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear()
      this.entries.set(key, JSON.stringify(value))
    }
    return value
  }

  /** Runs a write, forgetting before it starts and after it ends (whether it succeeded or not). */
  async write<T>(run: () => Promise<T>): Promise<T> {
    this.forget()
    try {
      return await run()
    } finally {
      this.forget()
    }
  }
}

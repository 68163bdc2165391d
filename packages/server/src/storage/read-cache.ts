// The reads every request repeats (an element by its path, an element's attachments, an API
// key by its hash), remembered by the embedded database. This process's writes to elements,
// attachments or API keys go through its KyselyStorage, which forgets everything when such a
// write starts, when it ends and when its transaction ends; another process's writes to the same
// SQLite file move `PRAGMA data_version`, checked by the first cached read after each request is
// authenticated (`freshen`) and at least every millisecond otherwise. So a request that starts
// after a key's revocation or an element's update returned, on any node, never sees it undone.
// (Checking before every read cost ~5 % of a warm invoke's CPU: four reads per invoke.)
// PostgreSQL (several nodes write) has no read cache.
//
// Measured: the element lookup was ~40 µs of SQL plus Kysely's query building per invoke, the
// attachments read another ~12 µs (warm-invoke profile, bench:python).

const MAX_ENTRIES = 10_000

export class ReadCache {
  private generation = 0
  private seenVersion: unknown
  private checkDue = true
  private checkedAt = 0

  /**
   * `version`: the database's change counter as other connections move it (SQLite's
   * `PRAGMA data_version`). Another process on the same file (a second node on one data
   * directory) writes past this process's KyselyStorage; a changed counter forgets everything.
   */
  constructor(private readonly version?: () => unknown) {}
  /** JSON text: decoding it is each caller's own copy, cheaper than structuredClone (profiled). */
  private readonly entries = new Map<string, string>()

  /** A request arrived: the next read checks for other processes' writes first. */
  freshen(): void {
    this.checkDue = true
  }

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
    const now = this.version ? performance.now() : 0
    if (this.version && (this.checkDue || now - this.checkedAt > 1)) {
      this.checkDue = false
      this.checkedAt = now
      const v = this.version()
      if (v !== this.seenVersion) {
        this.forget()
        this.seenVersion = v
      }
    }
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

// WAL checkpoints off the event loop. With synchronous=NORMAL a commit only appends to the
// WAL; the fsyncs happen when the WAL is copied back into the database (a checkpoint), which
// SQLite by default runs inside the commit that crosses 1000 pages. Measured on the warm
// python invoke path (two small commits per run), those checkpoints were about half of all
// commit time, on the event loop. A worker thread with its own connection runs passive
// checkpoints instead (they never block the writer); the writer keeps a high automatic
// threshold as a backstop, so the WAL stays bounded even if the thread stops.
// Durability is unchanged: a commit is in the WAL either way.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Pages the writer lets the WAL reach before it checkpoints itself (the backstop). */
export const BACKSTOP_WAL_PAGES = 16_384
const EVERY_MS = 200

const WORKER_CODE = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.module)
const db = new Database(workerData.file)
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)') } catch {} }
const timer = setInterval(checkpoint, workerData.everyMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint()
  db.close()
  parentPort.close()
})
`

export class SqliteCheckpointer {
  private readonly exited: Promise<void>

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()))
  }

  /** Starts the thread; undefined when it cannot (the writer then checkpoints as before). */
  static start(file: string): SqliteCheckpointer | undefined {
    try {
      const module = createRequire(import.meta.url).resolve('better-sqlite3')
      const worker = new Worker(WORKER_CODE, { eval: true, workerData: { module, file, everyMs: EVERY_MS } })
      worker.on('error', () => {}) // the backstop threshold keeps the WAL bounded
      worker.unref()
      return new SqliteCheckpointer(worker)
    } catch {
      return undefined
    }
  }

  /** Runs a last checkpoint and closes the thread's connection (at most ~2 s). */
  async close(): Promise<void> {
    this.worker.postMessage('close')
    const timer = setTimeout(() => void this.worker.terminate(), 2000)
    await this.exited
    clearTimeout(timer)
  }
}

// The zip archive of a list of files on disk, as a stream, written by yazl: each file is read
// from disk and deflated by zlib's streams (on the thread pool), so neither memory nor the
// event loop grows with the size or number of files, and yazl switches to zip64 records on
// its own once an entry or the archive passes 4 GiB or 65,535 entries.
import { constants, type ReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { extname } from 'node:path'
import type { Readable } from 'node:stream'
import { ZipFile } from 'yazl'

export interface ZipEntry {
  /** Name inside the archive (forward slashes). */
  name: string
  /** Host path of the file. */
  path: string
  modified: Date
}

// Formats that are compressed already: deflating them again costs CPU and saves nothing.
const STORED = new Set([
  '.zip',
  '.gz',
  '.tgz',
  '.bz2',
  '.xz',
  '.zst',
  '.7z',
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.webp',
  '.mp4',
  '.webm',
  '.mp3',
  '.ogg',
  '.pdf',
  '.parquet',
])

/**
 * The zip archive of `entries`. Files are opened one at a time, when yazl reaches them. If the
 * consumer destroys the stream (Fastify does when the client goes away), the file being read
 * is closed and no other is opened; a file that can no longer be read destroys the stream
 * with its error.
 */
export function zipStream(entries: ZipEntry[]): Readable {
  const zip = new ZipFile()
  const out = zip.outputStream as Readable
  const reading = new Set<ReadStream>()
  let closed = false
  out.once('close', () => {
    closed = true
    for (const file of reading) file.destroy()
    reading.clear()
  })
  zip.on('error', (err: Error) => {
    if (!closed) out.destroy(err)
  })
  for (const e of entries) {
    const compress = !STORED.has(extname(e.name).toLowerCase())
    zip.addReadStreamLazy(e.name, { mtime: e.modified, compress }, (cb) => {
      if (closed) return cb(new Error('zip stream closed'), undefined as never)
      // O_NOFOLLOW: a symlink swapped in after the listing is not followed out of the run dir.
      open(e.path, constants.O_RDONLY | constants.O_NOFOLLOW).then(
        (handle) => {
          if (closed) {
            void handle.close()
            return cb(new Error('zip stream closed'), undefined as never)
          }
          const file = handle.createReadStream()
          reading.add(file)
          file.once('close', () => reading.delete(file))
          file.once('error', (err) => zip.emit('error', err))
          cb(null, file)
        },
        (err: Error) => cb(err, undefined as never),
      )
    })
  }
  zip.end()
  return out
}

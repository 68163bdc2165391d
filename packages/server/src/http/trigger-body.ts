// Reading an http trigger's request body: small bodies whole, large ones held only up to a size
// and the rest left on the wire to stream to the function (iii's `request_body` channel).
import type { Readable } from 'node:stream'
import { E, PlatformError } from '../errors.ts'

/** Bodies (other than JSON) larger than this stream to the function instead of being held. */
export const STREAM_ABOVE = 1024 * 1024

const tooLarge = (limit: number) =>
  new PlatformError(E.PAYLOAD_TOO_LARGE, `the body is larger than the server's limit of ${limit} bytes`)

/**
 * Reads `stream` until it ends, or until more than `hold` bytes came (then the rest stays in the
 * paused stream). With `hold` null, all of it is read, refused over `limit` (or when `declared`
 * says it will be).
 */
export function readBodyHead(
  stream: Readable,
  hold: number | null,
  limit: number,
  /** The request's content-length, when it declared one. */
  declared = 0,
): Promise<{ head: Buffer; rest: Readable | null }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let n = 0
    const stop = () => {
      stream.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      n += chunk.length
      if (hold === null && n > limit) {
        stop()
        stream.resume() // the rest is discarded
        reject(tooLarge(limit))
      } else if (hold !== null && n > hold) {
        stream.pause()
        stop()
        resolve({ head: Buffer.concat(chunks), rest: stream })
      }
    }
    const onEnd = () => {
      stop()
      resolve({ head: Buffer.concat(chunks), rest: null })
    }
    const onFail = (err: Error) => {
      stop()
      reject(err)
    }
    const onClose = () => onFail(new Error('the client closed the request before its body ended'))
    if (hold === null && declared > limit) {
      stream.resume()
      reject(tooLarge(limit))
      return
    }
    stream.on('data', onData).once('end', onEnd).once('error', onFail).once('close', onClose)
    stream.resume() // a stream paused by an earlier read flows again
  })
}

/** The rest of a streamed body, whole (for a route that must see all of it), within `limit`. */
export async function readBodyRest(rest: Readable, limit: number): Promise<Buffer> {
  const { head } = await readBodyHead(rest, null, Math.max(0, limit))
  return head
}

// Calls an http trigger's function the way iii's iii-http does: the request body readable as a
// stream through a channel (`request_body`), and a `response` channel the function may write to
// (text frames `set_status` / `set_headers` first, then binary body frames), so it can upload,
// download or serve Server-Sent Events without either side holding the whole body. A function
// that answers with a value instead gets the buffered response it always had.
import { Readable } from 'node:stream'
import type { Json, JsonObject } from '../storage/storage.ts'
import type { ChannelFrame, EngineReadEnd } from './channel-hub.ts'
import type { Engine, EngineCaller } from './engine.ts'
import { EngineError } from './engine-error.ts'
import { type HttpResponseOut, headersOf, toResponse } from './http-response.ts'
import type { InvokeOptions } from './remote-functions-port.ts'

/** Where the engine's ends of an http trigger's channels come from (the channel hub). */
export interface BodyChannels {
  fromStream(head: Buffer, rest: Readable | null): { reader: Json; drop(): void }
  toEngine(): EngineReadEnd
}

/**
 * How long a function that returned no value may take to open its `response` channel. The SDKs
 * connect the writer lazily on the first write, so a handler that writes without awaiting returns
 * before its channel's socket arrives.
 */
export const RESPONSE_OPEN_GRACE_MS = 1000

type Settled = { ok: true; value: Json | undefined } | { ok: false; err: unknown }

/** Applies iii's control messages (text frames on the response channel) to status and headers. */
function control(frame: ChannelFrame, head: { status: number; headers: Record<string, string> }): void {
  let msg: JsonObject
  try {
    msg = JSON.parse(frame.data.toString('utf8')) as JsonObject
  } catch {
    return
  }
  if (!msg || typeof msg !== 'object') return
  const code = msg['status_code']
  if (msg['type'] === 'set_status') {
    // Out of range is ignored, as iii does.
    if (typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599) head.status = code
  } else if (msg['type'] === 'set_headers') Object.assign(head.headers, headersOf(msg['headers']))
}

export async function invokeHttpFunction(
  engine: Engine,
  channels: BodyChannels | null,
  caller: EngineCaller,
  functionId: string,
  input: JsonObject,
  opts: InvokeOptions,
  body: { head: Buffer; rest: Readable | null },
): Promise<HttpResponseOut> {
  if (!channels) return toResponse(await engine.invoke(caller, functionId, input, opts))
  const timeoutMs = opts.timeoutMs ?? engine.defaultTimeoutMs
  const started = Date.now()
  const reqBody = channels.fromStream(body.head, body.rest)
  let res: EngineReadEnd
  try {
    res = channels.toEngine()
  } catch (err) {
    reqBody.drop()
    throw err
  }
  input['request_body'] = reqBody.reader
  input['response'] = res.writer
  const done = () => {
    reqBody.drop()
    res.close()
  }
  let settled: Settled | null = null
  const call = engine.invokeMaybe(caller, functionId, input, opts).then(
    (value): Settled => (settled = { ok: true, value }),
    (err): Settled => (settled = { ok: false, err }),
  )
  const head = { status: 200, headers: {} as Record<string, string> }
  // Status and headers until the first body bytes or the end of the channel.
  const first = (async (): Promise<ChannelFrame | null> => {
    for (;;) {
      const f = await res.next()
      if (!f || f.binary) return f
      control(f, head)
    }
  })()
  first.catch(() => {})
  try {
    const winner = await Promise.race([first.then((f) => ({ frame: f })), call])
    if (!('frame' in winner)) {
      if (!winner.ok) throw winner.err
      // A value is the buffered answer (iii's HttpResponse); "no value" means the channel answers.
      if (winner.value !== undefined && winner.value !== null) {
        done()
        return toResponse(winner.value)
      }
      const opened = await res.whenConnected(winner.value === undefined ? RESPONSE_OPEN_GRACE_MS : 0)
      if (!opened) {
        done()
        return toResponse(winner.value ?? null)
      }
      const left = Math.max(0, started + timeoutMs - Date.now())
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new EngineError(
                'timeout',
                `${functionId} opened its response stream but sent no body and did not close it within ${timeoutMs} ms`,
              ),
            ),
          left,
        )
      })
      try {
        await Promise.race([first, late])
      } finally {
        clearTimeout(timer)
      }
    }
  } catch (err) {
    done()
    throw err
  }
  return { ...head, body: undefined, stream: bodyStream(res, await first, call, () => settled, done) }
}

/** The response body: the first frame, then every binary frame until the writer closes. */
function bodyStream(
  res: EngineReadEnd,
  first: ChannelFrame | null,
  call: Promise<Settled>,
  settled: () => Settled | null,
  done: () => void,
): Readable {
  let pending = first
  const stream = new Readable({
    read() {
      if (pending) {
        const f = pending
        pending = null
        this.push(f.data)
        return
      }
      if (first === null) {
        this.push(null)
        return
      }
      const pull = (): void => {
        res.next().then(
          (f) => {
            if (f === null) this.push(null)
            else if (f.binary) this.push(f.data)
            else pull() // control messages after the body started are ignored, as on iii
          },
          (err: Error) => this.destroy(err),
        )
      }
      pull()
    },
    destroy(err, cb) {
      done()
      cb(err)
    },
  })
  stream.once('end', done)
  // A function that fails while its body is streaming cuts the response short (the client sees an
  // aborted transfer, not a complete one); a timeout does not: the stream lives while it is written.
  void call.then(() => {
    const s = settled()
    if (s && !s.ok && (s.err as { code?: string })?.code !== 'timeout' && !stream.destroyed)
      stream.destroy(s.err instanceof Error ? s.err : new Error(String(s.err)))
  })
  return stream
}

// Functions served by workers on other nodes. Each node writes the functions its workers
// register into a Redis directory (a hash per circle: function id -> node id) and removes them
// when they go; a call that finds no local function looks the id up there and, when the node is
// alive, sends the call on that node's channel and waits for its answer (the caller's timeout
// covers the round trip). The serving node invokes the function as the original caller, with the
// caller's scopes, trace and metadata. Without REDIS_URL there is no directory and no hop.
import { randomUUID } from 'node:crypto'
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine, InvokeOptions } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'
import type { NodeMessage, RedisFanout } from './redis-fanout.ts'
import type { EngineCaller } from './worker-connection.ts'

/** Removes the directory entry only while it still names this node (another may have taken it). */
const WITHDRAW = `if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('hdel', KEYS[1], ARGV[1]) else return 0 end`

interface Waiting {
  resolve(v: Json): void
  reject(e: EngineError): void
  timer: NodeJS.Timeout
}

interface Call {
  caller: EngineCaller
  functionId: string
  data: Json
  opts: Pick<InvokeOptions, 'metadata' | 'traceparent' | 'baggage' | 'timeoutMs'>
}

export class RemoteFunctions {
  private readonly waiting = new Map<string, Waiting>()

  constructor(
    private readonly fanout: RedisFanout,
    private readonly engine: Engine,
    private readonly onError: (err: unknown) => void,
  ) {
    fanout.onNodeMessage = (m) => this.receive(m)
  }

  private dir(circleId: string): string {
    return this.fanout.key(`functions:${circleId}`)
  }

  announce(circleId: string, functionId: string): void {
    this.fanout.redis.hset(this.dir(circleId), functionId, this.fanout.nodeId).catch(this.onError)
  }

  withdraw(circleId: string, functionId: string): void {
    this.fanout.redis
      .eval(WITHDRAW, 1, this.dir(circleId), functionId, this.fanout.nodeId)
      .catch(this.onError)
  }

  /** Calls a function another node serves; undefined when no live node serves it. */
  async invoke(
    caller: EngineCaller,
    functionId: string,
    data: Json,
    opts: InvokeOptions,
    timeoutMs: number,
  ): Promise<{ result: Json } | undefined> {
    const node = await this.fanout.redis.hget(this.dir(caller.circleId), functionId).catch(() => null)
    if (!node || node === this.fanout.nodeId || !(await this.fanout.isAlive(node).catch(() => false)))
      return undefined
    const id = randomUUID()
    const call: Call = {
      caller: { ...caller },
      functionId,
      data,
      opts: {
        timeoutMs,
        ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
        ...(opts.traceparent ? { traceparent: opts.traceparent } : {}),
        ...(opts.baggage ? { baggage: opts.baggage } : {}),
      },
    }
    const result = await new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new EngineError('timeout', `${functionId} did not answer within ${timeoutMs} ms`))
      }, timeoutMs + 250)
      this.waiting.set(id, { resolve, reject, timer })
      this.fanout.sendTo(node, {
        kind: 'call',
        id,
        from: this.fanout.nodeId,
        call: call as unknown as JsonObject,
      })
    })
    return { result }
  }

  private receive(m: NodeMessage): void {
    if (!m || typeof m !== 'object') return
    if (m.kind === 'answer') {
      const w = this.waiting.get(m.id)
      if (!w) return
      this.waiting.delete(m.id)
      clearTimeout(w.timer)
      if (m.error) w.reject(new EngineError(String(m.error.code), String(m.error.message)))
      else w.resolve(m.result ?? null)
      return
    }
    if (m.kind !== 'call' || typeof m.from !== 'string') return
    const c = m.call as unknown as Call
    const answer = (a: Omit<Extract<NodeMessage, { kind: 'answer' }>, 'kind' | 'id'>) =>
      this.fanout.sendTo(m.from, { kind: 'answer', id: m.id, ...a })
    // Only what this node serves itself: a call is never passed on a second time.
    if (!c?.caller || !this.engine.hasWorkerFunction(c.caller.circleId, c.functionId)) {
      answer({
        error: { code: 'function_not_found', message: `no function "${c?.functionId}" in this circle` },
      })
      return
    }
    this.engine.invoke(c.caller, c.functionId, c.data, c.opts).then(
      (result) => answer({ result }),
      (err) => {
        const e = asEngineError(err)
        answer({ error: { code: e.code, message: e.message } })
      },
    )
  }

  close(): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer)
      w.reject(new EngineError('engine_unavailable', 'the engine is shutting down'))
      this.waiting.delete(id)
    }
  }
}

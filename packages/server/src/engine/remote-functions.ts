// Functions served by workers on other nodes. Each node writes the functions its workers
// register into a Redis directory (a hash per circle: function id -> `{"node", description,
// request_format, response_format, metadata}` as JSON, the node id first so it reads plainly) and
// removes them when they go; a call that finds no local function looks the id up there and, when
// the node is alive, sends the call on that node's channel and waits for its answer (the caller's
// timeout covers the round trip). The serving node invokes the function as the original caller,
// with the caller's scopes, trace and metadata. `engine::functions::list` adds the entries of the
// other live nodes. Without REDIS_URL there is no directory and no hop.
import { randomUUID } from 'node:crypto'
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'
import type { NodeMessage, RedisFanout } from './redis-fanout.ts'
import type { FunctionInfo, InvokeOptions, RemoteFunctionsPort } from './remote-functions-port.ts'
import type { EngineCaller } from './worker-connection.ts'

/**
 * Removes the directory entry only while it still names this node (another may have taken it).
 * An entry is JSON with `node`; a bare node id (as older nodes wrote it) still counts.
 */
const WITHDRAW = `local v = redis.call('hget', KEYS[1], ARGV[1])
if not v then return 0 end
local ok, e = pcall(cjson.decode, v)
local node = v
if ok and type(e) == 'table' and type(e.node) == 'string' then node = e.node end
if node == ARGV[2] then return redis.call('hdel', KEYS[1], ARGV[1]) end
return 0`

/** Above this an entry keeps only its node and a shortened description (the directory stays small). */
const MAX_ENTRY_BYTES = 16 * 1024
/** engine::functions::list answers without the other nodes' functions when Redis is this slow. */
const LIST_TIMEOUT_MS = 1000

interface DirectoryEntry {
  node: string
  info: FunctionInfo
}

function entryText(node: string, info: FunctionInfo): string {
  const { function_id: _id, ...rest } = info
  const full = JSON.stringify({ node, ...rest })
  if (full.length <= MAX_ENTRY_BYTES / 3 || Buffer.byteLength(full) <= MAX_ENTRY_BYTES) return full
  return JSON.stringify({ node, description: info.description?.slice(0, 1000) ?? null })
}

/** A directory value: JSON with `node`, or a bare node id. */
export function parseEntry(functionId: string, text: string): DirectoryEntry {
  let v: unknown
  try {
    v = text.startsWith('{') ? JSON.parse(text) : null
  } catch {
    v = null
  }
  const o = v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null
  const node = o && typeof o['node'] === 'string' ? o['node'] : text
  return {
    node,
    info: {
      function_id: functionId,
      description: typeof o?.['description'] === 'string' ? o['description'] : null,
      request_format: o?.['request_format'] ?? null,
      response_format: o?.['response_format'] ?? null,
      metadata: o?.['metadata'] ?? null,
    },
  }
}

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

export class RemoteFunctions implements RemoteFunctionsPort {
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

  announce(circleId: string, info: FunctionInfo): void {
    this.fanout.redis
      .hset(this.dir(circleId), info.function_id, entryText(this.fanout.nodeId, info))
      .catch(this.onError)
  }

  withdraw(circleId: string, functionId: string): void {
    this.fanout.redis
      .eval(WITHDRAW, 1, this.dir(circleId), functionId, this.fanout.nodeId)
      .catch(this.onError)
  }

  /** The functions other live nodes serve in the circle ([] when Redis does not answer in time). */
  async list(circleId: string): Promise<FunctionInfo[]> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<FunctionInfo[]>((resolve) => {
      timer = setTimeout(() => resolve([]), LIST_TIMEOUT_MS)
    })
    const read = this.readDirectory(circleId).catch((err) => {
      this.onError(err)
      return []
    })
    return Promise.race([read, late]).finally(() => clearTimeout(timer))
  }

  private async readDirectory(circleId: string): Promise<FunctionInfo[]> {
    const all = await this.fanout.redis.hgetall(this.dir(circleId))
    const entries = Object.entries(all).map(([id, text]) => parseEntry(id, text))
    // This node's own entries are its local functions (listed already, or withdrawn meanwhile).
    const nodes = [...new Set(entries.map((e) => e.node))].filter((n) => n !== this.fanout.nodeId)
    const alive = new Set<string>()
    await Promise.all(
      nodes.map(async (n) => {
        if (await this.fanout.isAlive(n)) alive.add(n)
      }),
    )
    return entries.filter((e) => alive.has(e.node)).map((e) => e.info)
  }

  /** Calls a function another node serves; undefined when no live node serves it. */
  async invoke(
    caller: EngineCaller,
    functionId: string,
    data: Json,
    opts: InvokeOptions,
    timeoutMs: number,
  ): Promise<{ result: Json } | undefined> {
    const text = await this.fanout.redis.hget(this.dir(caller.circleId), functionId).catch(() => null)
    const node = text ? parseEntry(functionId, text).node : null
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

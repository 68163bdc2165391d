// iii's pub/sub, built into every circle: the `publish` function ({topic, data}) and the
// `subscribe` trigger type ({topic, condition_function_id?}). Delivery is fire-and-forget: every
// subscriber of the topic is invoked with the raw data, failures are logged, and the publisher
// only learns that the event was accepted. `transport` is the hook that carries publishes to
// other nodes (Redis, set by the composition root); without it delivery stays in this process.
import type { Json, JsonObject } from '../storage/storage.ts'
import { fireTrigger, type TriggerFailureLog } from './change-triggers.ts'
import type { Engine, RegisteredTrigger, TriggerTypeHandler } from './engine.ts'
import { EngineError } from './engine-error.ts'

const MAX_TOPIC = 512

/** One publish as it travels between nodes. */
export interface PubSubMessage {
  circleId: string
  topic: string
  data: Json
  traceparent?: string
  baggage?: string
}

/** Carries publishes to the other nodes; each node calls `deliverLocal` for what it receives. */
export interface PubSubTransport {
  send(msg: PubSubMessage): void
}

interface Subscription {
  trigger: RegisteredTrigger
  condition: string | null
}

function topicOf(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TOPIC)
    throw new EngineError(
      what === 'config' ? 'invalid_trigger_config' : 'invalid_payload',
      `topic must be a string of 1 to ${MAX_TOPIC} characters`,
    )
  return v
}

export class PubSub implements TriggerTypeHandler {
  readonly id = 'subscribe'
  readonly description = 'Topic subscription (config: topic, condition_function_id?)'
  /** Set by the composition root to fan publishes out to other nodes. */
  transport: PubSubTransport | null = null
  /** Sees every publish once, on the node it was made on (workflows take CloudEvents from it). */
  tap: ((circleId: string, topic: string, data: Json) => void) | null = null
  /** circleId -> topic -> subscriptions. */
  private readonly subs = new Map<string, Map<string, Subscription[]>>()

  constructor(
    private readonly engine: Engine,
    private readonly log: TriggerFailureLog,
  ) {}

  register(t: RegisteredTrigger): void {
    const c = t.config as JsonObject | null
    if (!c || typeof c !== 'object' || Array.isArray(c))
      throw new EngineError('invalid_trigger_config', 'subscribe needs config {topic}')
    const topic = topicOf(c['topic'], 'config')
    const cond = c['condition_function_id']
    if (cond !== undefined && cond !== null && (typeof cond !== 'string' || !cond || cond.length > 512))
      throw new EngineError('invalid_trigger_config', 'condition_function_id must be a function id')
    let topics = this.subs.get(t.circleId)
    if (!topics) {
      topics = new Map()
      this.subs.set(t.circleId, topics)
    }
    topics.set(topic, [...(topics.get(topic) ?? []), { trigger: t, condition: cond ?? null }])
  }

  unregister(t: RegisteredTrigger): void {
    const topics = this.subs.get(t.circleId)
    const topic = (t.config as JsonObject | null)?.['topic']
    if (!topics || typeof topic !== 'string') return
    const left = (topics.get(topic) ?? []).filter((s) => s.trigger !== t)
    if (left.length) topics.set(topic, left)
    else topics.delete(topic)
  }

  /** Delivers here and hands the message to the transport for the other nodes. */
  publish(
    circleId: string,
    topic: string,
    data: Json,
    trace: { traceparent?: string; baggage?: string } = {},
  ): void {
    this.deliverLocal(circleId, topic, data, trace)
    this.transport?.send({ circleId, topic, data, ...trace })
    this.tap?.(circleId, topic, data)
  }

  /** Whether worker connection `workerId` holds a subscribe trigger on the circle's `topic`. */
  hasSubscriber(circleId: string, topic: string, workerId: string): boolean {
    return (this.subs.get(circleId)?.get(topic) ?? []).some((s) => s.trigger.conn?.id === workerId)
  }

  /** Fires every subscriber of the topic in this process; returns how many there were. */
  deliverLocal(
    circleId: string,
    topic: string,
    data: Json,
    trace: { traceparent?: string; baggage?: string } = {},
  ): number {
    const list = this.subs.get(circleId)?.get(topic)
    if (!list) return 0
    for (const s of list) void fireTrigger(this.engine, s.trigger, s.condition, data, this.log, trace)
    return list.length
  }
}

/** The `publish` function: {topic, data} -> no value once accepted (as iii). */
export function addPubSubFunctions(engine: Engine, pubsub: PubSub): void {
  engine.addBuiltin({
    id: 'publish',
    description: 'Publish {topic, data} to every subscribe trigger of the topic (fire and forget)',
    scope: 'execute',
    handler: (input, { caller, opts }) => {
      const m = input && typeof input === 'object' && !Array.isArray(input) ? input : {}
      // iii: an empty or missing topic is `topic_not_set`.
      if (m['topic'] === '' || m['topic'] === undefined || m['topic'] === null)
        throw new EngineError('topic_not_set', 'Topic is not set')
      const topic = topicOf(m['topic'], 'payload')
      const trace = {
        ...(opts.traceparent ? { traceparent: opts.traceparent } : {}),
        ...(opts.baggage ? { baggage: opts.baggage } : {}),
      }
      pubsub.publish(caller.circleId, topic, m['data'] ?? null, trace)
      return undefined // iii answers no value
    },
  })
}

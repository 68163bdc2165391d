// The `stream:join` and `stream:leave` trigger types: a browser subscribing to (or leaving) a
// stream group fires every such trigger of the circle with iii's StreamJoinLeaveEvent. A join
// trigger may refuse the subscription by answering StreamJoinResult `{unauthorized: true}`.
import type { Json, JsonObject } from '../storage/storage.ts'
import { circleCaller, fireTrigger, type TriggerFailureLog } from './change-triggers.ts'
import type { Engine, RegisteredTrigger, TriggerTypeHandler } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'

/** iii's StreamJoinLeaveEvent. */
export interface StreamJoinLeaveEvent {
  subscription_id: string
  stream_name: string
  group_id: string
  id: string | null
  context: Json
}

export type JoinVerdict = { ok: true } | { ok: false; code: 'unauthorized' | 'join_failed'; message: string }

interface Bound {
  trigger: RegisteredTrigger
  condition: string | null
}

export class JoinLeaveTriggers implements TriggerTypeHandler {
  readonly description: string
  private readonly bound = new Map<string, Bound[]>()

  constructor(
    readonly id: 'stream:join' | 'stream:leave',
    private readonly engine: Engine,
    private readonly log: TriggerFailureLog,
  ) {
    this.description =
      id === 'stream:join'
        ? 'A client joins a stream subscription; answer {unauthorized: true} to refuse (config: condition_function_id?)'
        : 'A client leaves a stream subscription or disconnects (config: condition_function_id?)'
  }

  register(t: RegisteredTrigger): void {
    const c = t.config ?? {}
    if (typeof c !== 'object' || Array.isArray(c))
      throw new EngineError('invalid_trigger_config', 'config must be an object')
    const cond = (c as JsonObject)['condition_function_id']
    if (cond !== undefined && cond !== null && (typeof cond !== 'string' || !cond || cond.length > 512))
      throw new EngineError('invalid_trigger_config', 'condition_function_id must be a non-empty string')
    const b: Bound = { trigger: t, condition: typeof cond === 'string' ? cond : null }
    this.bound.set(t.circleId, [...(this.bound.get(t.circleId) ?? []), b])
  }

  unregister(t: RegisteredTrigger): void {
    const list = this.bound.get(t.circleId)
    if (list)
      this.bound.set(
        t.circleId,
        list.filter((b) => b.trigger !== t),
      )
  }

  /**
   * Asks every join trigger of the circle (in parallel). Refused when any answers
   * `{unauthorized: true}`; a trigger (or its condition) that fails refuses too, since an
   * authorization hook that cannot answer must not let the client in.
   */
  async authorize(circleId: string, event: StreamJoinLeaveEvent): Promise<JoinVerdict> {
    const input = event as unknown as Json
    const verdicts = await Promise.all(
      (this.bound.get(circleId) ?? []).map(async ({ trigger, condition }): Promise<JoinVerdict> => {
        const caller = circleCaller(trigger)
        try {
          if (condition && (await this.engine.invoke(caller, condition, input)) === false) return { ok: true }
          const r = await this.engine.invoke(caller, trigger.function_id, input, {
            metadata: trigger.metadata ?? undefined,
          })
          if (r && typeof r === 'object' && !Array.isArray(r) && r['unauthorized'] === true)
            return { ok: false, code: 'unauthorized', message: 'the join was refused' }
          return { ok: true }
        } catch (err) {
          const e = asEngineError(err)
          this.log(
            { trigger: trigger.id, function_id: trigger.function_id, code: e.code, err: e.message },
            'engine: stream:join trigger failed; the join is refused',
          )
          return {
            ok: false,
            code: 'join_failed',
            message: `a stream:join trigger failed (${e.code}); the join is refused`,
          }
        }
      }),
    )
    return verdicts.find((v) => !v.ok) ?? { ok: true }
  }

  /** Leave: fire and forget, failures are logged. */
  fire(circleId: string, event: StreamJoinLeaveEvent): void {
    for (const { trigger, condition } of this.bound.get(circleId) ?? [])
      void fireTrigger(this.engine, trigger, condition, event as unknown as Json, this.log)
  }
}

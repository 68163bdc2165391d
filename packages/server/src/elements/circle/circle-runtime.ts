// The circle's spec, its runtime (a view of the quotas) and its operation definer: handlers get
// `ctx.spec` and `ctx.runtime` typed.
import { type Static, Type } from '@sinclair/typebox'
import type { ResourceBudget } from '../../quotas/resource-budget.ts'
import { operationsFor, type PlatformContext, type TypeRuntime } from '../element.ts'
import { CircleEvents } from './circle-events.ts'

export const circleSpec = Type.Object(
  {
    description: Type.String({ default: '', maxLength: 10_000 }),
    encryption_mode: Type.Union([Type.Literal('none'), Type.Literal('platform')], { default: 'platform' }),
  },
  { additionalProperties: false },
)

export class CircleRuntime implements TypeRuntime {
  readonly quotas: ResourceBudget
  /** The live events stream's log and open streams (events-operation.ts). */
  readonly events: CircleEvents
  constructor(p: PlatformContext) {
    this.quotas = p.quotas
    this.events = new CircleEvents(p)
  }
  /** Before the server closes: open event streams end (they would hold it open). */
  async drain(): Promise<void> {
    this.events.endAll()
  }
  async close(): Promise<void> {
    await this.events.close()
  }
}

export const circleOperation = operationsFor<Static<typeof circleSpec>, CircleRuntime>()

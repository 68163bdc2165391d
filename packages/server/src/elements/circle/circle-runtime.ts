// The circle's spec, its runtime (a view of the quotas) and its operation definer: handlers get
// `ctx.spec` and `ctx.runtime` typed.
import { type Static, Type } from '@sinclair/typebox'
import type { ResourceBudget } from '../../quotas/resource-budget.ts'
import { operationsFor, type PlatformContext, type TypeRuntime } from '../element.ts'

export const circleSpec = Type.Object(
  {
    description: Type.String({ default: '', maxLength: 10_000 }),
    encryption_mode: Type.Union([Type.Literal('none'), Type.Literal('platform')], { default: 'platform' }),
  },
  { additionalProperties: false },
)

export class CircleRuntime implements TypeRuntime {
  readonly quotas: ResourceBudget
  constructor(p: PlatformContext) {
    this.quotas = p.quotas
  }
  async close(): Promise<void> {}
}

export const circleOperation = operationsFor<Static<typeof circleSpec>, CircleRuntime>()

// rate-limit: a modifier that, attached to an element, caps how often its type operations and
// runs-API starts may be called (a token bucket per caller key or per circle).
import { Type } from '@sinclair/typebox'
import { defineElement } from '../element.ts'

export const MAX_RATE_PER_SECOND = 100_000
export const MAX_BURST = 1_000_000

export const rateLimitSpec = Type.Object(
  {
    rate: Type.Number({
      exclusiveMinimum: 0,
      maximum: MAX_RATE_PER_SECOND,
      description: 'Tokens added per second (0.1 = one call every ten seconds).',
    }),
    burst: Type.Integer({
      minimum: 1,
      maximum: MAX_BURST,
      description: 'Bucket size: calls allowed at once after a quiet spell.',
    }),
    per: Type.Union([Type.Literal('key'), Type.Literal('circle')], {
      default: 'key',
      description: '`key`: one bucket per API key; `circle`: one bucket shared by every caller.',
    }),
    description: Type.String({ default: '', maxLength: 2000 }),
  },
  { additionalProperties: false },
)

export const rateLimitType = defineElement({
  type: 'rate-limit',
  name: 'Rate limit',
  description:
    'A token bucket attached to an element: its type operations and run starts answer 429 RATE_LIMITED beyond `rate` per second (bursts up to `burst`).',
  symbol: 'Rl',
  category: 'policy',
  form: 'atom',
  modifier: true,
  spec: rateLimitSpec,
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  capabilities: ['policy-modifier'],
  events: ['element.updated'],
})

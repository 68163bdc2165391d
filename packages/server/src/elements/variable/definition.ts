// variable: loose key/value state in `spec.value`, with its own read and write operations.
import { type Static, Type } from '@sinclair/typebox'
import type { Json } from '../../storage/storage.ts'
import { defineElement, operationsFor } from '../element.ts'

export const MAX_VALUE_BYTES = 1024 * 1024
const LARGE_VALUE_BYTES = 256 * 1024

const sizeOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v ?? null))

const variableSpec = Type.Object(
  {
    value: Type.Unsafe<Json>({ default: null, description: 'Any JSON value.' }),
    description: Type.String({ default: '', maxLength: 2000 }),
  },
  { additionalProperties: false },
)

const variableOperation = operationsFor<Static<typeof variableSpec>>()

export const variableType = defineElement({
  type: 'variable',
  name: 'Variable',
  description: 'Loose key/value state: any JSON value in `spec.value`.',
  symbol: 'Va',
  category: 'data',
  form: 'atom',
  fixtureOperations: ['set'],
  spec: variableSpec,
  rules: [
    {
      field: 'value',
      message: `value must serialize to at most ${MAX_VALUE_BYTES} bytes of JSON`,
      check: (spec) => sizeOf(spec['value']) <= MAX_VALUE_BYTES,
    },
  ],
  advisories: [
    {
      field: 'value',
      message: 'value is larger than 256 KiB — consider a document element for bulky data',
      check: (spec) => sizeOf(spec['value']) <= LARGE_VALUE_BYTES,
    },
  ],
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  capabilities: ['key-value'],
  events: ['element.updated'],
  operations: [
    variableOperation({
      name: 'value',
      method: 'GET',
      auth: 'read',
      summary: 'Read the value and the version it belongs to',
      async handler(ctx) {
        return { value: ctx.spec.value, version: ctx.element.version }
      },
    }),
    variableOperation({
      name: 'set',
      method: 'POST',
      auth: 'write',
      summary: 'Replace the value (a new version); optional expected_version for compare-and-set',
      input: Type.Object(
        { value: Type.Unsafe<Json>({}), expected_version: Type.Optional(Type.Integer({ minimum: 1 })) },
        { additionalProperties: false },
      ),
      async handler(ctx) {
        const next = await ctx.elements.update(
          ctx.element,
          {
            // deep=false: a new object value replaces the old one instead of merging into it.
            spec: { ...ctx.spec, value: ctx.input.value ?? null },
            deep: false,
            expected_version: ctx.input.expected_version,
            message: 'Value set',
          },
          ctx.actor,
        )
        return { value: next.spec['value'] ?? null, version: next.version }
      },
    }),
  ],
})

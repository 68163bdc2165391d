// JSON-Schema validation with Ajv: defaults applied in place, errors turned into
// VALIDATION_FAILED naming the offending field.
import type { TSchema } from '@sinclair/typebox'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { validationError } from '../errors.ts'
import type { JsonObject } from '../storage/storage.ts'

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
type AddFormats = (ajv: Ajv) => Ajv
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats)

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    useDefaults: true,
    coerceTypes,
    strict: false,
    removeAdditional: false,
    // Errors carry their schema, so messages can give the whole range or the allowed values.
    verbose: true,
  })
  addFormats(ajv)
  return ajv
}

const bodyAjv = makeAjv(false)
const queryAjv = makeAjv(true)
const cache = new WeakMap<TSchema, ValidateFunction>()
const queryCache = new WeakMap<TSchema, ValidateFunction>()

function fieldOf(prefix: string, e: ErrorObject): string {
  const path = e.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (e.keyword === 'required') path.push(String(e.params.missingProperty))
  if (e.keyword === 'additionalProperties') path.push(String(e.params.additionalProperty))
  return [prefix, ...path].filter(Boolean).join('.') || prefix || '(root)'
}

type Bounds = { minimum?: number; maximum?: number; type?: string; patternProperties?: object }

/** "between 64 and 4096", ">= 0", or '' when the schema has no numeric bounds. */
function range(s: Bounds | undefined): string {
  const lo = typeof s?.minimum === 'number' ? s.minimum : undefined
  const hi = typeof s?.maximum === 'number' ? s.maximum : undefined
  if (lo !== undefined && hi !== undefined) return `between ${lo} and ${hi}`
  if (lo !== undefined) return `>= ${lo}`
  if (hi !== undefined) return `<= ${hi}`
  return ''
}

function describe(e: ErrorObject, all: ErrorObject[]): string {
  const parent = e.parentSchema as Bounds | undefined
  if (e.keyword === 'additionalProperties') {
    const patterns = Object.keys(parent?.patternProperties ?? {})
    return patterns.length
      ? `is not an allowed key (keys must match ${patterns.join(' or ')})`
      : 'unknown field'
  }
  if (e.keyword === 'required') return 'is required'
  if (e.keyword === 'minimum' || e.keyword === 'maximum') {
    const type = parent?.type === 'integer' ? 'an integer ' : ''
    return `must be ${type}${range(parent)}, got ${JSON.stringify(e.data)}`
  }
  if (e.keyword === 'type' && range(parent))
    return `must be ${e.params.type === 'integer' ? 'an integer' : `a ${e.params.type}`} ${range(parent)}`
  if (e.keyword === 'const') {
    // A union of literals fails on its first branch; name every allowed value instead.
    const union = all.find((x) => x.keyword === 'anyOf' && x.instancePath === e.instancePath)
    const options = Array.isArray(union?.schema) ? (union.schema as Array<{ const?: unknown }>) : []
    if (options.length && options.every((o) => o.const !== undefined))
      return `must be one of ${options.map((o) => JSON.stringify(o.const)).join(', ')}`
    if (!union) return `must be ${JSON.stringify(e.params.allowedValue)}`
  }
  return e.message ?? 'is invalid'
}

export function toValidationError(prefix: string, errors: ErrorObject[] | null | undefined) {
  const first = errors?.[0]
  if (!first) return validationError(prefix || '(root)', 'is invalid')
  const extra: Record<string, unknown> = { rule: first.keyword }
  const parent = first.parentSchema as Bounds | undefined
  if (['minimum', 'maximum', 'type'].includes(first.keyword)) {
    if (typeof parent?.minimum === 'number') extra['minimum'] = parent.minimum
    if (typeof parent?.maximum === 'number') extra['maximum'] = parent.maximum
  }
  return validationError(fieldOf(prefix, first), describe(first, errors), extra)
}

/** Validates `value` in place (applying defaults); throws VALIDATION_FAILED. */
export function validateInput(
  schema: TSchema,
  value: unknown,
  opts: { query?: boolean; prefix?: string } = {},
): void {
  const ajv = opts.query ? queryAjv : bodyAjv
  const c = opts.query ? queryCache : cache
  let fn = c.get(schema)
  if (!fn) {
    fn = ajv.compile(schema)
    c.set(schema, fn)
  }
  if (!fn(value)) throw toValidationError(opts.prefix ?? '', fn.errors)
}

export type SpecValidator = (spec: JsonObject) => void

export function compileSpecValidator(type: string, schema: TSchema): SpecValidator {
  let fn: ValidateFunction | undefined
  return (spec) => {
    fn ??= bodyAjv.compile(schema)
    if (!fn(spec)) throw toValidationError('spec', fn.errors)
    void type
  }
}

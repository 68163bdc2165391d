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

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return 'unknown field'
  if (e.keyword === 'required') return 'is required'
  return e.message ?? 'is invalid'
}

export function toValidationError(prefix: string, errors: ErrorObject[] | null | undefined) {
  const first = errors?.[0]
  if (!first) return validationError(prefix || '(root)', 'is invalid')
  return validationError(fieldOf(prefix, first), describe(first), { rule: first.keyword })
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

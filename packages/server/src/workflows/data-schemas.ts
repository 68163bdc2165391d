// The DSL's `schema` blocks (workflow and task input, output, export): JSON Schema documents,
// compiled once per distinct schema and checked against the data.
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { Json, JsonObject } from '../storage/storage.ts'
import { fault } from './dsl-faults.ts'

type AddFormats = (ajv: Ajv) => Ajv
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }))
const compiled = new Map<string, ValidateFunction>()

/** Throws a DSL validation fault when `data` does not satisfy `schema` (`{format, document}`). */
export function checkSchema(schema: Json | undefined, data: Json, what: string, instance: string): void {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return
  const document = (schema as JsonObject)['document']
  if (!document || typeof document !== 'object') return
  const text = JSON.stringify(document)
  let validate = compiled.get(text)
  if (!validate) {
    try {
      validate = ajv.compile(document as object)
    } catch (err) {
      throw fault('configuration', `${what} schema does not compile: ${(err as Error).message}`, instance)
    }
    if (compiled.size > 1000) compiled.clear()
    compiled.set(text, validate)
  }
  if (validate(data)) return
  const problems = (validate.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim())
  throw fault('validation', `${what} does not match its schema: ${problems.join('; ')}`, instance, {
    errors: problems,
  })
}

// The final answer of an agent with an `output_schema`: JSON (a ```json fence tolerated) checked
// with Ajv; the problems are what the model is told when it must answer again.
import { Ajv, type ValidateFunction } from 'ajv'
import type { Json } from '../../storage/storage.ts'

const ajv = new Ajv({ allErrors: true, strict: false })
const compiled = new Map<string, ValidateFunction>()

/** Compiles a schema (cached); throws with Ajv's message when it is no JSON Schema. */
export function compileOutputSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema)
  let v = compiled.get(key)
  if (!v) {
    v = ajv.compile(schema)
    if (compiled.size > 500) compiled.clear()
    compiled.set(key, v)
  }
  return v
}

/** The parsed answer, or the problems with it. */
export function checkAnswer(
  text: string,
  schema: Record<string, unknown>,
): { ok: true; value: Json } | { ok: false; problems: string[] } {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text)
  let value: Json
  try {
    value = JSON.parse(fenced ? fenced[1]! : text) as Json
  } catch {
    return { ok: false, problems: ['the answer is not JSON'] }
  }
  const validate = compileOutputSchema(schema)
  if (validate(value)) return { ok: true, value }
  return {
    ok: false,
    problems: (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()),
  }
}

// Whether a CloudEvent matches a `with` filter of listen (and of a schedule's `on`): each
// attribute equals the filter's value, or, where the value is a runtime expression, the
// expression is true of the attribute (`data: ${ .temperature > 38 }`).
import type { Json, JsonObject } from '../storage/storage.ts'
import { evaluate, isExpression } from './expressions.ts'

export function eventMatches(event: JsonObject, filter: JsonObject): boolean {
  for (const [k, want] of Object.entries(filter)) {
    const actual = (event[k] ?? null) as Json
    if (isExpression(want)) {
      try {
        const v = evaluate(want, actual, {})
        if (v === null || v === false) return false
      } catch {
        return false
      }
    } else if (JSON.stringify(actual) !== JSON.stringify(want)) return false
  }
  return true
}

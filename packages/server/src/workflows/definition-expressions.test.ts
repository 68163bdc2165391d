// Runtime expressions are compiled when a definition is written: a jq syntax error is refused
// with the path of the string that holds it.
import { describe, expect, it } from 'vitest'
import { parseDefinition } from './definition.ts'

describe('runtime expressions checked on write', () => {
  it('refuses a jq syntax error with its path', () => {
    let err: unknown
    try {
      parseDefinition(
        "document: { dsl: '1.0.0', namespace: a, name: b, version: '1.0.0' }\ndo:\n  - x: { set: { y: '${ .a | }' } }\n",
      )
    } catch (e) {
      err = e
    }
    expect((err as { code: string }).code).toBe('WORKFLOW_DEFINITION_INVALID')
    expect(JSON.stringify((err as { details: unknown }).details)).toContain('/do/0/x/set/y')
  })
})

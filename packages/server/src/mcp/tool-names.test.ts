// MCP tool names: at most 64 characters of [a-zA-Z0-9_-], one scheme per kind of tool.
import { describe, expect, it } from 'vitest'
import {
  circleToolName,
  disambiguated,
  elementToolName,
  genericToolName,
  isValidToolName,
} from './tool-names.ts'

describe('tool names', () => {
  it('join an element’s path and its operation with __', () => {
    expect(elementToolName(['billing', 'invoice-parser'], 'invoke')).toBe('billing__invoice-parser__invoke')
    expect(genericToolName('readme_update')).toBe('element_readme_update')
    expect(circleToolName('api_keys_get')).toBe('circle_api_keys_get')
  })

  it('keep long paths within 64 characters, distinct, with a hash of the whole name', () => {
    const deep = ['a'.repeat(63), 'b'.repeat(63)]
    const one = elementToolName(deep, 'invoke')
    const two = elementToolName(deep, 'runs')
    expect(one.length).toBe(64)
    expect(isValidToolName(one) && isValidToolName(two)).toBe(true)
    expect(one).not.toBe(two)
  })

  it('replace characters MCP refuses in operation names', () => {
    expect(isValidToolName(genericToolName('source/promote'))).toBe(true)
  })

  it('disambiguate a taken name without losing its start', () => {
    const d = disambiguated('counter__set', 3)
    expect(d.startsWith('counter__set_')).toBe(true)
    expect(isValidToolName(d)).toBe(true)
  })
})

// The agent view's pure parts, in Node: the spec split for editing and put back for a save, the
// settings form's schema, how the Run box's text is sent, tool entries, and where a refused save's
// error belongs (a schema error's field, or AGENT_TOOL_INVALID's "spec.tools.N: …" message).
import { describe, expect, it } from 'vitest'
import { kindOf } from '../src/lib/schema-form/schema-kinds.ts'
import {
  draftOf,
  fieldOfError,
  inputOf,
  inputText,
  settingsSchema,
  specOf,
  toolKind,
  toolTarget,
} from '../src/views/agent/agent-model.ts'

/** An error as lib/api.ts's ApiError carries it (that module needs the browser's session). */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

describe('agent view model', () => {
  it('splits the spec for editing and puts it back whole, without cleared optional fields', () => {
    const spec = {
      instructions: '# Hi',
      model: { base_url: 'http://m/v1', model: 'x', api_key: { sealed: 'abc' } },
      tools: ['add'],
      max_steps: 3,
    }
    const d = draftOf(spec)
    expect(d).toEqual({
      instructions: '# Hi',
      tools: ['add'],
      settings: { model: spec.model, max_steps: 3 },
    })
    ;(d.settings['model'] as Record<string, unknown>)['temperature'] = ''
    d.settings['output_schema'] = undefined
    expect(specOf(d)).toEqual(spec)
    d.settings['model'] = { base_url: 'http://m/v1', model: 'x' }
    expect(specOf(d)['model']).toEqual({ base_url: 'http://m/v1', model: 'x' })
  })

  it('leaves instructions and tools out of the settings form and edits the output schema as JSON', () => {
    const s = settingsSchema({
      type: 'object',
      required: ['instructions', 'model', 'tools'],
      properties: {
        instructions: { type: 'string' },
        model: { type: 'object', properties: {} },
        tools: { type: 'array' },
        output_schema: { type: 'object', patternProperties: { '^.*$': {} }, description: 'A schema' },
      },
    })
    expect(Object.keys(s.properties ?? {})).toEqual(['model', 'output_schema'])
    expect(s.required).toEqual(['model'])
    expect(s.properties?.['output_schema']).toEqual({ description: 'A schema' })
    expect(kindOf(s.properties!['output_schema']!, 'output_schema')).toBe('json')
    // A URL field stays one line however long it may be (base_url allows 2048 characters).
    expect(kindOf({ type: 'string', maxLength: 2048 }, 'base_url')).toBe('string')
    expect(kindOf({ type: 'string', maxLength: 2048 }, 'notes')).toBe('text')
  })

  it('sends text as the user message and a JSON object or array as JSON', () => {
    expect(inputOf('What is 2 + 3?')).toEqual({ body: 'What is 2 + 3?', as: 'text' })
    expect(inputOf(' {"a": 1} ')).toEqual({ body: { a: 1 }, as: 'json' })
    expect(inputOf('[1, 2]')).toEqual({ body: [1, 2], as: 'json' })
    expect(inputOf('{not json')).toEqual({ body: '{not json', as: 'text' })
    expect(inputOf('42')).toEqual({ body: '42', as: 'text' })
    expect(inputText({ a: 1 })).toBe('{\n  "a": 1\n}')
    expect(inputText('hi')).toBe('hi')
  })

  it('reads tool entries in both forms', () => {
    expect(['add', 'math::add', 'https://mcp.example.com/mcp'].map(toolKind)).toEqual([
      'element',
      'function',
      'mcp',
    ])
    expect(toolKind({ element: 'add', operation: 'invoke' })).toBe('element')
    expect(toolTarget({ element: 'add', operation: 'invoke' })).toBe('add (invoke)')
    expect(toolTarget({ mcp: 'https://x/mcp', tools: ['a'] })).toBe('https://x/mcp')
  })

  it('places a refused save at its field', () => {
    const schemaError = new ApiError(400, 'VALIDATION_FAILED', 'spec.model.temperature: must be <= 2', {
      field: 'spec.model.temperature',
    })
    expect(fieldOfError(schemaError)).toEqual({ field: 'model/temperature', message: 'must be <= 2' })
    const toolError = new ApiError(400, 'AGENT_TOOL_INVALID', 'spec.tools.1: tool "x": no such element')
    expect(fieldOfError(toolError)).toEqual({ field: 'tools/1', message: 'tool "x": no such element' })
    expect(fieldOfError(new ApiError(500, 'INTERNAL', 'boom'))).toBeNull()
    expect(fieldOfError(new Error('spec.tools.1: no details, not from the API'))).toBeNull()
  })
})

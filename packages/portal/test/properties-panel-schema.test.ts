// SchemaForm's reading of a handcrafted JSON Schema with every kind of field (which control each
// property gets), the defaults a new value starts with, error keys in the API's shapes, masked
// secrets left out of a save, and the conflict view's field diff — the pure parts, in Node.
import { describe, expect, it } from 'vitest'
import { defaultFor, type JsonSchema } from '../src/lib/schema-defaults.ts'
import { errorAt, kindOf, literalOptions, normaliseErrors } from '../src/lib/schema-form/schema-kinds.ts'
import { withoutMaskedSecrets } from '../src/lib/schema-form/secrets.ts'
import { branchName, branchOf, unionBranches } from '../src/lib/schema-form/union-branches.ts'
import { specDiff } from '../src/views/element/properties/spec-diff.ts'

const sealedSecret = {
  anyOf: [
    { type: 'string', minLength: 16 },
    { type: 'object', properties: { sealed: { type: 'string' } }, required: ['sealed'] },
  ],
}
const schema: JsonSchema = {
  type: 'object',
  required: ['title', 'count', 'mode'],
  properties: {
    title: { type: 'string', maxLength: 100 },
    body: { type: 'string', maxLength: 65_536 },
    notes: { type: 'string', maxLength: 200, description: 'One PEP 508 requirement per line' },
    ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    count: { type: 'integer', minimum: 1, default: 3 },
    on: { type: 'boolean', default: true },
    mode: {
      anyOf: [
        { const: 'a', type: 'string' },
        { const: 'b', type: 'string' },
      ],
    },
    level: { type: 'string', enum: ['low', 'high'] },
    nested: { type: 'object', required: ['x'], properties: { x: { type: 'integer' } } },
    tags: { type: 'array', items: { type: 'string', maxLength: 20 } },
    files: {
      type: 'object',
      patternProperties: { '^[a-z.]+$': { type: 'string' } },
      additionalProperties: false,
    },
    headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 50 } },
    password: { type: 'string', maxLength: 64 },
    token: { type: 'string', writeOnly: true },
    jwt_secret: sealedSecret,
    either: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    maybe: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 10 }] },
    anything: { description: 'Any JSON value.' },
  },
}
const props = schema.properties!

describe('SchemaForm schema reading', () => {
  it('gives every kind of property its control', () => {
    const kinds = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, kindOf(s, k)]))
    expect(kinds).toEqual({
      title: 'string',
      body: 'text',
      notes: 'text',
      ratio: 'number',
      count: 'integer',
      on: 'boolean',
      mode: 'enum',
      level: 'enum',
      nested: 'object',
      tags: 'array',
      files: 'map',
      headers: 'map',
      password: 'secret',
      token: 'secret',
      jwt_secret: 'secret',
      either: 'json',
      maybe: 'string',
      anything: 'json',
    })
    expect(kindOf(schema)).toBe('object')
    expect(literalOptions(props['mode']!)).toEqual(['a', 'b'])
    // A union of shapes gets a form picker, then the chosen branch's control.
    const either = unionBranches(props['either']!)!
    expect(either.map(branchName)).toEqual(['text', 'list of text'])
    expect(branchOf(either, ['x'])).toBe(1)
    expect(unionBranches(props['anything']!)).toBeUndefined()
  })

  it('starts new values from defaults, then the smallest valid-looking value', () => {
    expect(defaultFor(schema)).toEqual({ title: '', count: 3, on: true, mode: 'a' })
    expect(defaultFor(props['ratio'])).toBe(1)
    expect(defaultFor(props['nested'])).toEqual({ x: 0 })
    expect(defaultFor(props['maybe'])).toBeNull()
    expect(defaultFor(props['tags'])).toEqual([])
  })

  it('reads error keys in the API shape and as JSON pointers', () => {
    const errors = normaliseErrors({
      'spec.nested.x': 'must be an integer',
      '/tags/1': 'too long',
      title: 'is required',
    })
    expect(errorAt(errors, ['nested', 'x'])).toBe('must be an integer')
    expect(errorAt(errors, ['tags', '1'])).toBe('too long')
    expect(errorAt(errors, ['title'])).toBe('is required')
  })

  it('leaves masked secrets out of a save and keeps sealed ones', () => {
    const sealed = { sealed: 'k1.abc.def' }
    const out = withoutMaskedSecrets({ title: 't', jwt_secret: '********', token: sealed }, schema)
    expect(out).toEqual({ spec: { title: 't', token: sealed }, leftOut: ['/jwt_secret'] })
    const map: JsonSchema = {
      type: 'object',
      properties: { secrets: { type: 'object', patternProperties: { '^.+$': sealedSecret } } },
    }
    expect(withoutMaskedSecrets({ secrets: { a: '********', b: sealed } }, map).spec).toEqual({
      secrets: { b: sealed },
    })
  })

  it('diffs two specs field by field', () => {
    expect(
      specDiff({ rate: 7, per: 'key', n: { a: 1 } }, { rate: 9, per: 'key', n: { a: 2 }, extra: true }),
    ).toEqual([
      { field: 'extra', mine: '(not set)', theirs: 'true' },
      { field: 'n.a', mine: '1', theirs: '2' },
      { field: 'rate', mine: '7', theirs: '9' },
    ])
  })
})

// Runtime expressions (jq): values, variables, deep evaluation, conditions, errors that name
// the expression, the corrections to jqjs, and the budget that stops hostile programs.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${ … }` is the DSL's expression syntax, not a template mistake.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import type { Json } from '../storage/storage.ts'
import {
  checkExpression,
  ExpressionError,
  evaluate,
  evaluateAll,
  evaluateBoolean,
  evaluateDeep,
  isExpression,
  setExpressionLimits,
} from './expressions.ts'
import { instrumentedClasses } from './jq-budget.ts'
import { compileCacheSize, compileJq, runJq } from './jq-engine.ts'

function failure(fn: () => unknown): ExpressionError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ExpressionError) return err
    throw err
  }
  throw new Error('expected an ExpressionError')
}

describe('evaluate', () => {
  it('answers the typical DSL expressions', () => {
    expect(evaluate('${ .a.b }', { a: { b: 1 } }, {})).toBe(1)
    expect(evaluate('${ { file: .contract } }', { contract: 'c.pdf' }, {})).toEqual({ file: 'c.pdf' })
    expect(evaluate('${ .parse.total > 10000 }', { parse: { total: 12000 } }, {})).toBe(true)
    expect(evaluate('${ $line }', {}, { line: 'l1' })).toBe('l1')
    expect(evaluate('${ [.items[] | select(.x > 1)] }', { items: [{ x: 1 }, { x: 2 }] }, {})).toEqual([
      { x: 2 },
    ])
    expect(evaluate('${ "Executing \\($task.name)" }', {}, { task: { name: 't1' } })).toBe('Executing t1')
  })

  it('accepts a bare program as well as ${ … }', () => {
    expect(isExpression('${ .a }')).toBe(true)
    expect(isExpression('  ${.a}  ')).toBe(true)
    expect(isExpression('.a')).toBe(false)
    expect(evaluate('.a', { a: 2 }, {})).toBe(2)
  })

  it('gives null for no output and an array for several, in order', () => {
    expect(evaluate('${ empty }', {}, {})).toBeNull()
    expect(evaluate('${ .a, .b }', { a: 1, b: 2 }, {})).toEqual([1, 2])
    expect(evaluateAll('${ .[] }', [1, 2, 3], {})).toEqual([1, 2, 3])
  })

  it('binds the DSL variables and loop variables, and refuses one the scope lacks', () => {
    const scope = { input: { n: 1 }, context: { seen: 2 }, item: 'x', index: 0, custom: [1] }
    expect(evaluate('${ [$input.n, $context.seen, $item, $index, $custom[0]] }', null, scope)).toEqual([
      1,
      2,
      'x',
      0,
      1,
    ])
    const err = failure(() => evaluate('${ $secret.token }', {}, { input: {} }))
    expect(err.message).toBe('jq error in `${ $secret.token }`: $secret is not defined')
    expect(() => evaluate('${ $ENV }', {}, {})).toThrow(/\$ENV is not defined/)
  })

  it('keeps an outer variable visible after a binding shadows it', () => {
    expect(evaluate('${ (. as $input | 5), $input }', 1, { input: 2 })).toEqual([5, 2])
  })

  it('leaves the input untouched by assignments', () => {
    const data = { a: { b: 1 }, c: [1] }
    expect(evaluate('${ .a.b = 5 | .c += [2] | del(.a) }', data, {})).toEqual({ c: [1, 2] })
    expect(data).toEqual({ a: { b: 1 }, c: [1] })
  })

  it('gives JSON values (no undefined, NaN or holes)', () => {
    expect(evaluate('${ [min, max] }', [], {})).toEqual([null, null])
    expect(evaluate('${ .foo[2].bar = 1 }', { foo: [11] }, {})).toEqual({ foo: [11, null, { bar: 1 }] })
  })
})

describe('jq semantics jqjs gets wrong, corrected', () => {
  it('treats only false and null as false', () => {
    expect(evaluate('${ [.[] | if . then "t" else "f" end] }', [0, '', [], false, null], {})).toEqual([
      't',
      't',
      't',
      'f',
      'f',
    ])
    expect(evaluate('${ [.[] | not] }', [0, '', false, null], {})).toEqual([false, false, true, true])
    expect(evaluate('${ [.[] | .a // "d"] }', [{ a: 0 }, { a: false }, {}], {})).toEqual([0, 'd', 'd'])
  })

  it('compares nested values with != as the negation of ==', () => {
    expect(evaluate('${ [[1,[2]] != [1,[2]], {"a":{"b":1}} != {"a":{"b":2}}] }', null, {})).toEqual([
      false,
      true,
    ])
  })

  it('keeps null outputs under ? and takes every branch of a multi-output condition', () => {
    expect(evaluate('${ [.[] | .a?] }', [{ a: null }, { a: 1 }], {})).toEqual([null, 1])
    expect(evaluate('${ [if 1, null then 3 else 4 end] }', null, {})).toEqual([3, 4])
    expect(evaluate('${ [.[2:], .[:-1]] }', [1, 2, 3], {})).toEqual([[3], [1, 2]])
  })
})

describe('hostile keys and data', () => {
  const polluted = () => Object.keys(Object.prototype).filter((k) => k.startsWith('polluted'))

  it('cannot write into JavaScript prototypes through paths, whatever the key', () => {
    const data = JSON.parse('{"k": "__proto__", "c": "constructor", "a": {}, "__proto__": {"x": 1}}') as Json
    for (const expr of [
      '${ .__proto__.polluted1 = 1 }',
      '${ .constructor.prototype.polluted2 = 1 }',
      '${ .a.__proto__.polluted3 |= 1 }',
      '${ .[.k].polluted4 = 1 }',
      '${ .[.c].prototype.polluted5 = 1 }',
      '${ setpath(["constructor", "prototype", "polluted6"]; 1) }',
      '${ {} * . | .__proto__.polluted7 = 1 }',
    ]) {
      try {
        evaluate(expr, data, {})
      } catch (err) {
        expect(err).toBeInstanceOf(ExpressionError)
      }
    }
    expect(polluted()).toEqual([])
    expect(({} as Record<string, unknown>).polluted1).toBeUndefined()
  })

  it('reads only the data: JavaScript members are absent keys', () => {
    expect(evaluate('${ [.constructor, .__proto__, .toString, .hasOwnProperty] }', {}, {})).toEqual([
      null,
      null,
      null,
      null,
    ])
    expect(evaluate('${ .a.__proto__ }', JSON.parse('{"a": {"__proto__": {"x": 1}}}') as Json, {})).toEqual({
      x: 1,
    })
  })

  it('fails, as jq does, on indexing a scalar', () => {
    expect(() => evaluate('${ .a.b }', { a: 1 }, {})).toThrow('Cannot index number with string "b"')
    expect(evaluate('${ [.[] | .a?] }', [1, { a: 2 }], {})).toEqual([2])
  })

  it('merges with * without changing either side', () => {
    const data = { a: { b: 1 } }
    expect(evaluate('${ . * {"a": {"c": 2}} }', data, {})).toEqual({ a: { b: 1, c: 2 } })
    expect(data).toEqual({ a: { b: 1 } })
  })
})

describe('builtins and formats jqjs gets wrong, corrected', () => {
  it('keys, keys_unsorted and tonumber', () => {
    expect(evaluate('${ [.[] | keys] }', [{}, { b: 1, a: 2 }, [7, 8]], {})).toEqual([[], ['a', 'b'], [0, 1]])
    expect(evaluate('${ keys_unsorted }', { b: 1, a: 2 }, {})).toEqual(['b', 'a'])
    expect(evaluate('${ [.[] | tonumber] }', ['12', 3, '1.5e3'], {})).toEqual([12, 3, 1500])
    expect(() => evaluate('${ .a | tonumber }', { a: '12abc' }, {})).toThrow(/cannot be parsed as a number/)
  })

  it('@base64 and @base64d on UTF-8, @sh quoting the value', () => {
    expect(evaluate('${ @base64 }', 'héllo', {})).toBe('aMOpbGxv')
    expect(evaluate('${ @base64d }', 'aMOpbGxv', {})).toBe('héllo')
    expect(evaluate('${ @sh }', "it's", {})).toBe("'it'\\''s'")
    expect(evaluate('${ @sh "echo \\(.)" }', ['a b', 1], {})).toBe("echo 'a b' 1")
  })
})

describe('evaluateDeep', () => {
  it('evaluates the expression strings of objects and arrays and keeps everything else', () => {
    const value = {
      body: { name: '${ .user.name }', tags: ['${ .tags[0] }', 'plain'], n: 3, ok: true, none: null },
      '${ .key }': 'key stays as written',
      url: 'https://example.test/${ not an expression',
    }
    expect(evaluateDeep(value, { user: { name: 'ada' }, tags: ['t'] }, {})).toEqual({
      body: { name: 'ada', tags: ['t', 'plain'], n: 3, ok: true, none: null },
      '${ .key }': 'key stays as written',
      url: 'https://example.test/${ not an expression',
    })
  })
})

describe('evaluateBoolean', () => {
  it('takes true and false, null as false, and refuses other values', () => {
    expect(evaluateBoolean('${ .n > 1 }', { n: 2 }, {})).toBe(true)
    expect(evaluateBoolean('${ .missing }', {}, {})).toBe(false)
    const err = failure(() => evaluateBoolean('${ .status }', { status: 'done' }, {}))
    expect(err.message).toBe('jq error in `${ .status }`: a condition must yield a boolean, got string')
  })
})

describe('errors', () => {
  it('names the expression and where it breaks', () => {
    const err = failure(() => evaluate('${ .[ }', {}, {}))
    expect(err.expression).toBe('${ .[ }')
    expect(err.failure).toBe('syntax')
    expect(err.position).toBe(5) // just after `.[`, where the program ends
    expect(err.message).toMatch(/^jq error in `\$\{ \.\[ \}`: syntax error: /)
    expect(() => checkExpression('${ .a | }')).toThrow(/an operand or a pipe stage is missing/)
    expect(() => checkExpression('${ 1 +* 2 }')).toThrow(ExpressionError)
    expect(() => checkExpression('${ }')).toThrow(/empty expression/)
  })

  it('reports runtime errors with the expression text', () => {
    const err = failure(() => evaluate('${ .a | frobnicate }', { a: 1 }, {}))
    expect(err.failure).toBe('runtime')
    expect(err.message).toBe('jq error in `${ .a | frobnicate }`: no such function frobnicate/0')
    expect(() => evaluate('${ {} + 1 }', {}, {})).toThrow(
      /^jq error in `\$\{ \{\} \+ 1 \}`: .*cannot be added/,
    )
  })

  it('refuses def, which jqjs would store for every later expression', () => {
    const err = failure(() => evaluate('${ def length: 42; [1,2] | length }', null, {}))
    expect(err.failure).toBe('syntax')
    expect(err.position).toBe(3)
    expect(evaluate('${ [1,2] | length }', null, {})).toBe(2)
    expect(evaluate('${ "\\(1 + 2) def" }', null, {})).toBe('3 def')
    expect(evaluate('${ {def: 1}.def }', null, {})).toBe(1)
    expect(() => checkExpression('${ "\\(def f: 1; f)" }')).toThrow(/def/)
  })
})

describe('the budget', () => {
  afterEach(() => {
    setExpressionLimits({ maxSteps: 1_000_000, maxMillis: 500 })
  })

  const hostile = [
    '${ [range(1000000000000)] }',
    '${ last(range(1000000000000)) }',
    '${ reduce range(1000000000000) as $i (0; . + $i) }',
    '${ [range(1000000000000)]? }',
    '${ [while(true; .)] }',
    '${ [range(0; 10; -1)] }',
    '${ reduce range(60) as $i ([1]; . + .) | length }',
    '${ "x" * 1000000000 | length }',
    '${ reduce range(40) as $i (1; {a: ., b: .}) | [..] | length }',
    '${ reduce range(40) as $i (1; {a: ., b: .}) | tojson | length }',
    '${ reduce range(40) as $i (1; [., .]) as $x | $x == $x }',
  ]
  for (const expr of hostile) {
    it(`stops ${expr}`, () => {
      const err = failure(() => evaluate(expr, null, {}))
      expect(err.failure).toBe('limit')
      expect(err.message).toMatch(/exceeded (1,000,000 steps|500 ms)$/)
    })
  }

  it('is a setting, and a trip inside ? still fails the evaluation', () => {
    setExpressionLimits({ maxSteps: 1000 })
    expect(() => evaluate('${ [range(5000)] }', null, {})).toThrow(/exceeded 1,000 steps/)
    expect(() => evaluate('${ [(range(5000) | .)?] }', null, {})).toThrow(/exceeded 1,000 steps/)
    expect(evaluate('${ [range(100)] | length }', null, {})).toBe(100)
  })

  it('lets ordinary accumulation through', () => {
    setExpressionLimits({ maxMillis: 60_000 }) // steps decide here, not a loaded machine's clock
    expect(evaluate('${ reduce range(5000) as $i ([]; . + [$i]) | length }', null, {})).toBe(5000)
    expect(evaluate('${ [range(20000) | {a: .}] | length }', null, {})).toBe(20000)
  })

  it('spends few steps on the typical expressions', () => {
    const steps = (p: string, data: unknown, vars = {}) => runJq(compileJq(p), data, vars).steps
    expect(steps('.a.b', { a: { b: 1 } })).toBeLessThan(20)
    expect(steps('[.items[] | select(.x > 1)]', { items: [{ x: 1 }, { x: 2 }, { x: 3 }] })).toBeLessThan(100)
  })

  it('instruments every node class of jqjs', () => {
    // Classes with their own `apply` in jqjs's source; ParseNode's only throws and ValueYielder
    // (a function argument's value) yields one value.
    const source = readFileSync(createRequire(import.meta.url).resolve('@michaelhomer/jqjs'), 'utf8')
    const withApply = new Set<string>()
    let cls = ''
    for (const line of source.split('\n')) {
      const c = /^class (\w+)/.exec(line)
      if (c) cls = c[1] as string
      if (/^ {4}\*? ?apply\(/.test(line)) withApply.add(cls)
    }
    withApply.delete('ValueYielder')
    expect(withApply.size).toBeGreaterThan(20)
    for (const name of withApply) expect(instrumentedClasses(), name).toContain(name)
  })
})

describe('the compile cache', () => {
  it('compiles a program once for every scope', () => {
    evaluate('${ .cache_probe_1 }', {}, { a: 1 })
    const size = compileCacheSize()
    evaluate('${ .cache_probe_1 }', {}, { b: 2 })
    evaluate('${.cache_probe_1}', {}, {})
    expect(compileCacheSize()).toBe(size)
  })
})

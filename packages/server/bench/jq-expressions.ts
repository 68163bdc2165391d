// Runtime-expression speed: evals/s of the typical DSL expressions through `evaluate` (cache
// hit, metered, outputs made JSON), against bare jqjs on the same compiled tree (no budget),
// plus the cost of a cache miss (compile) and how long the hostile programs take to be stopped.
// Not a test: `npx tsx packages/server/bench/jq-expressions.ts [iterations]`.
import jq from '@michaelhomer/jqjs'
import type { Json } from '../src/storage/storage.ts'
import { evaluate } from '../src/workflows/expressions.ts'
import { compileUncached } from '../src/workflows/jq-engine.ts'

const N = Number(process.argv[2] ?? 100_000)

const cases: Array<{ expr: string; data: Json; scope: Record<string, Json> }> = [
  { expr: '.a.b', data: { a: { b: 1 } }, scope: {} },
  { expr: '{ file: .contract }', data: { contract: 'c.pdf' }, scope: {} },
  { expr: '.parse.total > 10000', data: { parse: { total: 12000 } }, scope: {} },
  { expr: '$line', data: {}, scope: { line: 'l1' } },
  { expr: '[.items[] | select(.x > 1)]', data: { items: [{ x: 1 }, { x: 2 }, { x: 3 }] }, scope: {} },
  {
    expr: '{ user: $input.user, n: ($context.rows | length) }',
    data: {},
    scope: { input: { user: 'ada' }, context: { rows: [1, 2, 3] } },
  },
]

function perSecond(fn: () => void, n: number): number {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn()
  const t = performance.now()
  for (let i = 0; i < n; i++) fn()
  return n / ((performance.now() - t) / 1000)
}

const fmt = (x: number) => Math.round(x).toLocaleString('en').padStart(11)

console.log(`${N} evaluations each (node ${process.version})\n`)
console.log(
  `${'expression'.padEnd(56)} ${'evaluate/s'.padStart(11)} ${'bare jqjs/s'.padStart(11)} ${'µs/eval'.padStart(8)} ${'compile µs'.padStart(10)}`,
)
for (const { expr, data, scope } of cases) {
  const wrapped = `\${ ${expr} }`
  const ours = perSecond(() => evaluate(wrapped, data, scope), N)
  const root = compileUncached(expr).root
  const bare = perSecond(() => {
    for (const _ of root.apply(data, { userFuncArgs: {}, variables: { ...scope } })) break
  }, N)
  const compile = 1e6 / perSecond(() => jq.compile(expr), Math.max(1, N / 10))
  console.log(
    `${expr.padEnd(56)} ${fmt(ours)} ${fmt(bare)} ${(1e6 / ours).toFixed(2).padStart(8)} ${compile.toFixed(1).padStart(10)}`,
  )
}

console.log('\nhostile programs (default budget: 1,000,000 steps, 500 ms):')
for (const expr of [
  '[range(1000000000000)]',
  'last(range(1000000000000))',
  '[while(true; .)]',
  'reduce range(60) as $i ([1]; . + .) | length',
  'reduce range(40) as $i (1; {a: ., b: .}) | [..] | length',
]) {
  const t = performance.now()
  let outcome = 'no error?!'
  try {
    evaluate(`\${ ${expr} }`, null, {})
  } catch (err) {
    outcome = (err as Error).message.replace(/^jq error in `.*`: /, '')
  }
  console.log(
    `  ${expr.padEnd(60)} stopped after ${(performance.now() - t).toFixed(0).padStart(4)} ms: ${outcome}`,
  )
}

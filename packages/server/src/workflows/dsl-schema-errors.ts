// Turns Ajv's raw error list (allErrors) for a DSL document into one readable problem per place.
// Ajv reports every failing branch of every oneOf/anyOf; a person wants the error of the branch
// they meant. Ajv appends a combinator's branch errors just before the combinator's own error,
// so for each combinator we look at that run and keep: the errors of a branch that got deeper
// into the value (it matched the shape, something inside is wrong), else the one branch whose
// type fits the value, else a single "must be A or B" summary built from the branch titles.
import type { ErrorObject } from 'ajv/dist/2020.js'

/** One problem in a definition: a JSON pointer, a readable message, the YAML line when known. */
export interface DefinitionProblem {
  path: string
  message: string
  line?: number
  /** For YAML/JSON syntax errors: the 1-based column. */
  column?: number
}

type Schema = Record<string, unknown>

const COMBINATORS = new Set(['oneOf', 'anyOf'])

function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

function typeFits(schemaType: unknown, value: unknown): boolean {
  if (schemaType === undefined) return true
  const types = Array.isArray(schemaType) ? schemaType : [schemaType]
  const t = jsonType(value)
  return types.some((s) => s === t || (s === 'number' && t === 'integer'))
}

const REF_WORDS: Record<string, string> = {
  runtimeExpression: 'a runtime expression (${ … })',
  uriTemplate: 'a URI or URI template',
  duration: 'a duration',
  authenticationPolicy: 'an authentication policy',
  eventConsumptionStrategy: 'an event consumption strategy (all, any or one)',
  externalResource: 'an external resource',
}

const TITLE_WORDS: Record<string, string> = {
  TimeoutDefinition: 'a timeout ({ after: … })',
  TaskTimeoutDefinition: 'a timeout ({ after: … })',
  TimeoutReference: 'the name of a timeout in use.timeouts',
  TaskTimeoutReference: 'the name of a timeout in use.timeouts',
  RaiseErrorDefinition: 'an error ({ type, status, … })',
  RaiseErrorReference: 'the name of an error in use.errors',
  RetryPolicyDefinition: 'a retry policy',
  RetryPolicyReference: 'the name of a retry policy in use.retries',
  FlowDirectiveEnum: 'continue, exit, end',
  FlowDirectiveTaskName: 'the name of a task',
  DurationInline: 'a duration object ({ seconds: 30 })',
  DurationExpression: 'an ISO 8601 duration (PT30S)',
  LiteralUriTemplate: 'a URI template',
  LiteralUri: 'a URI',
  EndpointConfiguration: 'an endpoint object ({ uri, authentication })',
  LiteralErrorInstance: 'a JSON pointer',
  LiteralTime: 'a date-time',
  AnyEventUntilCondition: 'a runtime expression',
  AnyEventUntilConsumed: 'an event consumption strategy',
}

function words(title: string): string {
  return title
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\bU R I\b/g, 'URI')
    .toLowerCase()
}

/** How a person would name what one oneOf/anyOf branch accepts. */
function describeBranch(b: unknown): string {
  if (b === null || typeof b !== 'object') return 'a value'
  const s = b as Schema
  const titled = typeof s.title === 'string' ? TITLE_WORDS[s.title] : undefined
  if (titled) return titled
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop() ?? ''
    return REF_WORDS[name] ?? words(name)
  }
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`
  if (s.type === 'object') return s.title ? `an object (${words(String(s.title))})` : 'an object'
  if (s.type === 'string' && s.format) return `a string in ${String(s.format)} format`
  if (typeof s.type === 'string') return s.type === 'integer' ? 'an integer' : `a ${s.type}`
  if (typeof s.title === 'string') return words(s.title)
  return 'a value'
}

function summary(branches: unknown): string {
  const names = Array.isArray(branches) ? [...new Set(branches.map(describeBranch))] : []
  if (names.length === 0) return 'does not match the expected shape'
  if (names.length === 1) return `must be ${names[0]}`
  return `must be ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
}

function under(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`)
}

/** Removes the noise of branches that do not apply; rewrites combinator errors in place. */
function collapseCombinators(all: ErrorObject[]): ErrorObject[] {
  const errs: Array<ErrorObject | null> = all.filter((e) => e.keyword !== 'if')
  for (let i = 0; i < errs.length; i++) {
    const c = errs[i]
    if (!c || !COMBINATORS.has(c.keyword)) continue
    const base = c.instancePath
    const run: number[] = []
    for (let j = i - 1; j >= 0; j--) {
      const e = errs[j]
      if (e === null) continue
      if (e === undefined || !under(e.instancePath, base)) break
      run.push(j)
    }
    const deeper = run.filter((j) => errs[j]?.instancePath !== base)
    const drop = (js: number[]) => {
      for (const j of js) errs[j] = null
    }
    const sameLevel = run.filter((j) => errs[j]?.instancePath === base)
    if (deeper.length > 0) {
      drop(sameLevel)
      errs[i] = null
      continue
    }
    const fitting = sameLevel.filter((j) => {
      const e = errs[j]
      if (!e || e.keyword === 'type') return false
      if (COMBINATORS.has(e.keyword)) return true
      if (e.keyword === 'summary') return !(e.params as { typeOnly?: boolean }).typeOnly
      return typeFits((e.parentSchema as Schema | undefined)?.type, c.data)
    })
    drop(sameLevel.filter((j) => !fitting.includes(j)))
    // For a scalar, a nested summary may have swallowed sibling branches: summarise here instead.
    const scalar = c.data === null || typeof c.data !== 'object'
    const only = fitting.length === 1 ? errs[fitting[0] ?? -1] : undefined
    if (only && !(scalar && only.keyword === 'summary')) {
      errs[i] = null
      continue
    }
    drop(fitting)
    const typeOnly = fitting.length === 0
    errs[i] = { ...c, keyword: 'summary', message: summary(c.schema), params: { typeOnly } }
  }
  return errs.filter((e): e is ErrorObject => e !== null)
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

function message(e: ErrorObject): { path: string; message: string } {
  const p = e.params as Record<string, unknown>
  const path = e.instancePath || '/'
  switch (e.keyword) {
    case 'required':
      return { path, message: `missing required property '${String(p.missingProperty)}'` }
    case 'unevaluatedProperties':
    case 'additionalProperties': {
      const prop = String(p.unevaluatedProperty ?? p.additionalProperty)
      return { path: `${e.instancePath}/${escapeSegment(prop)}`, message: `unknown property '${prop}'` }
    }
    case 'enum':
      return { path, message: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}` }
    case 'minProperties':
    case 'minItems':
      return p.limit === 1 ? { path, message: 'must not be empty' } : { path, message: e.message ?? '' }
    case 'type': {
      const quote = p.type === 'string' && typeof e.data === 'number'
      const hint = quote ? ' (YAML reads it as a number: quote it)' : ''
      return { path, message: `must be ${describeBranch({ type: p.type })}${hint}` }
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify(p.allowedValue)}` }
    case 'pattern':
      return /\\\$\\\{/.test(String(p.pattern))
        ? { path, message: 'must be a runtime expression: ${ … }' }
        : { path, message: `must match the pattern ${String(p.pattern)}` }
    default:
      return { path, message: e.message ?? 'is invalid' }
  }
}

/** The problems Ajv found, one per (path, message), branch noise removed. */
export function explainSchemaErrors(errors: ErrorObject[]): DefinitionProblem[] {
  const kept = collapseCombinators(errors)
  // A property reported as unknown only because its own value failed a branch is not unknown.
  const failingPaths = kept.filter((e) => e.keyword !== 'unevaluatedProperties')
  const selectors = kept.filter((e) => e.keyword === 'x-oneKeyOf')
  const problems: DefinitionProblem[] = []
  const seen = new Set<string>()
  for (const e of kept) {
    if (e.keyword === 'unevaluatedProperties') {
      const prop = String((e.params as Record<string, unknown>).unevaluatedProperty)
      const propPath = `${e.instancePath}/${escapeSegment(prop)}`
      if (failingPaths.some((f) => under(f.instancePath, propPath))) continue
      const present = (s: ErrorObject) => (s.params as { present?: string[] }).present ?? []
      if (selectors.some((s) => s.instancePath === e.instancePath && present(s).includes(prop))) continue
    }
    const m = message(e)
    const key = `${m.path}\n${m.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(m)
  }
  return problems
}

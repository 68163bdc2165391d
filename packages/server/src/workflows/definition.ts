// A workflow definition: the YAML or JSON text a user wrote (stored as written, comments kept),
// parsed and checked here on every write. Order of checks: size, YAML/JSON syntax (line and
// column), shape limits, unsupported DSL features (refused by name), then the DSL 1.0 schema and
// the cross-references the schema cannot express — every problem reported, each with its JSON
// pointer and, when it can be mapped, its line in the text.
import YAML, { LineCounter } from 'yaml'
import { PlatformError } from '../errors.ts'
import type { JsonObject } from '../storage/storage.ts'
import { type FeatureProblem, unsupportedFeatures } from './dsl-features.ts'
import { flowDepth, limitBreach, WORKFLOW_DEFINITION_LIMITS } from './dsl-limits.ts'
import { lineOf } from './dsl-positions.ts'
import { referenceProblems } from './dsl-references.ts'
import { schemaErrors } from './dsl-schema.ts'
import { type DefinitionProblem, explainSchemaErrors } from './dsl-schema-errors.ts'
import { isObject } from './dsl-tasks.ts'
import { checkExpression, isExpression } from './expressions.ts'
import { WORKFLOW } from './workflow-errors.ts'

export { type AuthenticationPolicy, authenticationOf, callAuthentication } from './dsl-auth.ts'
export { AUTH_SCHEMES, type FeatureProblem, SCRIPT_LANGUAGES } from './dsl-features.ts'
export { WORKFLOW_DEFINITION_LIMITS } from './dsl-limits.ts'
export { DSL_VERSION, PERIODIC_CALL } from './dsl-references.ts'
export {
  durationMs,
  type EventStrategy,
  eventStrategyOf,
  scheduleOf,
  toEngineCron,
  type WorkflowSchedule,
} from './dsl-schedule.ts'
export {
  childLists,
  forConcurrency,
  TASK_KINDS,
  type TaskEntry,
  type TaskKind,
  type TaskVisit,
  taskEntries,
  taskKind,
  walkTasks,
} from './dsl-tasks.ts'
export type { DefinitionProblem }

/** A parsed, validated DSL document (its JSON form). */
export type WorkflowDocument = JsonObject & {
  document: { dsl: string; namespace: string; name: string; version: string } & JsonObject
  do: Array<Record<string, JsonObject>>
}

function summarise(what: string, problems: Array<{ path: string; message: string }>): string {
  const first = problems[0]
  if (!first) return what
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  return `${what} at ${first.path}: ${first.message}${more}`
}

/** details.errors, capped: a hostile text must not turn into a megabyte of problems. */
function capped<T>(errors: T[]): { errors: T[]; total?: number } {
  const max = WORKFLOW_DEFINITION_LIMITS.maxReportedProblems
  return errors.length > max ? { errors: errors.slice(0, max), total: errors.length } : { errors }
}

function invalid(errors: DefinitionProblem[]): PlatformError {
  return new PlatformError(
    WORKFLOW.WORKFLOW_DEFINITION_INVALID,
    summarise('Invalid workflow definition', errors),
    capped(errors),
  )
}

function unsupported(errors: FeatureProblem[]): PlatformError {
  const names = [...new Set(errors.map((e) => e.feature))].join(', ')
  return new PlatformError(
    WORKFLOW.WORKFLOW_FEATURE_UNSUPPORTED,
    `The workflow uses DSL features Periodic does not run: ${names} (first at ${errors[0]?.path})`,
    capped(errors),
  )
}

function tooLarge(limit: string, max: number, actual: number, path: string, message: string) {
  return new PlatformError(WORKFLOW.WORKFLOW_DEFINITION_TOO_LARGE, message, {
    limit,
    max,
    actual,
    errors: [{ path, message }],
  })
}

function tooDeep(): PlatformError {
  const max = WORKFLOW_DEFINITION_LIMITS.maxValueDepth
  return tooLarge('maxValueDepth', max, max + 1, '/', `values nest deeper than ${max} levels`)
}

/** Parses YAML or JSON (JSON is YAML 1.2); syntax errors carry line and column. */
function parseText(text: string): { value: unknown; doc: YAML.Document; lines: LineCounter } {
  const lines = new LineCounter()
  let doc: YAML.Document
  try {
    doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  } catch (err) {
    // The parser recurses on nesting; a hostile text can exhaust the stack before any limit.
    if (err instanceof RangeError) throw tooDeep()
    throw err
  }
  const syntax = [...doc.errors]
  // The parser turns its own stack overflow (very deep block nesting) into a syntax error.
  if (syntax.some((e) => e.message.includes('call stack'))) throw tooDeep()
  if (syntax.length > 0)
    throw invalid(
      syntax.map((e) => {
        const { line, col: column } = lines.linePos(e.pos[0])
        const message = `${e.message.split('\n')[0]} (line ${line}, column ${column})`
        return { path: '/', message, line, column }
      }),
    )
  try {
    return { value: doc.toJS({ maxAliasCount: WORKFLOW_DEFINITION_LIMITS.maxAliases }), doc, lines }
  } catch (err) {
    throw invalid([{ path: '/', message: err instanceof Error ? err.message : String(err) }])
  }
}

/**
 * Parses and validates `text`. Throws WORKFLOW_DEFINITION_INVALID (details.errors: [{path,
 * message, line?}]), WORKFLOW_FEATURE_UNSUPPORTED (details.errors: [{path, feature, message,
 * line?}]) or WORKFLOW_DEFINITION_TOO_LARGE (details: {limit, max, actual, errors}).
 */
export function parseDefinition(text: string): WorkflowDocument {
  if (typeof text !== 'string')
    throw invalid([{ path: '/', message: 'the definition must be YAML or JSON text' }])
  const L = WORKFLOW_DEFINITION_LIMITS
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > L.maxBytes)
    throw tooLarge(
      'maxBytes',
      L.maxBytes,
      bytes,
      '/',
      `the definition is ${bytes} bytes; at most ${L.maxBytes} are allowed`,
    )
  if (flowDepth(text, 2 * L.maxValueDepth) > 2 * L.maxValueDepth)
    throw tooLarge(
      'maxValueDepth',
      L.maxValueDepth,
      2 * L.maxValueDepth + 1,
      '/',
      `brackets nest deeper than ${L.maxValueDepth} levels`,
    )
  const { value, doc, lines } = parseText(text)
  if (value === null || value === undefined)
    throw invalid([{ path: '/', message: 'the definition is empty' }])
  if (!isObject(value))
    throw invalid([
      {
        path: '/',
        message: `a workflow definition is a mapping with document and do, not ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
        line: 1,
      },
    ])
  const breach = limitBreach(value)
  if (breach) throw tooLarge(breach.limit, breach.max, breach.actual, breach.path, breach.message)
  const withLine = <T extends { path: string }>(p: T): T & { line?: number } => {
    const line = lineOf(doc, lines, p.path)
    return line === undefined ? p : { ...p, line }
  }
  const features = unsupportedFeatures(value)
  if (features.length > 0) throw unsupported(features.map(withLine))
  const problems: DefinitionProblem[] = []
  const seen = new Set<string>()
  for (const p of [
    ...explainSchemaErrors(schemaErrors(value)),
    ...referenceProblems(value),
    ...expressionProblems(value, ''),
  ]) {
    const key = `${p.path}\n${p.message}`
    if (!seen.has(key)) {
      seen.add(key)
      problems.push(withLine(p))
    }
  }
  // In the order they appear in the text (problems without a line last), the walk order within.
  const byLine = problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i)
    .map((x) => x.p)
  if (byLine.length > 0) throw invalid(byLine)
  return value as WorkflowDocument
}

/** Every `${ … }` that does not compile, with its path (a jq syntax error is refused on write). */
function expressionProblems(
  value: unknown,
  path: string,
  out: DefinitionProblem[] = [],
): DefinitionProblem[] {
  if (out.length >= 100) return out
  if (typeof value === 'string') {
    if (isExpression(value))
      try {
        checkExpression(value)
      } catch (err) {
        out.push({ path: path || '/', message: err instanceof Error ? err.message : String(err) })
      }
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) expressionProblems(v, `${path}/${i}`, out)
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      expressionProblems(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out)
  return out
}

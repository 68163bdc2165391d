// A python element's pip requirements in any of the forms the spec takes — a list, a
// {name: version} map, or text with one requirement per line (`#` comments and blank lines
// ignored) — turned into one list, and each requirement checked against PEP 508 when the spec
// is written (a typo is a 400 naming its line, not a failed build at the first invoke).
import { validationError } from '../../errors.ts'
import type { JsonObject } from '../../storage/storage.ts'

export const MAX_REQUIREMENTS = 200
const MAX_LINE = 256

/** One requirement and where the caller wrote it (line numbers count from 1). */
export interface RequirementEntry {
  field: string
  line: number
  text: string
  /** The map form's key and version, checked apart ("latest" is no version). */
  name?: string
  version?: string
}

/** The map form's keys (the schema's pattern; the version is the value). */
export const REQUIREMENT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._\\[\\],-]{0,127}$'

type Requirements = string | string[] | Record<string, string> | undefined

/** A {name: version} entry as pip reads it: "*" or "" is any version, a bare number pins it. */
function fromMapEntry(name: string, v: string): string {
  const version = v.trim()
  if (version === '' || version === '*') return name
  return /^[0-9]/.test(version) ? `${name}==${version}` : `${name}${version}`
}

/** The requirements of one spec field, in order, each with its line (text) or item number. */
export function requirementEntries(field: string, value: Requirements): RequirementEntry[] {
  if (value === undefined) return []
  if (typeof value === 'string')
    return value.split(/\r?\n/).flatMap((raw, i) => {
      // A comment is a whole line starting with # or " #…" after a requirement (pip's rule: a
      // URL's #fragment has no space before it).
      const text = raw.replace(/(^|\s)#.*$/, '').trim()
      return text ? [{ field, line: i + 1, text }] : []
    })
  if (Array.isArray(value))
    return value.flatMap((r, i) => (r.trim() ? [{ field, line: i + 1, text: r.trim() }] : []))
  return Object.entries(value).map(([name, v], i) => ({
    field,
    line: i + 1,
    text: fromMapEntry(name, v),
    name,
    version: v.trim(),
  }))
}

/** Both requirement fields of a spec, deduplicated and sorted (the layer's key depends on it). */
export function requirementsOfSpec(spec: {
  source: { requirements?: Requirements }
  requirements?: Requirements
}): string[] {
  const all = [
    ...requirementEntries('source.requirements', spec.source.requirements),
    ...requirementEntries('requirements', spec.requirements),
  ]
  return [...new Set(all.map((e) => e.text))].sort()
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/
const EXTRAS =
  /^\[\s*(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:,\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*)*)?\]/
const VERSION_ONE = String.raw`(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9_.*+!-]+`
const VERSIONS = new RegExp(
  String.raw`^(?:\(\s*${VERSION_ONE}(?:\s*,\s*${VERSION_ONE})*\s*\)|${VERSION_ONE}(?:\s*,\s*${VERSION_ONE})*)`,
)
const MAP_VERSION = new RegExp(
  String.raw`^(?:\*?|[0-9][A-Za-z0-9_.*+!-]*|${VERSION_ONE}(?:\s*,\s*${VERSION_ONE})*)$`,
)
const URL = /^@\s*[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+/
const MARKER_VARS = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
])

/** Why `text` is not a PEP 508 requirement, or null when it is one. */
export function pep508Problem(text: string): string | null {
  if (text.startsWith('-')) return 'pip options (-r, -e, --index-url, …) are not requirements'
  const name = NAME.exec(text)
  if (!name) return 'a requirement starts with a package name (letters, digits, ".", "_", "-")'
  let rest = text.slice(name[0].length).trimStart()
  const extras = EXTRAS.exec(rest)
  if (rest.startsWith('[') && !extras) return 'malformed extras, e.g. name[extra1,extra2]'
  if (extras) rest = rest.slice(extras[0].length).trimStart()
  if (rest.startsWith('@')) {
    const url = URL.exec(rest)
    if (!url) return 'a direct reference is "name @ scheme://…"'
    rest = rest.slice(url[0].length)
    // PEP 508: whitespace separates a URL from its marker.
    if (rest !== '' && !/^\s+;/.test(rest)) return 'a URL must be followed by " ; marker" or nothing'
    rest = rest.trimStart()
  } else {
    const versions = VERSIONS.exec(rest)
    if (versions) rest = rest.slice(versions[0].length).trimStart()
  }
  if (rest === '') return null
  if (!rest.startsWith(';'))
    return `unexpected "${rest.slice(0, 40)}" (a version is written with an operator, e.g. ==1.0 or >=2)`
  return markerProblem(rest.slice(1).trim())
}

/** Checks an environment marker: comparisons of marker variables and quoted strings, and/or, (). */
function markerProblem(marker: string): string | null {
  const tokens = marker.match(/\s*("[^"]*"|'[^']*'|\(|\)|===|~=|==|!=|<=|>=|<|>|[A-Za-z_][A-Za-z0-9_]*|\S)/g)
  if (!tokens || tokens.join('').trim() !== marker) return 'malformed environment marker'
  const t = tokens.map((x) => x.trim())
  let i = 0
  const operand = () => {
    const x = t[i++]
    return x !== undefined && (MARKER_VARS.has(x) || /^(["']).*\1$/.test(x))
  }
  const op = () => {
    const x = t[i++]
    if (x === 'not' && t[i] === 'in') {
      i++
      return true
    }
    return x !== undefined && ['===', '~=', '==', '!=', '<=', '>=', '<', '>', 'in'].includes(x)
  }
  const expr = (): boolean => {
    for (;;) {
      if (t[i] === '(') {
        i++
        if (!expr() || t[i++] !== ')') return false
      } else if (!(operand() && op() && operand())) return false
      if (t[i] !== 'and' && t[i] !== 'or') return true
      i++
    }
  }
  return expr() && i === t.length ? null : 'malformed environment marker (e.g. python_version >= "3.8")'
}

/**
 * Refuses a spec whose requirements are not all PEP 508 requirements (VALIDATION_FAILED naming the
 * field, the line and its text). Values of the wrong type are left to the schema.
 */
export function assertValidRequirements(spec: JsonObject): void {
  const source = spec['source']
  const fields: Array<[string, unknown]> = [
    [
      'source.requirements',
      source && typeof source === 'object' ? (source as JsonObject)['requirements'] : undefined,
    ],
    ['requirements', spec['requirements']],
  ]
  let count = 0
  for (const [field, value] of fields) {
    if (!isRequirements(value)) continue
    for (const e of requirementEntries(field, value)) {
      const where = typeof value === 'string' ? 'line' : Array.isArray(value) ? 'item' : 'entry'
      // A map key the schema refuses is the schema's to report.
      if (e.name !== undefined && !new RegExp(REQUIREMENT_NAME_PATTERN).test(e.name)) continue
      const problem =
        e.text.length > MAX_LINE
          ? `longer than ${MAX_LINE} characters`
          : e.version !== undefined && !MAP_VERSION.test(e.version)
            ? 'the version is "*", a version number (1.2) or specifiers (>=2.31,<3)'
            : pep508Problem(e.text)
      if (problem)
        throw validationError(
          `spec.${field}`,
          `${where} ${e.line} "${e.text.slice(0, 80)}" is not a valid requirement: ${problem}`,
          { line: e.line, text: e.text.slice(0, MAX_LINE), rule: 'pep508' },
        )
      count++
    }
  }
  if (count > MAX_REQUIREMENTS)
    throw validationError(
      'spec.source.requirements',
      `at most ${MAX_REQUIREMENTS} requirements, got ${count}`,
    )
}

function isRequirements(v: unknown): v is Requirements {
  if (typeof v === 'string') return true
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string')
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string')
}

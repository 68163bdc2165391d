// MCP tool names for element operations (docs/mcp.md). MCP names are at most 64 characters of
// [a-zA-Z0-9_-]. Slugs are [a-z0-9-] (never `_`), so `__` can only be a path separator:
//   <slug>__<slug>__<op>   a type's own operation of the element at that path (acme/web/hello
//                          → web__hello__invoke); always contains `__`
//   element_<op>           a generic operation (get, update, readme, …): one tool for every
//                          element, the element named by its `element` argument
//   circle_<op>            the circle's own operations (types, stats, api_keys, …)
// A name over 64 characters keeps its first 55 and gets `_` + 8 hex of its SHA-256: the catalogue
// (tool-catalogue.ts) maps it back.
import { createHash } from 'node:crypto'

export const MAX_TOOL_NAME = 64
const VALID = /^[a-zA-Z0-9_-]{1,64}$/

/** An operation name as a name part: characters MCP refuses become `_`. */
function part(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_')
}

function fit(name: string): string {
  if (name.length <= MAX_TOOL_NAME) return name
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8)
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`
}

/** The tool of a type's own operation on the element at `segments` (below the circle). */
export function elementToolName(segments: string[], op: string): string {
  return fit([...segments, part(op)].join('__'))
}

export function genericToolName(op: string): string {
  return fit(`element_${part(op)}`)
}

export function circleToolName(op: string): string {
  return fit(`circle_${part(op)}`)
}

/** A taken name made unique: its first 55 characters, `_`, 8 hex of a hash of it and `salt`. */
export function disambiguated(name: string, salt: number): string {
  const hash = createHash('sha256').update(`${name}#${salt}`).digest('hex').slice(0, 8)
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`
}

export function isValidToolName(name: string): boolean {
  return VALID.test(name)
}

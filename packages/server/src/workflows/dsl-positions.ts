// Maps a JSON pointer in a parsed definition back to the line of the YAML (or JSON) text it came
// from, so a problem can say "line 14" as well as "/do/2/review".
import { type Document, isAlias, isMap, isSeq, type LineCounter, type Node } from 'yaml'

function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~')
}

/** The 1-based line of the node at `path`, or of its nearest ancestor that exists. */
export function lineOf(doc: Document, lines: LineCounter, path: string): number | undefined {
  let node: unknown = doc.contents
  let line = lineAt(node, lines)
  if (path === '/' || path === '') return line
  for (const raw of path.split('/').slice(1)) {
    if (isAlias(node)) node = node.resolve(doc)
    const seg = unescapeSegment(raw)
    let next: unknown
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as { value?: unknown } | null
        return k !== null && typeof k === 'object' && String(k.value) === seg
      })
      // A missing value (`key:`) still has its key's line.
      next = pair ? (pair.value ?? pair.key) : undefined
    } else if (isSeq(node)) next = node.items[Number(seg)]
    if (next === undefined || next === null) return line
    node = next
    line = lineAt(node, lines) ?? line
  }
  return line
}

function lineAt(node: unknown, lines: LineCounter): number | undefined {
  const range = (node as Node | null)?.range
  if (!range) return undefined
  return lines.linePos(range[0]).line
}

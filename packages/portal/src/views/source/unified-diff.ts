// A line diff of two texts as unified-diff hunks (3 lines of context): the common head and tail
// are trimmed first, the middle is an LCS table — fine for definition files; a middle too large
// for the table is shown as all removed then all added.
export interface DiffLine {
  kind: ' ' | '-' | '+'
  text: string
}

export interface Hunk {
  header: string
  lines: DiffLine[]
}

const MAX_CELLS = 4_000_000
const CONTEXT = 3

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** Every line of `a` and `b` in order, each kept, removed or added. */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = splitLines(a)
  const y = splitLines(b)
  let head = 0
  while (head < x.length && head < y.length && x[head] === y[head]) head++
  let tail = 0
  while (
    tail < x.length - head &&
    tail < y.length - head &&
    x[x.length - 1 - tail] === y[y.length - 1 - tail]
  )
    tail++
  const xm = x.slice(head, x.length - tail)
  const ym = y.slice(head, y.length - tail)
  const out: DiffLine[] = x.slice(0, head).map((text) => ({ kind: ' ', text }))
  if ((xm.length + 1) * (ym.length + 1) > MAX_CELLS) {
    for (const text of xm) out.push({ kind: '-', text })
    for (const text of ym) out.push({ kind: '+', text })
  } else {
    const n = xm.length
    const m = ym.length
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i]![j] = xm[i] === ym[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    let i = 0
    let j = 0
    while (i < n || j < m) {
      if (i < n && j < m && xm[i] === ym[j]) {
        out.push({ kind: ' ', text: xm[i]! })
        i++
        j++
      } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
        out.push({ kind: '-', text: xm[i++]! })
      else out.push({ kind: '+', text: ym[j++]! })
    }
  }
  for (const text of x.slice(x.length - tail)) out.push({ kind: ' ', text })
  return out
}

/** The changed lines with their context, grouped into `@@ -a,n +b,m @@` hunks; [] when equal. */
export function unifiedHunks(a: string, b: string): Hunk[] {
  const lines = diffLines(a, b)
  const hunks: Hunk[] = []
  const changed = lines.map((l, i) => (l.kind === ' ' ? -1 : i)).filter((i) => i >= 0)
  let k = 0
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - CONTEXT)
    let end = changed[k]!
    while (k < changed.length && changed[k]! - end <= 2 * CONTEXT) end = changed[k++]!
    const stop = Math.min(lines.length, end + CONTEXT + 1)
    let oldLine = 1
    let newLine = 1
    for (const l of lines.slice(0, start)) {
      if (l.kind !== '+') oldLine++
      if (l.kind !== '-') newLine++
    }
    const slice = lines.slice(start, stop)
    const oldCount = slice.filter((l) => l.kind !== '+').length
    const newCount = slice.filter((l) => l.kind !== '-').length
    hunks.push({
      header: `@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@`,
      lines: slice,
    })
  }
  return hunks
}

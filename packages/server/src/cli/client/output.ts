// How client commands print: aligned tables for people, JSON (--json) for scripts.

export type Cell = string | number | boolean | null | undefined

export function formatTable(rows: Array<Record<string, Cell>>, columns: string[]): string {
  if (rows.length === 0) return '(none)\n'
  const text = (v: Cell) => (v === null || v === undefined ? '' : String(v).replace(/\s+/g, ' '))
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => Math.min(60, text(r[c]).length))))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c.length > 60 ? `${c.slice(0, 59)}…` : c).padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return `${[line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => text(r[c]))))].join('\n')}\n`
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** `key: value` lines for one record, nested values as compact JSON. */
export function formatRecord(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length))
  return `${Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) =>
        `${k.padEnd(width)}  ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
    )
    .join('\n')}\n`
}

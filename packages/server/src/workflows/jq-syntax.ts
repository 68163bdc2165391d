// Checks on a jq program's text made BEFORE jqjs parses it. jqjs stores every `def` in its one
// process-wide builtin table while parsing (so `def length: 42; .` would change `length` for
// every later expression of every workflow): programs that define functions are refused here,
// before the parser can see them.

/** Offset of the first `def` keyword in `program` (outside strings and comments), or -1. */
export function findFunctionDefinition(program: string): number {
  // Modes: code (with its parenthesis depth, for `\( … )` inside strings) or string.
  const stack: Array<{ mode: 'code'; depth: number } | { mode: 'string' }> = [{ mode: 'code', depth: 0 }]
  let i = 0
  while (i < program.length) {
    const top = stack[stack.length - 1] as (typeof stack)[number]
    const c = program[i] as string
    if (top.mode === 'string') {
      if (c === '\\') {
        if (program[i + 1] === '(') {
          stack.push({ mode: 'code', depth: 0 })
        }
        i += 2
        continue
      }
      if (c === '"') stack.pop()
      i++
      continue
    }
    if (c === '#') {
      while (i < program.length && program[i] !== '\n') i++
      continue
    }
    if (c === '"') {
      stack.push({ mode: 'string' })
      i++
      continue
    }
    if (c === '(') top.depth++
    if (c === ')') {
      if (top.depth === 0 && stack.length > 1) stack.pop()
      else top.depth--
    }
    if (/[A-Za-z_]/.test(c)) {
      const start = i
      while (i < program.length && /[A-Za-z0-9_:]/.test(program[i] as string)) i++
      if (program.slice(start, i) === 'def' && isKeyword(program, start, i)) return start
      continue
    }
    i++
  }
  return -1
}

// `def` is the keyword unless it is a field (`.def`), a variable (`$def`), a format (`@def`) or an
// object key (`{def: 1}`).
function isKeyword(program: string, start: number, end: number): boolean {
  let p = start - 1
  while (p >= 0 && /\s/.test(program[p] as string)) p--
  if (p >= 0 && '.$@'.includes(program[p] as string)) return false
  let n = end
  while (n < program.length && /\s/.test(program[n] as string)) n++
  return program[n] !== ':'
}

/** 0-based offset in `program` of a jqjs location `line:column` (both 1-based). */
export function offsetOf(program: string, line: number, column: number): number {
  let offset = 0
  for (let l = 1; l < line; l++) {
    const nl = program.indexOf('\n', offset)
    if (nl < 0) break
    offset = nl + 1
  }
  return Math.min(offset + column - 1, program.length)
}

// Reads jq's conformance-test format (tests/jq.test): a program line, an input line, the
// expected outputs one per line, a blank line; `%%FAIL` blocks hold a program that must not
// compile and the error it gives. Lines starting with `#` between cases are comments.

export interface JqTestCase {
  /** 1-based line of the program in the file. */
  line: number
  program: string
  /** `fail`: the program must be refused at compile time (input and expected are empty). */
  kind: 'run' | 'fail'
  input: string
  expected: string[]
}

export function parseJqTests(text: string): JqTestCase[] {
  const lines = text.split('\n')
  const cases: JqTestCase[] = []
  let i = 0
  const blank = (l: string | undefined) => l === undefined || l.trim() === ''
  while (i < lines.length) {
    const l = lines[i] as string
    if (blank(l) || l.startsWith('#')) {
      i++
      continue
    }
    if (l.startsWith('%%FAIL')) {
      const program = lines[i + 1] ?? ''
      cases.push({ line: i + 2, program, kind: 'fail', input: '', expected: [] })
      i += 2
      while (!blank(lines[i])) i++
      continue
    }
    const program = l
    const line = i + 1
    const input = lines[i + 1] ?? ''
    i += 2
    const expected: string[] = []
    while (!blank(lines[i])) {
      expected.push(lines[i] as string)
      i++
    }
    cases.push({ line, program, kind: 'run', input, expected })
  }
  return cases
}

// Reading pytest's text output (the `test` operation runs `pytest -q -rA`): one result per
// test from the short summary (PASSED / FAILED / ERROR / SKIPPED / XFAIL / XPASS lines), with
// the failure section pytest printed for it, if any.
export interface TestCaseResult {
  /** e.g. `test_main.py::test_adds` */
  id: string
  /** The test's own name, e.g. `test_adds`. */
  name: string
  outcome: 'passed' | 'failed' | 'error' | 'skipped' | 'xfailed' | 'xpassed'
  /** The reason pytest gave on the summary line. */
  reason: string
  /** The failure or error section for this test. */
  detail: string
}

const OUTCOMES: Record<string, TestCaseResult['outcome']> = {
  PASSED: 'passed',
  FAILED: 'failed',
  ERROR: 'error',
  SKIPPED: 'skipped',
  XFAIL: 'xfailed',
  XPASS: 'xpassed',
}

/** The `____ name ____` sections of the FAILURES and ERRORS blocks, by name. */
function sections(output: string): Map<string, string> {
  const out = new Map<string, string>()
  let name: string | null = null
  let body: string[] = []
  const flush = () => {
    if (name) out.set(name, body.join('\n').trim())
    name = null
    body = []
  }
  for (const line of output.split('\n')) {
    const head = /^_{3,} (.+?) _{3,}$/.exec(line)
    if (head) {
      flush()
      name = head[1]!.replace(/^ERROR (at \w+ of )?/, '')
      continue
    }
    if (/^={3,}/.test(line)) {
      flush()
      continue
    }
    if (name) body.push(line)
  }
  flush()
  return out
}

export function parsePytestOutput(output: string): TestCaseResult[] {
  const details = sections(output)
  const results: TestCaseResult[] = []
  for (const line of output.split('\n')) {
    const m = /^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (?:\[\d+\] )?(\S+?)(?: - (.*))?$/.exec(line)
    if (!m) continue
    const id = m[2]!.replace(/:$/, '')
    const name = id.split('::').pop() ?? id
    results.push({
      id,
      name,
      outcome: OUTCOMES[m[1]!]!,
      reason: m[3] ?? '',
      detail: details.get(name) ?? details.get(id) ?? '',
    })
  }
  return results
}

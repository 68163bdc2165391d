// parseDefinition against hostile or runaway input: each limit of WORKFLOW_DEFINITION_LIMITS
// answers WORKFLOW_DEFINITION_TOO_LARGE (413) naming the limit, quickly and without exhausting
// the stack. Unit tests: no server.
import { describe, expect, it } from 'vitest'
import { PlatformError } from '../errors.ts'
import { parseDefinition, WORKFLOW_DEFINITION_LIMITS } from './definition.ts'

const HEAD = `document: { dsl: '1.0.0', namespace: acme, name: test, version: '1.0.0' }\n`

function refusal(text: string): {
  code: string
  status: number
  details: Record<string, unknown> & { errors: Array<{ message: string }> }
} {
  try {
    parseDefinition(text)
  } catch (err) {
    if (err instanceof PlatformError) return err as never
    throw err
  }
  throw new Error('the definition was accepted')
}

describe('parseDefinition limits', () => {
  const L = WORKFLOW_DEFINITION_LIMITS
  it('the size of the text', () => {
    const r = refusal(`${HEAD}do: []\n# ${'x'.repeat(L.maxBytes)}\n`)
    expect(r).toMatchObject({ code: 'WORKFLOW_DEFINITION_TOO_LARGE', status: 413 })
    expect(r.details).toMatchObject({ limit: 'maxBytes', max: L.maxBytes })
  })

  it('hostile nesting, in flow and in block style, without exhausting the stack', () => {
    expect(refusal(`${HEAD}do: ${'['.repeat(100_000)}`).details).toMatchObject({ limit: 'maxValueDepth' })
    const block = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')
    expect(refusal(`${HEAD}x:\n${block}\ndo: []\n`).details).toMatchObject({ limit: 'maxValueDepth' })
  })

  it('the number of tasks and the nesting of task lists', () => {
    const many = Array.from({ length: L.maxTasks + 1 }, (_, i) => `  - t${i}: { wait: PT1S }`).join('\n')
    expect(refusal(`${HEAD}do:\n${many}\n`).details).toMatchObject({
      limit: 'maxTasks',
      actual: L.maxTasks + 1,
    })
    let nested = '{ wait: PT1S }'
    for (let i = 0; i < L.maxTaskDepth; i++) nested = `{ do: [ { n${i}: ${nested} } ] }`
    expect(refusal(`${HEAD}do: [ { top: ${nested} } ]\n`).details).toMatchObject({ limit: 'maxTaskDepth' })
  })

  it('YAML alias expansion ("billion laughs")', () => {
    const bomb =
      'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    expect(refusal(`${HEAD}${bomb}do: []\n`).details.errors[0]?.message).toMatch(/alias/i)
  })

  it('caps the problems listed, saying how many there were', () => {
    const bad = Array.from({ length: 150 }, (_, i) => `  - t${i}: { wait: PT1S, then: nowhere }`).join('\n')
    const r = refusal(`${HEAD}do:\n${bad}\n`)
    expect(r.details.errors).toHaveLength(L.maxReportedProblems)
    expect(r.details.total).toBe(150)
  })
})

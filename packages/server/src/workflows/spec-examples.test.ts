// The specification's own examples (spec-examples/, listed with their expected outcome in its
// README.md table): each parses and validates, or is refused naming the unsupported feature.
// Also checks that the reshaped schema accepts exactly what the SDK's own validator accepts.
import { readdirSync, readFileSync } from 'node:fs'
import sdk from '@serverlessworkflow/sdk'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { PlatformError } from '../errors.ts'
import { parseDefinition } from './definition.ts'
import { schemaErrors } from './dsl-schema.ts'

const dir = new URL('./spec-examples/', import.meta.url)
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))

/** README rows: `| name (note) | supported … |` or `| name | refused: \`feature\` |`. */
function expectations(): Map<string, string | null> {
  const out = new Map<string, string | null>()
  for (const line of readFileSync(new URL('README.md', dir), 'utf8').split('\n')) {
    const m = /^\| ([a-z0-9-]+)[^|]*\| (supported|refused: `([^`]+)`)/.exec(line)
    if (m?.[1]) out.set(`${m[1]}.yaml`, m[3] ?? null)
  }
  return out
}

function outcome(text: string): { ok: true } | { ok: false; code: string; features: string[] } {
  try {
    parseDefinition(text)
    return { ok: true }
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err
    const errors = (err.details.errors ?? []) as Array<{ feature?: string }>
    return { ok: false, code: err.code, features: errors.map((e) => e.feature ?? '') }
  }
}

describe('the Serverless Workflow specification examples', () => {
  const expected = expectations()

  it('lists every example in the README table, and only those', () => {
    expect([...expected.keys()].sort()).toEqual([...files].sort())
    expect(files.length).toBeGreaterThan(60)
  })

  for (const file of files) {
    it(`${file}: ${expected.get(file) ? `refused as ${expected.get(file)}` : 'validates'}`, () => {
      const feature = expected.get(file)
      const result = outcome(readFileSync(new URL(file, dir), 'utf8'))
      if (feature) {
        expect(result).toMatchObject({ ok: false, code: 'WORKFLOW_FEATURE_UNSUPPORTED' })
        expect(result.ok === false && result.features).toContain(feature)
      } else {
        expect(result).toEqual({ ok: true })
      }
    })
  }

  it("the reshaped schema accepts every example the SDK's validator accepts", () => {
    let compared = 0
    for (const file of files) {
      const doc = YAML.parse(readFileSync(new URL(file, dir), 'utf8'))
      // The SDK checks dsl === its own version before the schema; compare schemas only.
      doc.document.dsl = '1.0.0'
      let sdkAccepts = true
      try {
        sdk.validate('Workflow', doc)
      } catch {
        sdkAccepts = false
      }
      if (sdkAccepts) {
        expect({ file, errors: schemaErrors(doc) }).toEqual({ file, errors: [] })
        compared++
      }
    }
    expect(compared).toBeGreaterThan(55)
  })
})

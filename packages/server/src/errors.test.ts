// The error catalogue: codes unique and well-formed, every element type's codes registered, and
// the committed docs/errors.md equal to what `npm run errors` generates.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderErrorsMarkdown } from './cli/errors-markdown.ts'
import { Registry } from './elements/registry.ts'
import { defineErrorCodes, E, errorCatalogue, PlatformError } from './errors.ts'

const DOC = join(import.meta.dirname, '../../../docs/errors.md')

describe('error catalogue', () => {
  it('refuses to define a code twice', () => {
    expect(() =>
      defineErrorCodes({
        INVALID_JSON: { status: 400, class: 'validation', retryable: false, description: 'again' },
      }),
    ).toThrow(/INVALID_JSON is defined twice/)
    expect(errorCatalogue().filter((d) => d.code === 'INVALID_JSON')).toHaveLength(1)
  })

  it('has unique upper-snake-case codes with a 4xx or 5xx status and a description', () => {
    const all = errorCatalogue()
    expect(all.length).toBeGreaterThan(20)
    expect(new Set(all.map((d) => d.code)).size).toBe(all.length)
    for (const d of all) {
      expect(d.code).toMatch(/^[A-Z][A-Z0-9_]+$/)
      expect(d.status, d.code).toBeGreaterThanOrEqual(400)
      expect(d.status, d.code).toBeLessThan(600)
      expect(d.description.trim(), d.code).not.toBe('')
    }
  })

  it('contains the codes every registered element type declares', () => {
    const known = new Map(errorCatalogue().map((d) => [d.code, d]))
    for (const type of new Registry().list()) {
      for (const def of Object.values(type.errors ?? {})) expect(known.get(def.code), def.code).toBe(def)
    }
  })

  it('puts code, status, class and retryable on the wire', () => {
    const err = new PlatformError(E.ATTACHMENT_EXISTS, 'already', { target: 'x' })
    expect(err.status).toBe(409)
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'ATTACHMENT_EXISTS',
      message: 'already',
      class: 'conflict',
      retryable: false,
      details: { target: 'x' },
    })
  })

  it('is documented in docs/errors.md, sorted by code and fresh', () => {
    const generated = renderErrorsMarkdown()
    const codes = [...generated.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1])
    expect(codes).toEqual(
      errorCatalogue()
        .map((d) => d.code)
        .sort(),
    )
    let committed = ''
    try {
      committed = readFileSync(DOC, 'utf8')
    } catch {}
    expect(committed, 'docs/errors.md is stale: run `npm run errors` and commit the result').toBe(generated)
  })
})

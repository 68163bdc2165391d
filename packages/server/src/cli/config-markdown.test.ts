// docs/configuration.md lists every setting and is what `npm run config-docs` generates.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_OPTIONS, ENV_ONLY_OPTIONS } from '../config-options.ts'
import { renderConfigMarkdown } from './config-markdown.ts'

const DOC = join(import.meta.dirname, '../../../../docs/configuration.md')
const CONFIG_SOURCE = join(import.meta.dirname, '../config.ts')

describe('configuration docs', () => {
  it('lists every flag and every variable config.ts reads', () => {
    const doc = renderConfigMarkdown()
    for (const [flag, o] of Object.entries(CONFIG_OPTIONS)) {
      expect(doc).toContain(`| \`--${flag}\` | \`${o.env}\` |`)
    }
    const declared = new Set<string>([
      ...Object.values(CONFIG_OPTIONS).map((o) => o.env),
      ...ENV_ONLY_OPTIONS.map((o) => o.env),
    ])
    const read = [...readFileSync(CONFIG_SOURCE, 'utf8').matchAll(/env\['([A-Z0-9_]+)'\]/g)].map((m) => m[1]!)
    expect(read.length).toBeGreaterThan(5)
    for (const name of read) expect(declared, `${name} is read by config.ts but not declared`).toContain(name)
    for (const o of ENV_ONLY_OPTIONS) expect(doc).toContain(`| \`${o.env}\` |`)
  })

  it('is fresh', () => {
    let committed = ''
    try {
      committed = readFileSync(DOC, 'utf8')
    } catch {}
    expect(committed, 'docs/configuration.md is stale: run `npm run config-docs` and commit the result').toBe(
      renderConfigMarkdown(),
    )
  })
})

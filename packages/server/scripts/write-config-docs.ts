// `npm run config-docs`: writes docs/configuration.md from the config definitions.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderConfigMarkdown } from '../src/cli/config-markdown.ts'

const out = join(import.meta.dirname, '../../../docs/configuration.md')
writeFileSync(out, renderConfigMarkdown())
process.stdout.write(`wrote ${out}\n`)

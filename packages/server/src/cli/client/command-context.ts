// What every client command gets: parsed flags, positionals, the SDK client and output, with
// the small argument helpers they share.
import type { PeriodicClient } from '@periodic/sdk'

export const OPTIONS = {
  json: { type: 'boolean' },
  expand: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  'data-dir': { type: 'string' },
  type: { type: 'string' },
  slug: { type: 'string' },
  name: { type: 'string' },
  spec: { type: 'string' },
  data: { type: 'string' },
  wait: { type: 'boolean' },
  target: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  trigger: { type: 'string' },
  source: { type: 'string' },
  'triggered-by': { type: 'string' },
  'source-ref': { type: 'string' },
  batch: { type: 'string' },
  example: { type: 'string' },
  'example-contains': { type: 'string' },
  from: { type: 'string' },
  original: { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  force: { type: 'boolean' },
  file: { type: 'string' },
  mode: { type: 'string' },
  format: { type: 'string' },
  domain: { type: 'string' },
  room: { type: 'string' },
  ref: { type: 'string' },
  output: { type: 'string', short: 'o' },
  to: { type: 'string' },
  branch: { type: 'string' },
  overwrite: { type: 'boolean' },
  apply: { type: 'boolean' },
  message: { type: 'string' },
  input: { type: 'string' },
  version: { type: 'string' },
  search: { type: 'string' },
  kind: { type: 'string' },
  folder: { type: 'string' },
  definition: { type: 'boolean' },
  model: { type: 'string' },
  'model-base-url': { type: 'string' },
  'model-api-key': { type: 'string' },
  tools: { type: 'string' },
  description: { type: 'string' },
  prefix: { type: 'string' },
  'expected-version': { type: 'string' },
  archived: { type: 'boolean' },
  enable: { type: 'boolean' },
  disable: { type: 'boolean' },
  alias: { type: 'string' },
  'rate-limit': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export type FlagName = keyof typeof OPTIONS

/** Flags every client command takes. */
export const COMMON_FLAGS: readonly FlagName[] = ['json', 'url', 'key', 'data-dir', 'help']

/**
 * The options of parseArgs for a command that takes `flags` besides the common ones; those in
 * `multiple` may be given more than once (their value is then an array).
 */
export function optionsFor(
  flags: readonly FlagName[],
  multiple: readonly FlagName[] = [],
): Partial<typeof OPTIONS> {
  return Object.fromEntries(
    [...COMMON_FLAGS, ...flags].map((f) => [
      f,
      multiple.includes(f) ? { ...OPTIONS[f], multiple: true } : OPTIONS[f],
    ]),
  )
}

export type Flags = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

export const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
}

export interface CommandContext {
  client: PeriodicClient
  flags: Flags
  positionals: string[]
  print: (value: unknown, human: () => string) => void
  io: Io
  waitSeconds: number | undefined
}

export function arg(ctx: CommandContext, index: number, what: string): string {
  const v = ctx.positionals[index]
  if (!v) throw new UsageError(`missing ${what}`)
  return v
}

export function json(text: string | undefined, flag: string): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`--${flag} must be JSON`)
  }
}

export function jsonObject(text: string | undefined, flag: string): Record<string, unknown> | undefined {
  const v = json(text, flag)
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v)))
    throw new UsageError(`--${flag} must be a JSON object`)
  return v as Record<string, unknown> | undefined
}

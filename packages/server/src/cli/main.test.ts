// `periodic` as a user runs it, without a server: the help, flags a command does not take, and
// that the client commands' bundle leaves the server out.
import { execFile, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startTestServer } from '../../test/test-server.ts'
import { CONFIG_OPTIONS } from '../config-options.ts'
import { CLIENT_COMMANDS } from './client/client-commands.ts'

const BIN = join(import.meta.dirname, '../../bin/periodic.mjs')
const DIST = join(import.meta.dirname, '../../dist')

function periodic(...args: string[]) {
  // Nothing listens on port 9: a command that got past its flags would fail with exit 1.
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PERIODIC_BASE_URL: 'http://127.0.0.1:9', PERIODIC_API_KEY: 'pk_test' },
  })
}

describe('periodic', () => {
  it('lists every flag of serve and every client command in --help', () => {
    const r = periodic('--help')
    expect(r.status).toBe(0)
    for (const flag of Object.keys(CONFIG_OPTIONS)) expect(r.stdout).toContain(`--${flag} `)
    for (const command of CLIENT_COMMANDS) expect(r.stdout).toContain(`periodic ${command} `)
    expect(r.stdout).toContain('periodic secrets rotate')
  })

  it('refuses a flag the command does not take with exit code 2, naming it, with the usage', () => {
    const other = periodic('runs', 'list', '--follow')
    expect(other.status).toBe(2)
    expect(other.stderr).toContain('periodic runs: unknown flag --follow (a flag of periodic logs)')
    expect(other.stderr).toContain('Usage:\n  periodic runs list [--target PATH]')
    expect(other.stderr).not.toContain('periodic jar import')

    const unknown = periodic('invoke', 'c/fn', '--dta', '{}')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('periodic invoke: unknown flag --dta\n')

    const short = periodic('elements', 'list', 'c', '-f')
    expect(short.status).toBe(2)
    expect(short.stderr).toContain('unknown flag -f')

    const docs = periodic('openapi', '--output', 'x.json')
    expect(docs.status).toBe(2)
    expect(docs.stderr).toContain('unknown flag --output')
    expect(docs.stderr).toContain('periodic openapi [--out FILE]')
  })

  it('still takes every flag a command declares, and prints one command usage for --help', () => {
    // Past the flags, the command reaches for the server and fails there: exit 1, not 2.
    const r = periodic('runs', 'list', '--target', 'c/fn', '--status', 'failed', '--limit', '5', '--json')
    expect(r.stderr).toContain('periodic runs: ')
    expect(r.status).toBe(1)
    const help = periodic('jar', '--help')
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('periodic jar export <path>')
    expect(help.stdout).not.toContain('periodic runs')
  })

  it('prints a bash completion script that completes commands, subcommands and their own flags', () => {
    const script = periodic('completion', 'bash')
    expect(script.status).toBe(0)
    const complete = (...words: string[]) =>
      spawnSync(
        'bash',
        [
          '-c',
          `${script.stdout}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _periodic; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: 'utf8' },
      ).stdout.trim()
    expect(complete('periodic', 'ru')).toBe('runs')
    expect(complete('periodic', 'runs', 'ca')).toBe('cancel')
    expect(complete('periodic', 'runs', '--fo')).toBe('')
    expect(complete('periodic', 'logs', '--f')).toBe('--follow')
    expect(complete('periodic', 'serve', '--sandbox-')).toBe('--sandbox-uid')
    expect(periodic('completion', 'fish').status).toBe(2)
  })

  it("writes all of a client command's output through a pipe before it exits", async () => {
    const s = await startTestServer()
    try {
      await s.createCircle('many')
      for (let i = 0; i < 40; i++) {
        const r = await s.api('POST', '/api/many', {
          element_type: 'variable',
          slug: `var-${i}`,
          spec: { value: i },
        })
        expect(r.body).toMatchObject({ slug: `var-${i}` })
      }
      // Async: the server answers from this process.
      const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [BIN, 'elements', 'list', 'many', '--json', '--url', s.url, '--key', s.adminKey],
          { encoding: 'utf8' },
          (_err, stdout) => resolve({ code: child.exitCode, stdout }),
        )
      })
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout).children).toHaveLength(40)
    } finally {
      await s.close()
    }
  })

  it('bundles the client commands without the server: it is a chunk loaded only by import()', () => {
    expect(periodic('--help').status).toBe(0)
    const builds = readdirSync(DIST)
      .filter((d) => /^b\d+$/.test(d))
      .sort((a, b) => statSync(join(DIST, b)).mtimeMs - statSync(join(DIST, a)).mtimeMs)
    const dir = join(DIST, builds[0]!)
    // The entry and the chunks it imports statically: what `periodic --help` loads.
    const seen = new Set<string>()
    const load = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/^import[^;]*?from "([^"]+)"/gms)) {
        if (m[1]!.startsWith('./')) load(m[1]!.slice(2))
        else seen.add(m[1]!)
      }
    }
    load('periodic.mjs')
    expect([...seen].filter((s) => !s.endsWith('.mjs') && !s.startsWith('node:'))).toEqual(['@periodic/sdk'])
    expect([...seen].some((s) => s.startsWith('server-commands'))).toBe(false)
  })
})

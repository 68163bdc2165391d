// Runs a `periodic` client command in-process against a test server, capturing its output.
import { runClientCommand } from '../src/cli/client/client-commands.ts'
import type { TestServer } from './test-server.ts'

export type CliResult = { code: number; out: string; err: string }

export function cliAgainst(server: () => TestServer): (...argv: string[]) => Promise<CliResult> {
  return async (...argv) => {
    const s = server()
    let out = ''
    let err = ''
    const [command, ...rest] = argv
    const code = await runClientCommand(command!, [...rest, '--url', s.url, '--key', s.adminKey], {
      out: (t) => {
        out += t
      },
      err: (t) => {
        err += t
      },
    })
    return { code, out, err }
  }
}

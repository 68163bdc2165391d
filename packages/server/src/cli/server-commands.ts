// The commands that run the server's own code: serve, secrets, openapi and errors. main.ts
// loads this module with import() only when one of them runs, so the client commands and
// --help never load the server and its dependencies.
import { writeFileSync } from 'node:fs'
import { ConfigError, parseConfig } from '../config.ts'
import { Registry } from '../elements/registry.ts'
import { buildOpenApi } from '../http/openapi.ts'
import { startPlatform } from '../main.ts'
import { runSecretsCommand } from '../secrets/secrets-command.ts'
import { renderErrorsMarkdown } from './errors-markdown.ts'

export type ServerCommand = 'serve' | 'secrets' | 'openapi' | 'errors'

async function serve(args: string[]): Promise<void> {
  const config = parseConfig(args)
  const platform = await startPlatform(config)
  const log = platform.app.log
  log.info(
    { url: platform.url, storage: platform.storage.dialect, dataDir: config.dataDir },
    'periodic is serving',
  )
  if (platform.adminKeyGenerated) {
    // Printed once, on the start that generated it; later starts read <data-dir>/admin.key.
    process.stdout.write(
      `\nAdmin key (saved to ${config.dataDir}/admin.key, shown once):\n  ${platform.adminKey}\n\n`,
    )
  }
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down')
    await platform.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

/** Runs one server command; `out` is the already checked --out of openapi and errors. */
export async function runServerCommand(command: ServerCommand, args: string[], out?: string): Promise<void> {
  try {
    if (command === 'serve') return await serve(args)
    if (command === 'secrets') {
      process.stdout.write(`${JSON.stringify(await runSecretsCommand(args), null, 2)}\n`)
      return
    }
    const doc =
      command === 'openapi'
        ? `${JSON.stringify(buildOpenApi(new Registry()), null, 2)}\n`
        : renderErrorsMarkdown()
    if (out) writeFileSync(out, doc)
    else process.stdout.write(doc)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`periodic: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
}

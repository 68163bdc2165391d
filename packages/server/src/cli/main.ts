// The `periodic` command: serve the platform, or print the OpenAPI document or error catalogue.
import { writeFileSync } from 'node:fs'
import { CONFIG_OPTIONS, ConfigError, parseConfig } from '../config.ts'
import { Registry } from '../elements/registry.ts'
import { buildOpenApi } from '../http/openapi.ts'
import { startPlatform } from '../main.ts'
import { runSecretsCommand, SECRETS_HELP } from '../secrets/secrets-command.ts'
import { CLIENT_COMMANDS, CLIENT_HELP, runClientCommand } from './client/client-commands.ts'
import { renderErrorsMarkdown } from './errors-markdown.ts'

const HELP = `periodic — self-hosted platform of composable elements

Usage:
  periodic serve [options]       serve the platform (default command)
  periodic openapi [--out FILE]  print or write the OpenAPI document
  periodic errors [--out FILE]   print or write the error catalogue (docs/errors.md)

Options of serve (flag, environment variable, default):
${Object.entries(CONFIG_OPTIONS)
  .map(([k, o]) => `  --${k.padEnd(12)} ${o.env.padEnd(20)} ${o.default.padEnd(12)} ${o.help}`)
  .join('\n')}
  PERIODIC_ADMIN_KEY   bootstrap admin key (generated into <data-dir>/admin.key when unset)
  PERIODIC_MASTER_KEY  master key(s) for secrets at rest, "id:base64[,id:base64]" (first is current)
                       or one base64 key; unset: generated into <data-dir>/master-keys.json (0600)
  DATABASE_URL         postgres:// URL: use PostgreSQL instead of embedded SQLite
  REDIS_URL            redis:// URL: WebSocket fan-out, presence and driven-link locks across nodes
  PERIODIC_REDIS_PREFIX  prefix of Redis keys and channels (default periodic:)

${SECRETS_HELP}
${CLIENT_HELP}`

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

export async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv
  try {
    if (command === 'serve') return await serve(rest)
    if (command === 'openapi' || command === 'errors') {
      const doc =
        command === 'openapi'
          ? `${JSON.stringify(buildOpenApi(new Registry()), null, 2)}\n`
          : renderErrorsMarkdown()
      const out = rest[0] === '--out' ? rest[1] : undefined
      if (out) writeFileSync(out, doc)
      else process.stdout.write(doc)
      return
    }
    if (command === 'secrets') {
      process.stdout.write(`${JSON.stringify(await runSecretsCommand(rest), null, 2)}\n`)
      return
    }
    if ((CLIENT_COMMANDS as readonly string[]).includes(command)) {
      process.exitCode = await runClientCommand(command, rest)
      return
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(HELP)
      return
    }
    if (command.startsWith('--')) return await serve(argv)
    process.stderr.write(`unknown command "${command}"\n\n${HELP}`)
    process.exitCode = 2
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`periodic: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
}

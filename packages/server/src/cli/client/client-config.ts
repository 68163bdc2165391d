// Where the CLI's client commands find the server and a key: PERIODIC_BASE_URL and
// PERIODIC_API_KEY (flags --url/--key win), and on the machine of a local server the admin key
// that `periodic serve` wrote to <data-dir>/admin.key, so `npm start` then `periodic invoke`
// works with nothing set.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export interface ClientConfig {
  baseUrl: string
  apiKey: string | undefined
  /** Where the key came from, for error messages. */
  keySource: 'flag' | 'env' | 'admin.key' | 'none'
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

export function resolveClientConfig(
  flags: { url?: string; key?: string; dataDir?: string },
  env: NodeJS.ProcessEnv = process.env,
): ClientConfig {
  const baseUrl = (
    flags.url ??
    env['PERIODIC_BASE_URL'] ??
    `http://127.0.0.1:${env['PERIODIC_PORT'] ?? '8420'}`
  ).replace(/\/+$/, '')
  if (flags.key) return { baseUrl, apiKey: flags.key, keySource: 'flag' }
  if (env['PERIODIC_API_KEY']) return { baseUrl, apiKey: env['PERIODIC_API_KEY'], keySource: 'env' }
  let host = ''
  try {
    host = new URL(baseUrl).hostname
  } catch {}
  if (LOCAL_HOSTS.has(host)) {
    const dataDir = resolve(flags.dataDir ?? env['PERIODIC_DATA_DIR'] ?? '.periodic')
    try {
      const key = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim()
      if (key) return { baseUrl, apiKey: key, keySource: 'admin.key' }
    } catch {}
  }
  return { baseUrl, apiKey: undefined, keySource: 'none' }
}

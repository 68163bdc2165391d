// `periodic secrets status|rotate`: master key rotation for secrets at rest. rotate adds a new
// master key to the key file (or takes PERIODIC_MASTER_KEY's first key as the new one),
// re-wraps every element's data key under it, and with --retire drops old keys no data key
// still uses. Sealed blobs are never read or rewritten.
import { join } from 'node:path'
import { ConfigError, parseConfig } from '../config.ts'
import { createPostgresStorage } from '../storage/postgres.ts'
import { createSqliteStorage } from '../storage/sqlite.ts'
import type { Storage } from '../storage/storage.ts'
import { MasterKeyRing } from './master-key-ring.ts'
import { SecretBox } from './secret-box.ts'
import { SECRETS_HELP } from './secrets-help.ts'

export { SECRETS_HELP }

export interface SecretsReport {
  source: string
  current: number
  keys: number[]
  data_keys_by_master_key: Array<{ master_key_id: number; count: number }>
  rewrapped?: number
  retired?: number[]
}

export async function runSecretsCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<SecretsReport> {
  const [sub, ...rest] = argv
  const retire = rest.includes('--retire')
  const config = parseConfig(
    rest.filter((a) => a !== '--retire'),
    env,
  )
  if (sub !== 'status' && sub !== 'rotate')
    throw new ConfigError(`unknown secrets command "${sub ?? ''}"\n\n${SECRETS_HELP}`)
  const storage: Storage = config.databaseUrl
    ? await createPostgresStorage({ url: config.databaseUrl })
    : createSqliteStorage(join(config.dataDir, 'periodic.db'))
  try {
    await storage.migrate()
    const ring = new MasterKeyRing({ dataDir: config.dataDir, masterKey: config.masterKey })
    const report: SecretsReport = { source: ring.source, current: 0, keys: [], data_keys_by_master_key: [] }
    if (sub === 'rotate') {
      if (ring.file) ring.addCurrentKey()
      const result = await new SecretBox(storage, ring).rewrapAll()
      report.rewrapped = result.rewrapped
      if (retire) {
        const inUse = new Set((await storage.countDataKeysByMasterKey()).map((r) => r.master_key_id))
        report.retired = ring.retire(inUse)
      }
    }
    report.current = ring.current().id
    report.keys = ring.ids()
    report.data_keys_by_master_key = await storage.countDataKeysByMasterKey()
    return report
  } finally {
    await storage.close()
  }
}

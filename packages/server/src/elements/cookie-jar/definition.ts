// cookie-jar: a durable, encrypted store of browser cookies that outlives any one browser and
// attaches to at most one browser at a time.
import { defineElement } from '../element.ts'
import { attachOperations } from './attach-operations.ts'
import { cookieOperations } from './cookie-operations.ts'
import { describeOperation, diffOperation } from './diff-describe-operations.ts'
import { exportOperation, importOperation } from './import-export-operations.ts'
import { JAR } from './jar-errors.ts'
import { JAR_COUNTERS } from './jar-metrics.ts'
import { JarRuntime } from './jar-runtime.ts'
import { stateOf } from './jar-state.ts'
import { jarTables } from './jar-tables.ts'
import { lifecycleOverrides } from './lifecycle-overrides.ts'
import { jarAdvisories, jarRules, jarSpec, preValidateJarSpec } from './spec.ts'

export const cookieJarType = defineElement({
  type: 'cookie-jar',
  name: 'Cookie Jar',
  description: 'Durable store for browser cookies, attachable to one browser at a time',
  symbol: 'Cj',
  category: 'data',
  form: 'atom',
  fixtureOperations: ['set', 'import'],
  spec: jarSpec,
  rules: jarRules,
  advisories: jarAdvisories,
  states: ['empty', 'populated', 'orphaned', 'disabled', 'deleted'],
  initialState: 'empty',
  operations: [
    importOperation,
    exportOperation,
    ...cookieOperations,
    ...attachOperations,
    diffOperation,
    describeOperation,
    ...lifecycleOverrides,
  ],
  errors: JAR,
  capabilities: [
    'cookie-storage',
    'single-browser-attachment',
    'merge-import',
    'domain-scoped-ops',
    'optimistic-concurrency',
    'expiry-management',
  ],
  metrics: [...JAR_COUNTERS.map((c) => `cookie_jar_${c}_count`), 'cookie_jar_size'],
  events: [
    'cookie-jar.imported',
    'cookie-jar.exported',
    'cookie-jar.cookie_set',
    'cookie-jar.cookie_deleted',
    'cookie-jar.cleared',
    'cookie-jar.pruned',
    'cookie-jar.attached',
    'cookie-jar.detached',
  ],
  // Orphaned survives writes that keep the (gone) browser attached; the runtime sets it.
  deriveState: (spec, row) => stateOf(spec, row.state === 'orphaned'),
  preValidate: preValidateJarSpec,
  runtime: (platform) => new JarRuntime(platform),
  tables: jarTables,
})

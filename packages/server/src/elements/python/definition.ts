// python: sandboxed serverless Python with warm workers, dependency layers, runs and logs.
import { defineElement } from '../element.ts'
import { buildOperations } from './build-operations.ts'
import { inlineRunOperations } from './inline-run-operations.ts'
import { invokeOperations } from './invoke-operations.ts'
import { PYTHON_EVENTS } from './python-events.ts'
import { PythonRuntime } from './python-runtime.ts'
import { PYTHON_STATES } from './python-states.ts'
import { pythonSourceFiles, pythonSpecFromSource } from './source-files.ts'
import { PY, preValidatePython, pythonAdvisories, pythonRules, pythonSpec } from './spec.ts'
import { stateOperations } from './state-operations.ts'
import { statsOperation } from './stats-operation.ts'
import { streamOperation } from './stream-operation.ts'
import { checkSyntax, syntaxWarnings } from './syntax-check.ts'
import { testOperations } from './test-operations.ts'

export const pythonType = defineElement({
  type: 'python',
  name: 'Python',
  description:
    'Serverless Python: a handler run in a sandbox with warm workers, pip layers and per-run logs.',
  symbol: 'Py',
  category: 'actions',
  form: 'atom',
  spec: pythonSpec,
  rules: pythonRules,
  advisories: pythonAdvisories,
  preValidate: preValidatePython,
  states: [...PYTHON_STATES],
  initialState: 'draft',
  deriveState: (spec) => {
    const source = (spec['source'] ?? {}) as Record<string, unknown>
    return source['type'] !== 'inline' || (typeof source['code'] === 'string' && source['code'].trim() !== '')
      ? 'ready'
      : 'draft'
  },
  errors: PY,
  capabilities: ['zero-scale', 'streaming', 'env-injection', 'pip-dependencies'],
  metrics: [
    'python_invocation_count',
    'python_duration_ms',
    'python_cold_start_count',
    'python_cold_start_duration_ms',
    'python_memory_used_mb',
    'python_error_rate',
  ],
  events: ['run.succeeded', 'run.failed', 'run.cancelled', 'element.state_changed', ...PYTHON_EVENTS],
  runtime: (platform) => new PythonRuntime(platform),
  sourceFiles: pythonSourceFiles,
  specFromSource: pythonSpecFromSource,
  lint: (spec, config) => checkSyntax(spec, config.python.interpreter),
  lintWarnings: syntaxWarnings,
  operations: [
    ...invokeOperations,
    ...inlineRunOperations,
    streamOperation,
    statsOperation,
    ...buildOperations,
    ...testOperations,
    ...stateOperations,
  ],
})

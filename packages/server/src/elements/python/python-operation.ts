// The python type's operation definer: handlers get `ctx.spec` as a PythonSpec and `ctx.runtime`
// as the PythonRuntime, without casts.
import { operationsFor } from '../element.ts'
import type { PythonRuntime } from './python-runtime.ts'
import type { PythonSpec } from './spec.ts'

export const pythonOperation = operationsFor<PythonSpec, PythonRuntime>()

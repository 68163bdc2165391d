// The cookie jar's operation definer: handlers get `ctx.spec` as a JarSpec and `ctx.runtime` as
// the JarRuntime, without casts.
import { type OperationContext, operationsFor, type TypedOperation } from '../element.ts'
import type { JarRuntime } from './jar-runtime.ts'
import type { JarSpec } from './spec.ts'

export const jarOperation = operationsFor<JarSpec, JarRuntime>()

/** An operation of the jar type (input erased). */
export type JarOperation = TypedOperation<JarSpec, JarRuntime>

/** What helpers of the jar's operations get (any input). */
export type JarOperationContext = OperationContext<unknown, JarSpec, JarRuntime>

// The browser type's operation definer: handlers get `ctx.spec` as a BrowserSpec and
// `ctx.runtime` as the BrowserRuntime, without casts.
import { type OperationContext, operationsFor } from '../element.ts'
import type { BrowserRuntime } from './browser-runtime.ts'
import type { BrowserSpec } from './spec.ts'

export const browserOperation = operationsFor<BrowserSpec, BrowserRuntime>()

/** What helpers of the browser's operations get (any input). */
export type BrowserContext = OperationContext<unknown, BrowserSpec, BrowserRuntime>

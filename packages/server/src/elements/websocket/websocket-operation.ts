// The websocket type's operation definer: handlers get `ctx.spec` as a WebsocketSpec and
// `ctx.runtime` as the WebsocketRuntime, without casts.
import { operationsFor } from '../element.ts'
import type { WebsocketSpec } from './spec.ts'
import type { WebsocketRuntime } from './websocket-runtime.ts'

export const websocketOperation = operationsFor<WebsocketSpec, WebsocketRuntime>()

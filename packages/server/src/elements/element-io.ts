// The shapes element operations take and give: the element as the API shows it, and the inputs
// of create and update.
import type { JsonObject } from '../storage/storage.ts'

/** An advisory about a spec (the API lists them with the element). */
export interface Warning {
  field: string
  message: string
}

/** The element as the API shows it: stored row + type facts + advisory warnings. */
export interface ElementJson {
  id: string
  circle: string
  slug: string
  name: string
  element_type: string
  category: string
  form: string
  symbol: string
  state: string
  state_reason: string | null
  enabled: boolean
  intention: string
  spec: JsonObject
  meta: JsonObject
  version: number
  parent: string | null
  path: string
  created_at: string
  updated_at: string
  warnings: Warning[]
}

/** What an element's create asks for (POST to a parent element). */
export interface CreateInput {
  element_type: string
  slug: string
  name?: string
  intention?: string
  spec?: JsonObject
  meta?: JsonObject
}

export interface CreateOptions {
  /**
   * The new element's id, chosen by the caller (a fresh UUID no element has): an import prepares
   * the element's Source repository under it first, so its first commit builds on the imported history.
   */
  id?: string
  /** The README it starts with (an import's). */
  readme?: string
  /** The first version's message and commit subject (default "Created"). */
  message?: string
}

/** What an element's update asks for (PATCH). */
export interface UpdateInput {
  spec?: JsonObject
  name?: string
  intention?: string
  deep?: boolean
  expected_version?: number
  message?: string
  /** Not from the API: the README, written in the same version (a push). */
  readme?: string
  /** Not from the API: the version's Source commit exists already (a push being applied). */
  fromSource?: boolean
}

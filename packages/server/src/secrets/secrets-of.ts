// One SecretBox per running platform, reached from anything that holds the ElementService (every
// operation context does), so any element type can seal a JSON value bound to itself.
import type { Json, Storage } from '../storage/storage.ts'
import { MasterKeyRing, type MasterKeySource } from './master-key-ring.ts'
import { type SealBinding, SecretBox } from './secret-box.ts'

const boxes = new WeakMap<Storage, SecretBox>()

/** Builds (once per storage) the box from PERIODIC_MASTER_KEY or the data dir's key file. */
export function openSecretBox(storage: Storage, source: MasterKeySource): SecretBox {
  let box = boxes.get(storage)
  if (!box) {
    box = new SecretBox(storage, new MasterKeyRing(source))
    boxes.set(storage, box)
  }
  return box
}

/** What secretsOf needs: the ElementService (or its ElementsPort) matches it. */
export interface SecretsHolder {
  readonly secrets: SecretBox
}

/** The platform's SecretBox. */
export function secretsOf(elements: SecretsHolder): SecretBox {
  return elements.secrets
}

/** Seals a JSON value bound to (purpose, element id, version) under the element's data key. */
export function sealJson(
  ctx: { elements: SecretsHolder },
  binding: SealBinding,
  value: Json,
): Promise<string> {
  return secretsOf(ctx.elements).seal(binding, value)
}

/** Opens what sealJson sealed with the same binding; SECRET_INTEGRITY_FAILED otherwise. */
export function openJson(
  ctx: { elements: SecretsHolder },
  binding: SealBinding,
  sealed: string,
): Promise<Json> {
  return secretsOf(ctx.elements).open(binding, sealed)
}

/** Crypto-shreds an element's secrets (call when the element is deleted). */
export function forgetSecrets(ctx: { elements: SecretsHolder }, elementId: string) {
  return secretsOf(ctx.elements).forget(elementId)
}

export type { SealBinding }

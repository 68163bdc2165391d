// The narrow interface through which long-lived connections (engine workers, stream clients,
// WebSocket element clients) learn that the credential they authenticated with is gone: its API
// key revoked or its circle deleted. The implementation is auth/key-revocations.ts; the engine
// and the element types only see these types, so they never import the auth layer.

/** What a live connection authenticated with. `keyId` null: no API key (a circle-wide watch only). */
export interface Credential {
  keyId: string | null
  circleId: string
}

/** Ends a connection with a WebSocket close code and reason. */
export type EndConnection = (code: number, reason: string) => void

/** Registers a live connection; `end` is called once if its credential is revoked. Returns the deregistration. */
export type WatchCredential = (credential: Credential, end: EndConnection) => () => void

/** A revocation as it travels between nodes (Redis). */
export type Revocation = { key_id: string } | { circle_id: string }

/** What the engine wires to Redis: revocations from other nodes in, this node's out. */
export interface RevocationRelay {
  watch: WatchCredential
  /** A revocation another node announced: ends the matching connections here. */
  fromPeer(r: Revocation): void
  /** Set by the engine when Redis is configured: carries this node's revocations to the others. */
  toPeers: ((r: Revocation) => void) | null
}

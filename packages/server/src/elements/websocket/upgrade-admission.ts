// What an upgrade to an exposed WebSocket endpoint comes to: admitted (with who and which
// rooms, and the key whose revocation ends it) or refused (status, code, reason), and the
// body of an `accept` ticket, kept in the cluster until it is redeemed once.

export interface Refused {
  refused: string
  status: number
  code: string
  retryAfterMs?: number
}

export interface Admitted {
  id: string
  user: string | null
  rooms: string[]
  /** The circle API key that issued the accept ticket (absent: the element's own auth). */
  keyId?: string
}

export interface TicketBody {
  element_id: string
  connection_id: string
  user: string | null
  rooms: string[]
  /** The key that called `accept`: revoking it ends the connection (absent in older tickets). */
  key_id?: string
}

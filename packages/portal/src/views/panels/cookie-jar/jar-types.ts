// The cookie jar operations' answers, by the fields the panel reads (docs/elements/cookie-jar.md).

export interface JarDescribe {
  cookie_count: number
  cookies_version: number
  cookies_updated_at: string
  attached_browser_id: string | null
  state: string
  domains: Array<{ domain: string; count: number }>
  expired_count: number
  session_count: number
  limit: number
  near_capacity: boolean
}

/** One row of `list` (never with a value: the panel does not ask for them). */
export interface JarCookieRow {
  name: string
  domain: string
  path: string
  secure: boolean
  httpOnly: boolean
  sameSite: string
  hostOnly: boolean
  session: boolean
  expired: boolean
  expirationDate?: number
}

export interface JarList {
  cookies: JarCookieRow[]
  total: number
  offset: number
  limit: number
}

export interface JarDiff {
  added: number
  removed: number
  changed: number
  unchanged: number
}

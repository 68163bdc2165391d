// The signed-in key: held in sessionStorage (this tab, until it closes or the user signs out),
// never in localStorage or a URL. The client is rebuilt when the key changes.
import { PeriodicClient, type Whoami } from '@periodic/sdk'

const STORAGE_KEY = 'periodic.key'

function readKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}

class Session {
  key = $state<string | null>(readKey())
  client = $derived(this.key ? newClient(this.key) : null)
  /** The key's circle and scopes (GET /api/v1/whoami); null until known. */
  me = $state<Whoami | null>(null)

  constructor() {
    this.loadMe()
  }

  signIn(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key)
    this.key = key
    this.loadMe()
  }

  /**
   * Whether the key holds `scope` (admin holds every scope). Unknown scopes count as held: the
   * server still checks, and answers 403 FORBIDDEN if not.
   */
  can(scope: 'read' | 'write' | 'execute' | 'admin'): boolean {
    const me = this.me
    if (!me) return true
    return me.platform_admin || me.scopes.includes('admin') || me.scopes.includes(scope)
  }

  private loadMe(): void {
    this.me = null
    const client = this.client
    if (!client) return
    client.whoami().then(
      (me) => {
        if (this.client === client) this.me = me
      },
      () => {},
    )
  }

  signOut(): void {
    sessionStorage.removeItem(STORAGE_KEY)
    this.key = null
    this.me = null
    location.hash = '#/'
  }
}

function newClient(apiKey: string): PeriodicClient {
  return new PeriodicClient({ apiKey, baseUrl: location.origin, maxRetries: 0 })
}

export const session = new Session()

/** The signed-in client; views are only shown signed in. */
export function client(): PeriodicClient {
  if (!session.client) throw new Error('not signed in')
  return session.client
}

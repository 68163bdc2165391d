// The signed-in key: held in sessionStorage (this tab, until it closes or the user signs out),
// never in localStorage or a URL. The client is rebuilt when the key changes.
import { PeriodicClient } from '@periodic/sdk'

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

  signIn(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key)
    this.key = key
  }

  signOut(): void {
    sessionStorage.removeItem(STORAGE_KEY)
    this.key = null
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

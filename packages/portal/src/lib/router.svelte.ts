// Hash routes (`#/circles/acme/hello`): the server serves one index.html for `/` and nothing
// else has to know the portal's paths. `route.parts` are the decoded path segments.
class Route {
  hash = $state(location.hash)
  parts = $derived(
    this.hash
      .replace(/^#\/?/, '')
      .split('?')[0]!
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s)),
  )
  query = $derived(new URLSearchParams(this.hash.split('?')[1] ?? ''))

  constructor() {
    addEventListener('hashchange', () => {
      this.hash = location.hash
    })
  }
}

export const route = new Route()

/** A link target for `parts` (each segment encoded). */
export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`
}

export function go(...parts: string[]): void {
  location.hash = href(...parts)
}

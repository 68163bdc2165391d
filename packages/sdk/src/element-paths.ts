// URLs of the element surface: /api/{circle}/{element_path}[/ops/{operation}].

function encodeSegments(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map(encodeURIComponent)
    .join('/')
}

/** `acme/web/theme` -> `/api/acme/web/theme`; an empty path is `/api` (where circles live). */
export function elementUrl(path: string, operation?: string): string {
  const element = encodeSegments(path.replace(/^\/?api\//, ''))
  const base = element ? `/api/${element}` : '/api'
  return operation ? `${base}/ops/${encodeSegments(operation)}` : base
}

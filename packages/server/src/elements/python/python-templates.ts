// Starter main.py sources for `scaffold`: one per common purpose of a python element, the
// handler named as the spec names it, and the element's intention as a leading comment.

export const TEMPLATES = ['basic', 'transform', 'stream', 'http', 'resources'] as const
export type TemplateName = (typeof TEMPLATES)[number]

const BODIES: Record<TemplateName, (fn: string) => string> = {
  basic: (fn) => `def ${fn}(event, context):
    """Return a greeting for event["name"]."""
    name = event.get("name", "world")
    return {"message": f"Hello, {name}!"}
`,
  transform: (fn) => `def ${fn}(event, context):
    """Transform event["records"] one by one and return them with a count."""
    records = event.get("records") or []
    if not isinstance(records, list):
        records = [records]
    out = [{**r, "processed": True} for r in records if isinstance(r, dict)]
    return {"records": out, "count": len(out)}
`,
  stream: (fn) => `def ${fn}(event, context):
    """Stream results as they are ready: each yielded value is a chunk of the run."""
    try:
        count = max(0, min(int(event.get("count", 3)), 100))
    except (TypeError, ValueError):
        count = 3
    for i in range(count):
        yield {"step": i + 1}
`,
  http: (fn) => `import json
import urllib.request


def ${fn}(event, context):
    """Fetch event["url"] and return its status and JSON (or text) body."""
    url = event.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return {"error": 'send {"url": "https://..."}'}
    with urllib.request.urlopen(url, timeout=10) as res:
        body = res.read().decode("utf-8", "replace")
        try:
            data = json.loads(body)
        except ValueError:
            data = body
        return {"status": res.status, "body": data}
`,
  resources: (fn) => `import os


def ${fn}(event, context):
    """List the data resources attached to this element (injected as RESOURCE_* variables)."""
    resources = {k: v for k, v in os.environ.items() if k.startswith("RESOURCE_")}
    return {"resources": sorted(resources), "input": event}
`,
}

/** The template that fits an intention best (keywords), else `basic`. */
export function templateForIntention(intention: string): TemplateName {
  const i = intention.toLowerCase()
  if (/\b(stream|streaming|yield|progress)\b/.test(i)) return 'stream'
  if (/\b(fetch|http|https|url|webhook|api call|download)\b/.test(i)) return 'http'
  if (/\b(sql|database|document|vector|graph|timeseries|resource)\b/.test(i)) return 'resources'
  if (/\b(transform|convert|map|clean|normali[sz]e|records?)\b/.test(i)) return 'transform'
  return 'basic'
}

/** The handler name the worker will look up: the spec's, when it is a plain identifier. */
export function handlerNameOf(specHandler: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(specHandler) ? specHandler : 'handler'
}

/** main.py for `template`, the intention (if any) as comment lines above it. */
export function renderTemplate(template: TemplateName, handler: string, intention: string): string {
  const purpose = intention
    .replace(/[^\P{C}\n]/gu, '')
    .trim()
    .slice(0, 500)
  const header = purpose
    ? `${purpose
        .split('\n')
        .map((l) => `# ${l}`.trimEnd())
        .join('\n')}\n\n`
    : ''
  return header + BODIES[template](handler)
}

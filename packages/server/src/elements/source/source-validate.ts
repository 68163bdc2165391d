// What a Source tree may hold: the element's definition and its files — never runtime data,
// generated output, secret material, oversize files, links or paths outside the tree. Checked
// on every push to draft (before anything is applied) and by `source/validate`.

export const MAX_FILE_BYTES = 5 * 1024 * 1024
export const MAX_TREE_BYTES = 50 * 1024 * 1024
export const MAX_FILES = 2000

export interface TreeEntry {
  path: string
  /** Git file mode: 100644, 100755, 120000 (symlink), 160000 (submodule). */
  mode: string
  size: number
  content?: Uint8Array
}

export interface SourceProblem {
  path: string
  rule: 'path' | 'link' | 'size' | 'secret' | 'generated' | 'runtime-data' | 'count'
  message: string
}

const GENERATED = [
  /(^|\/)__pycache__\//,
  /\.py[co]$/,
  /(^|\/)node_modules\//,
  /(^|\/)\.venv\//,
  /(^|\/)dist\//,
]
const RUNTIME_DATA = [
  /\.(db|sqlite3?|db-wal|db-shm)$/,
  /(^|\/)\.periodic\/(runtime|runs|artifacts)\//,
  /\.log$/,
]
const SECRETS: Array<[RegExp, string]> = [
  [/-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/, 'a private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
  [/\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{20,}\b/, 'an API secret key (sk-…)'],
  [/\bpk_[A-Za-z0-9_-]{30,}\b/, 'a Periodic API key'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
]

/** Every problem of a tree (empty: acceptable). */
export function validateTree(entries: TreeEntry[]): SourceProblem[] {
  const problems: SourceProblem[] = []
  if (entries.length > MAX_FILES)
    problems.push({ path: '', rule: 'count', message: `${entries.length} files; at most ${MAX_FILES}` })
  let total = 0
  for (const e of entries) {
    total += e.size
    const add = (rule: SourceProblem['rule'], message: string) =>
      problems.push({ path: e.path, rule, message })
    const parts = e.path.split('/')
    if (
      e.path.startsWith('/') ||
      e.path.includes('\0') ||
      parts.some((p) => p === '' || p === '.' || p === '..')
    )
      add('path', 'not a path inside the tree')
    else if (parts[0] === '.git') add('path', 'a .git directory cannot be part of the tree')
    if (e.mode === '120000')
      add('link', 'symbolic links are not accepted (they could point outside the tree)')
    else if (e.mode === '160000') add('link', 'submodules are not accepted')
    if (e.size > MAX_FILE_BYTES) add('size', `${e.size} bytes; a file may have at most ${MAX_FILE_BYTES}`)
    if (GENERATED.some((r) => r.test(e.path))) add('generated', 'generated output does not belong in Source')
    if (RUNTIME_DATA.some((r) => r.test(e.path)))
      add('runtime-data', 'runtime data does not belong in Source')
    if (e.content && e.size <= MAX_FILE_BYTES) {
      const text = Buffer.from(e.content).toString('latin1')
      for (const [pattern, what] of SECRETS)
        if (pattern.test(text)) add('secret', `holds what looks like ${what}; keep secrets out of Source`)
    }
  }
  if (total > MAX_TREE_BYTES)
    problems.push({ path: '', rule: 'size', message: `${total} bytes in all; at most ${MAX_TREE_BYTES}` })
  return problems
}

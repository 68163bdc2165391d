// The pre-receive hook every element repository runs on a push (through `core.hooksPath`, set
// per request): it reads the pushed refs and trees with git (which sees the quarantined objects),
// asks the server whether to accept them (`PERIODIC_PUSH_URL`, with the push's one-time token),
// prints the server's answer to the pusher (`remote: …`) and exits non-zero to refuse. Git then
// moves no ref at all.
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const HOOK = String.raw`
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'

const MAX_READ = ${5 * 1024 * 1024}
const git = (args, encoding = 'utf8') => execFileSync('git', args, { encoding, maxBuffer: 256 * 1024 * 1024 })
const updates = []
for (const line of readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const [oldOid, newOid, ref] = line.split(' ')
  const u = { old: oldOid, new: newOid, ref }
  updates.push(u)
  if (/^0+$/.test(newOid)) { u.deleted = true; continue }
  if (ref !== 'refs/heads/draft') continue
  if (!/^0+$/.test(oldOid))
    u.fast_forward = spawnSync('git', ['merge-base', '--is-ancestor', oldOid, newOid]).status === 0
  u.message = git(['log', '-1', '--format=%B', newOid])
  u.entries = []
  for (const rec of git(['ls-tree', '-r', '-z', '--long', newOid]).split('\0').filter(Boolean)) {
    const tab = rec.indexOf('\t')
    const [mode, type, oid, size] = rec.slice(0, tab).trim().split(/\s+/)
    const e = { path: rec.slice(tab + 1), mode, size: type === 'blob' ? Number(size) : 0 }
    if (type === 'blob' && mode !== '120000' && e.size <= MAX_READ)
      e.content = git(['cat-file', 'blob', oid], 'buffer').toString('base64')
    u.entries.push(e)
  }
}
const body = JSON.stringify({ updates })
const req = request(process.env.PERIODIC_PUSH_URL, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-periodic-push-token': process.env.PERIODIC_PUSH_TOKEN },
})
req.on('response', (res) => {
  let text = ''
  res.setEncoding('utf8')
  res.on('data', (c) => { text += c })
  res.on('end', () => {
    let verdict = { ok: false, message: 'the server gave no verdict (HTTP ' + res.statusCode + ')' }
    try { verdict = JSON.parse(text) } catch {}
    if (verdict.message) process.stderr.write(verdict.message + '\n')
    process.exit(verdict.ok ? 0 : 1)
  })
})
req.on('error', (err) => { process.stderr.write('push check failed: ' + err.message + '\n'); process.exit(1) })
req.end(body)
`

/** Writes the hooks under `<root>/.hooks` (idempotent); returns that directory. */
export async function installHooks(root: string): Promise<string> {
  const dir = join(root, '.hooks')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFile(join(dir, 'pre-receive.mjs'), HOOK)
  const sh = `#!/bin/sh\nexec '${process.execPath.replaceAll("'", "'\\''")}' '${join(dir, 'pre-receive.mjs').replaceAll("'", "'\\''")}'\n`
  await writeFile(join(dir, 'pre-receive'), sh)
  await chmod(join(dir, 'pre-receive'), 0o755)
  return dir
}

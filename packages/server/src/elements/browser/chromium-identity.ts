// Who Chromium runs as. Never as root: a server running as root starts Chromium through a small
// setpriv wrapper as a dedicated unprivileged user (created on first use), with Chromium's own
// sandbox on (its renderers go into new user/PID/network namespaces under seccomp-bpf, which needs
// unprivileged user namespaces — checked here, and reported by the browser's `status`).
import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PlatformError } from '../../errors.ts'
import { BROWSER } from './spec.ts'

const run = promisify(execFile)

export interface ChromiumIdentity {
  /** The executable to launch: Chromium itself, or the wrapper that drops to `uid`. */
  executablePath: string
  user: string
  uid: number
  gid: number
  /** Chromium's namespace sandbox is on (no --no-sandbox); false only if the kernel cannot. */
  chromiumSandbox: boolean
}

function passwdEntry(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':')
    if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) }
  }
  return undefined
}

/** Unprivileged user namespaces, which Chromium's sandbox needs without a setuid helper. */
export function userNamespacesAvailable(): boolean {
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8').trim()
    } catch {
      return undefined
    }
  }
  if (read('/proc/sys/kernel/unprivileged_userns_clone') === '0') return false
  const max = read('/proc/sys/user/max_user_namespaces')
  return max === undefined || Number(max) > 0
}

/**
 * The identity for this server: itself when not root, else `user` (created with useradd when
 * missing) through a wrapper written under `dir`. Throws BROWSER_UNAVAILABLE when root cannot
 * get an unprivileged user: Chromium never runs as root.
 */
export async function chromiumIdentity(
  chromium: string,
  user: string,
  dir: string,
): Promise<ChromiumIdentity> {
  const chromiumSandbox = userNamespacesAvailable()
  const uid = process.getuid?.() ?? 0
  if (uid !== 0)
    return {
      executablePath: chromium,
      user: process.env['USER'] ?? String(uid),
      uid,
      gid: process.getgid?.() ?? uid,
      chromiumSandbox,
    }
  let entry = passwdEntry(user)
  if (!entry) {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      user,
    ]).catch(() => {})
    entry = passwdEntry(user)
  }
  if (!entry || entry.uid === 0)
    throw new PlatformError(
      BROWSER.BROWSER_UNAVAILABLE,
      `the server runs as root and Chromium must not: create the unprivileged user "${user}" (or set PERIODIC_BROWSER_USER)`,
      { user },
    )
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const wrapper = join(dir, `chromium-as-${user}`)
  // setpriv drops uid, gid and groups and every inheritable capability before Chromium starts.
  const script = [
    '#!/bin/sh',
    `exec /usr/bin/setpriv --reuid=${entry.uid} --regid=${entry.gid} --clear-groups --inh-caps=-all -- ${shellQuote(chromium)} "$@"`,
    '',
  ].join('\n')
  if (!existsSync(wrapper) || readFileSync(wrapper, 'utf8') !== script)
    writeFileSync(wrapper, script, { mode: 0o700 })
  chmodSync(wrapper, 0o700)
  return { executablePath: wrapper, user, uid: entry.uid, gid: entry.gid, chromiumSandbox }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

// A sandbox's link to the outside: slirp4netns gives bwrap's network namespace a tap device
// whose traffic leaves as ordinary sockets of the slirp4netns process on the host, with the
// host's loopback (10.0.2.2) disabled. Its DNS forwarder is 10.0.2.3.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import type { SandboxProcess } from './executor.ts'

export const SLIRP_DNS = '10.0.2.3'

/**
 * /etc/resolv.conf for a sandbox behind slirp4netns: the host's, with its name servers replaced by
 * slirp's DNS forwarder. The host's own server may be on loopback or a private address, which the
 * sandbox cannot (and must not) reach directly; slirp forwards to it from the host.
 */
export function slirpResolvConf(hostResolvConf: string): string {
  const kept = hostResolvConf.split('\n').filter((l) => l.trim() && !/^\s*nameserver\b/.test(l))
  return [...kept, `nameserver ${SLIRP_DNS}`, ''].join('\n')
}

// The descriptors a sandbox behind slirp4netns adds to launch()'s (after the environment's, 4).
const INFO_FD = 5
const BLOCK_FD = 6
const RESOLV_FD = 7
/** Pipes launch() opens after the environment's for the link. */
export const SLIRP_EXTRA_FDS = 3

/** bwrap's options: the sandbox's pid out on INFO_FD, held on BLOCK_FD until the link is up. */
export const SLIRP_BWRAP_ARGS = ['--info-fd', String(INFO_FD), '--block-fd', String(BLOCK_FD)]
/** Its resolv.conf, read from RESOLV_FD (no file to leave behind). */
export const RESOLV_CONF_BIND = ['--perms', '0644', '--ro-bind-data', String(RESOLV_FD), '/etc/resolv.conf']

/**
 * Hands bwrap the sandbox's resolv.conf, reads the sandbox's pid from its --info-fd, gives its
 * network namespace a slirp4netns link, then unblocks it (--block-fd). The link goes when the
 * sandbox ends.
 */
export function attachSlirpNetwork(slirpBin: string, child: ChildProcess, proc: SandboxProcess): void {
  const fds = child.stdio as unknown as Array<Readable | Writable>
  const info = fds[INFO_FD] as Readable
  const block = fds[BLOCK_FD] as Writable
  const resolv = fds[RESOLV_FD] as Writable
  resolv.on('error', () => {})
  let host = ''
  try {
    host = readFileSync('/etc/resolv.conf', 'utf8')
  } catch {}
  resolv.end(slirpResolvConf(host))
  let buf = ''
  let slirp: ChildProcess | undefined
  let pid: string | undefined
  let exited = false
  const release = () => {
    if (!block.destroyed) block.end('1')
  }
  const startSlirp = (childPid: string) => {
    if (exited) return
    // --exit-fd: slirp4netns ends when the server does (its end of fd 4 closes), even when the
    // server is killed before it could kill the link; it used to outlive the sandbox, orphaned.
    slirp = spawn(
      slirpBin,
      [
        '--configure',
        '--mtu=65520',
        '--disable-host-loopback',
        '--ready-fd=3',
        '--exit-fd=4',
        childPid,
        'tap0',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    )
    ;(slirp.stdio[4] as Writable).on('error', () => {})
    // The sandbox's filter goes in after this, inside it, before the code runs.
    ;(slirp.stdio[3] as Readable).once('data', release)
    slirp.once('exit', release)
    slirp.once('error', release)
  }
  // bwrap's child configures its loopback (add 127.0.0.1, then link up) only after it has
  // reported its pid. slirp4netns --configure also brings lo up; when it wins that race bwrap
  // dies with "loopback: Failed RTM_NEWADDR". So slirp starts once 127.0.0.1 is on lo.
  const whenLoopbackReady = (childPid: string, deadline: number) => {
    if (exited) return
    let ready: boolean
    try {
      ready = readFileSync(`/proc/${childPid}/net/fib_trie`, 'utf8').includes('127.0.0.1')
    } catch {
      ready = true // unreadable (or gone): do not wait
    }
    if (ready || Date.now() > deadline) startSlirp(childPid)
    else setTimeout(() => whenLoopbackReady(childPid, deadline), 2)
  }
  info.on('data', (d: Buffer) => {
    buf += d.toString()
    const m = /"child-pid":\s*(\d+)/.exec(buf)
    if (!m || pid) return
    pid = m[1]!
    whenLoopbackReady(pid, Date.now() + 5000)
  })
  info.on('error', () => {})
  block.on('error', () => {})
  void proc.exited.then(() => {
    exited = true
    slirp?.kill('SIGKILL')
  })
}

// How a bwrap sandbox's code gets its environment. Before the code runs, the sandbox runs
// privileged helpers (the egress filter's shell and nft with CAP_NET_ADMIN; setpriv as root with
// CAP_SETUID) — and the environment a program starts with is read by the dynamic loader: a
// tenant's LD_PRELOAD (spec.environment) pointing at a library of its own would run inside them,
// able to drop the filter or stay root. So the helpers start with PATH alone; the environment
// comes on a pipe (fd 4) to a last shell that runs with no privilege left, which exports it and
// execs the code. Off bwrap's command line, its values (resource settings) are also no longer in
// the host's `ps`.

/** The descriptor the environment arrives on inside the sandbox. */
export const ENV_FD = 4

/** What the privileged helpers start with. */
export const HELPER_ENV = { PATH: '/usr/bin:/bin' }

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const ENV_FAILED_EXIT = 97

/**
 * `env` as shell code that makes it the whole environment (the helpers' PATH and the shell's
 * PWD go unless `env` has them); names that are no shell names are refused.
 */
export function environmentScript(env: Record<string, string>): string {
  const exports = Object.entries(env).map(([k, v]) => {
    if (!NAME.test(k)) throw new Error(`environment variable name ${JSON.stringify(k)} is not allowed`)
    return `export ${k}='${v.replaceAll("'", `'\\''`)}'\n`
  })
  return ['unset PATH PWD\n', ...exports].join('')
}

// Reads the script to EOF (the server writes it and closes), runs it, closes the descriptor.
// No shell variable holds it: any name could be one of the environment's own.
const APPLY = `eval "$(cat <&${ENV_FD} || echo exit ${ENV_FAILED_EXIT})" || exit ${ENV_FAILED_EXIT}; exec ${ENV_FD}<&-; exec "$@"`

/** The argv prefix that applies the environment from ENV_FD, then execs what follows it. */
export function applyEnvironmentArgv(): string[] {
  return ['/bin/sh', '-c', APPLY, 'periodic-env']
}

// Anchors that run outside this process: command-line tools (`find`, `cp`, `rm`) timed
// from here, and IO::AIO through the perl scripts in benches/perl/, which time their own
// work and print it as one line of JSON.

import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PERL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'perl')

/** IO::AIO's version, or undefined when perl cannot load it. */
function ioAioVersion() {
  const r = spawnSync('perl', ['-MIO::AIO', '-e', 'print $IO::AIO::VERSION'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}

/**
 * Makes IO::AIO available: installs Debian's libio-aio-perl when it is missing and this
 * process may (root with apt-get), refreshing the package lists if the first try fails.
 * Returns { version } or { reason } when it cannot be had.
 */
export function ensureIoAio(log) {
  let version = ioAioVersion()
  if (version) return { version }
  if (spawnSync('perl', ['-v']).status !== 0) return { reason: 'perl is not installed' }
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) {
    return { reason: 'IO::AIO is missing and apt-get cannot install libio-aio-perl here (needs root and apt-get)' }
  }
  const install = () => spawnSync('apt-get', ['install', '-y', 'libio-aio-perl'], { stdio: 'ignore' }).status === 0
  log('IO::AIO missing: apt-get install -y libio-aio-perl')
  if (!install()) {
    log('  that failed; apt-get update, then trying again')
    spawnSync('apt-get', ['update'], { stdio: 'ignore' })
    install()
  }
  version = ioAioVersion()
  return version ? { version } : { reason: 'apt-get install -y libio-aio-perl failed' }
}

/** Runs `command`, collecting stdout; rejects with its stderr if it fails. */
function exec(command, args, { onStdout } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', onStdout ?? ((chunk) => out.push(chunk)))
    child.stderr.on('data', (chunk) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString())
      else reject(new Error(`${command} ${args.join(' ')}: ${signal ?? `exit ${code}`}: ${Buffer.concat(err)}`))
    })
  })
}

/**
 * Times one run of a command-line tool, start to exit (process start-up included, as a
 * user pays it). `onStdout` receives its output if given, else it is kept and dropped.
 */
export async function timeCommand(count, command, args, options) {
  const start = process.hrtime.bigint()
  await exec(command, args, options)
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, count }
}

/**
 * Runs benches/perl/<script> with `args` and returns the measurement it prints (its own
 * timing, so perl's start-up and module loading are not counted).
 */
export async function runPerl(script, args) {
  const out = await exec('perl', [path.join(PERL_DIR, script), ...args.map(String)])
  return JSON.parse(out.trim().split('\n').pop())
}

/** First line of `command --version`, or undefined. */
export function toolVersion(command) {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : undefined
}

/**
 * A contender that runs benches/perl/<script>; skipped with the reason when IO::AIO is
 * not available. `args` is called at run time, when the corpus exists; `check`, if given,
 * validates the measurement (e.g. the number of entries seen).
 */
export function perlAnchor(ioAio, name, script, args, check) {
  return {
    name,
    // Read when the row runs: IO::AIO is checked (and installed) after the rows are made.
    get skip() {
      return ioAio.version ? undefined : `IO::AIO not available (${ioAio.reason})`
    },
    run: async () => {
      const m = await runPerl(script, args())
      check?.(m)
      return m
    },
  }
}

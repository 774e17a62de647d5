// Shared test helpers: temporary directories, fd counting, child processes.

import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** The package entry, for child processes and workers. */
export const ENTRY = path.join(ROOT, 'index.js')
/** This module, for child processes that count their fds with fdCount. */
export const HELPERS = fileURLToPath(import.meta.url)

/** A fresh temporary directory, removed when the test ends. */
export function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eio-test-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Whether eio runs Linux's own calls (statx, O_PATH, splice, fallocate's modes...): true on
 * Linux, false on darwin and FreeBSD and for the portable build on Linux, which
 * `npm run test:portable-js` loads with EIO_PORTABLE=1 (crates/eio-core/src/sys/mod.rs).
 * Where it is false, the Linux-only calls reject with ENOSYS or substitute, as IO::AIO does.
 */
export const linuxCalls = process.platform === 'linux' && process.env.EIO_PORTABLE !== '1'

/**
 * What the portable code has, per platform. The portable build on Linux takes darwin's
 * branch where Linux can build it (no pipe2, fadvise, fdatasync) and FreeBSD's otherwise
 * (posix_fallocate, rename without flags): see crates/eio-core/src/sys/mod.rs.
 */
export const calls = {
  /** posix_fadvise: darwin has none. */
  fadvise: linuxCalls || process.platform === 'freebsd',
  /** pipe2 with flags (O_NONBLOCK...): darwin has only pipe, which takes none. */
  pipe2Flags: linuxCalls || process.platform === 'freebsd',
  /** rename's flags: renameat2 on Linux, renameatx_np on darwin; none on FreeBSD. */
  renameFlags: linuxCalls || process.platform === 'darwin',
  /** allocate mode 0: fallocate or posix_fallocate; darwin has neither. */
  allocate: process.platform !== 'darwin',
  /** A birth time: statx on Linux, st_birthtime on darwin and FreeBSD; Linux's stat has none. */
  birthtime: linuxCalls || process.platform !== 'linux',
}

/** Whether this process can see its own fds and mappings in /proc (Linux's procfs). */
export const procfs = fs.existsSync('/proc/self/fdinfo')

/** Open fds of this process. */
export function fdCount() {
  if (procfs) return fs.readdirSync('/proc/self/fd').length
  // darwin's /dev/fd lists them all; FreeBSD's shows only 0-2 without fdescfs mounted.
  if (process.platform === 'darwin') return fs.readdirSync('/dev/fd').length
  let n = 0
  for (let fd = 0, gap = 0; gap < 1024; fd++) {
    try {
      fs.fstatSync(fd)
      n++
      gap = 0
    } catch {
      gap++
    }
  }
  return n
}

/** Runs `source` as an ES module in a child node; returns { status, signal, stdout, stderr }. */
export function runNode(source, { timeout = 30_000, args = [], env } = {}) {
  const r = spawnSync(process.execPath, [...args, '--input-type=module', '-e', source], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: env ?? process.env,
  })
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error }
}

/** Whether a command exists on PATH. */
export function have(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Asserts that `promise` rejects with Node's error shape; returns the error. */
export async function rejectsWith(t, promise, expected) {
  const err = await t.throwsAsync(promise)
  for (const [k, v] of Object.entries(expected)) t.is(err?.[k], v, `error.${k}`)
  return err
}

// Shared test helpers: temporary directories, fd counting, child processes.

import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** The package entry, for child processes and workers. */
export const ENTRY = path.join(ROOT, 'index.js')

/** A fresh temporary directory, removed when the test ends. */
export function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eio-test-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Open fds of this process. */
export function fdCount() {
  return fs.readdirSync('/proc/self/fd').length
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

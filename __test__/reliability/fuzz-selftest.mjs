// Deliberately broken stand-ins for eio functions, which the fuzzer must catch: proof that
// its checks can fail (fuzz.spec.mjs runs fuzz-child.mjs against each of them).

import fs from 'node:fs'

const einval = () => Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL', errno: -22, syscall: 'write' })

/** Writes into the sentinel file, then reports failure. */
export async function writesThenFails() {
  fs.appendFileSync('sentinel', 'oops')
  throw einval()
}

/** Rejects its arguments only after creating a file. */
export async function validatesLate() {
  fs.writeFileSync('new', '')
  throw Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' })
}

/** Throws synchronously, as a request never may. */
export function throwsSynchronously() {
  throw Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' })
}

/** Rejects with something that is not a Node-style error. */
export async function rejectsPlainly() {
  throw new Error('no code')
}

/** Never settles. */
export function hangs() {
  return new Promise(() => {})
}

/** Touches the tree outside the sandbox through the box's symlink. */
export async function escapes() {
  fs.chmodSync('link-out/secret', 0o600)
}

/** Crashes the process. */
export async function crashes() {
  process.kill(process.pid, 'SIGSEGV')
}

#!/usr/bin/env node
// rm -r, safely: removes each PATH and, for a directory, everything below it with
// `rmtree`, which never follows a symlink out of the tree, even one swapped in while it
// runs (a PATH that is a file or a symlink is unlinked). It refuses '/',
// '.', '..', your home directory and any directory that contains the current one. Ctrl-C
// aborts: requests not yet started are dropped, the ones running finish, and what was not
// yet removed stays.
//
//   node examples/rm.mjs [-f] PATH...
//
// -f: a PATH that does not exist is not an error. Exit status: 0 when everything given
// was removed, 1 on an error or a refusal, 130 when interrupted.

import os from 'node:os'
import path from 'node:path'

import { lstat, realpath, rmtree, unlink } from 'io-aio'

const args = process.argv.slice(2)
const force = args[0] === '-f'
const targets = force ? args.slice(1) : args
if (targets.length === 0) {
  console.error('usage: rm.mjs [-f] PATH...')
  process.exit(1)
}

const controller = new AbortController()
process.once('SIGINT', () => {
  console.error('rm: interrupted, stopping')
  controller.abort()
})

/** Why removing `target` would be a mistake, or undefined. */
async function refusal(target) {
  if (['.', '..'].includes(path.basename(target))) return "refusing to remove '.' or '..'"
  let real
  try {
    real = await realpath(target)
  } catch {
    return undefined // missing or unreadable: rmtree reports it
  }
  if (real === path.parse(real).root) return 'refusing to remove the root directory'
  if (real === os.homedir()) return 'refusing to remove your home directory'
  const cwd = process.cwd()
  if (cwd === real || cwd.startsWith(real + path.sep)) return 'refusing to remove a directory containing the current one'
  return undefined
}

let status = 0
for (const target of targets) {
  if (controller.signal.aborted) break
  const why = await refusal(target)
  if (why) {
    console.error(`rm: ${target}: ${why}`)
    status = 1
    continue
  }
  try {
    const { signal } = controller
    const st = await lstat(target, { signal })
    await (st.isDirectory() ? rmtree(target, { signal }) : unlink(target, { signal }))
  } catch (err) {
    if (err.name === 'AbortError') break
    if (err.code === 'ENOENT' && force) continue
    console.error(`rm: ${err.message}`)
    status = 1
  }
}
process.exitCode = controller.signal.aborted ? 130 : status

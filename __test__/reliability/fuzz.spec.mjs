// Property-based tests over every exported function: hostile arguments (NaN, ±Infinity,
// -0, 2**53+1, huge bigints, offsets past buffer ends, NUL bytes, non-file URLs, detached
// buffers, revoked proxies, throwing getters, Symbols, functions...) either work or fail
// with a Node-style error; never a crash, a hang, a synchronous throw from a request, or a
// side effect the call did not ask for. The fuzzing itself happens in fuzz-child.mjs, one
// child process per function, so that a crash is reported as that function's and the
// child's sandbox (a private tmpfs when we can mount one) bounds what a call can touch.
//
// New exports are picked up automatically. EIO_FUZZ_RUNS and EIO_FUZZ_SEED override the
// number of cases per function and the seed (printed on failure, to replay a run). The
// default seed is fixed so that `npm test` is repeatable; `EIO_FUZZ_SEED=random` explores
// (a random seed found the bugs behind the aborted-signal and Buffer-root walk tests).

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import * as eio from '../../index.js'
import { ROOT, have, procfs, tmpdir } from '../helpers.mjs'

const CHILD = path.join(ROOT, '__test__', 'reliability', 'fuzz-child.mjs')
const RUNS = Number(process.env.EIO_FUZZ_RUNS ?? 40)
const SEED = process.env.EIO_FUZZ_SEED === 'random'
  ? Date.now() % 2 ** 31
  : Number(process.env.EIO_FUZZ_SEED ?? 20261125)

// Not fuzzed: whole-system effects that must never run in a loop on a shared machine.
const SKIP = new Map([
  ['sync', 'syncs every filesystem of the machine'],
  ['mlockall', 'locks all of the process memory'],
])

const canMount = process.getuid?.() === 0 && have('unshare') && have('mount')
if (!canMount) {
  // Without a private tmpfs, a valid allocate()/syncfs() would reach the real disk.
  SKIP.set('allocate', 'needs a private tmpfs (root and unshare)')
  SKIP.set('syncfs', 'needs a private tmpfs (root and unshare)')
}

const functions = Object.entries(eio)
  .filter(([name, v]) => typeof v === 'function' && !/^[A-Z]/.test(name)) // classes are not calls
  .map(([name]) => name)
  .sort()

test.serial('the fuzzer sees the exports', (t) => {
  t.log(`seed ${SEED}, ${RUNS} cases per function, ${functions.length} functions${canMount ? ', on a private tmpfs' : ''}`)
  t.true(functions.includes('open') && functions.includes('readdir'))
})

/**
 * Runs fuzz-child.mjs for `name`; returns { signal, status, out, log }. The child watches
 * its fds through Linux's /proc (what each one points to): elsewhere the fuzz tests pass
 * with a note (they run on Linux, with both builds).
 */
function fuzz(t, name, runs = RUNS) {
  const work = tmpdir(t)
  const root = path.join(work, 'root')
  const result = path.join(work, 'result.json')
  const stderr = path.join(work, 'stderr.log')
  fs.mkdirSync(root)
  const argv = [CHILD, root, name, String(runs), String(SEED), result]
  const quoted = [process.execPath, ...argv].map((a) => `'${a}'`).join(' ')
  const shell = canMount
    ? `unshare -m --propagation private sh -c "mount -t tmpfs -o size=16m,mode=0755 none '${root}' && exec ${quoted}"`
    : `exec ${quoted}`
  // The child's stdio is /dev/null and a log file: a fuzzed write(1, ...) or close(2)
  // must hit nothing that matters.
  const err = fs.openSync(stderr, 'w')
  const r = spawnSync('sh', ['-c', shell], { stdio: ['ignore', 'ignore', err], timeout: 100_000 })
  fs.closeSync(err)
  const out = fs.existsSync(result) ? JSON.parse(fs.readFileSync(result, 'utf8')) : null
  return { signal: r.signal, status: r.status, out, log: fs.readFileSync(stderr, 'utf8') }
}

for (const name of functions) {
  test.serial(`fuzz ${name}`, (t) => {
    if (SKIP.has(name)) return t.pass(`not fuzzed: ${SKIP.get(name)}`)
    if (!procfs) return t.pass('the fuzzer needs Linux\'s /proc')
    const { signal, status, out, log } = fuzz(t, name)
    if (status !== 0) t.log(log.slice(-4000))
    t.is(signal, null, `the child died of ${signal}`)
    t.is(status, 0, 'the child exited cleanly')
    if (out.failure) t.log(`seed ${SEED}:`, out.failure)
    t.is(out.failure, null)
    t.log(`${out.cases} cases: ${out.resolved} fulfilled; rejected ${JSON.stringify(out.codes)}`)
    t.true(out.cases >= Math.min(RUNS, 10), 'enough cases ran')
  })
}

// The checks themselves must be able to fail: each broken stand-in is caught.
const selftests = {
  writesThenFails: /rejection modified the sentinel/,
  validatesLate: /the sandbox after a ERR_INVALID_ARG_TYPE rejection changed/,
  throwsSynchronously: /threw synchronously/,
  rejectsPlainly: /non-Node error/,
  hangs: /hang:/,
  escapes: /outside the sandbox changed/,
}
for (const [name, expected] of Object.entries(selftests)) {
  test.serial(`the fuzzer catches a function that ${name}`, (t) => {
    if (!procfs) return t.pass('the fuzzer needs Linux\'s /proc')
    const { out } = fuzz(t, `selftest:${name}`, 3)
    t.regex(out?.failure ?? '', expected)
  })
}

test.serial('the fuzzer reports a crash as the child dying', (t) => {
  if (!procfs) return t.pass('the fuzzer needs Linux\'s /proc')
  const { signal, status } = fuzz(t, 'selftest:crashes', 3)
  t.true(signal === 'SIGSEGV' || status === 128 + 11, `signal ${signal}, status ${status}`) // sh may report it as 139
})

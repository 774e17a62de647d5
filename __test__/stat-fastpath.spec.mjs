// The stat/lstat fast path: answered on the JS thread only for serial use, never for a
// burst (the pool's threads do that work), never while the pool is paused, and never for
// an error (errors come from the pool with their exact cause). Each case runs in a fresh
// process, so that nthreads() tells whether the pool was used at all.

import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

import { ENTRY, linuxCalls, runNode, tmpdir } from './helpers.mjs'

function child(t, body) {
  const r = runNode(`import * as eio from ${JSON.stringify(ENTRY)}\n${body}`)
  t.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

/** Whether `dir` is on a filesystem the fast path trusts (ext2/3/4, xfs, btrfs, tmpfs). */
function localFs(dir) {
  const type = fs.statfsSync(dir).type
  return [0xef53, 0x58465342, 0x9123683e, 0x01021994].includes(type)
}

test('serial stats are answered without the pool, and agree with fs.statSync', (t) => {
  const dir = tmpdir(t)
  if (linuxCalls && !localFs(dir)) return t.pass(`${dir} is not on a local filesystem the fast path trusts`)
  const file = path.join(dir, 'f')
  fs.writeFileSync(file, 'abc')
  const out = child(
    t,
    `const a = []
     for (let i = 0; i < 100; i++) a.push((await eio.lstat(${JSON.stringify(file)})).ino)
     const st = await eio.stat(${JSON.stringify(file)})
     console.log(JSON.stringify({ threads: eio.nthreads(), inos: [...new Set(a)], size: st.size }))`,
  )
  // The fast path is openat2(RESOLVE_CACHED) + statx, Linux's: elsewhere the pool answers.
  if (linuxCalls) t.is(out.threads, 0, 'no pool thread was needed')
  else t.true(out.threads > 0, 'no fast path: the pool answered')
  t.deepEqual(out.inos, [fs.statSync(file).ino])
  t.is(out.size, 3)
})

test('a burst of stats goes to the pool threads', (t) => {
  const dir = tmpdir(t)
  const out = child(
    t,
    `await Promise.all(Array.from({ length: 2000 }, () => eio.lstat(${JSON.stringify(dir)})))
     console.log(JSON.stringify({ threads: eio.nthreads() }))`,
  )
  t.true(out.threads > 0, 'the pool did the work')
})

test('with the pool paused a stat waits in the queue', (t) => {
  const dir = tmpdir(t)
  const out = child(
    t,
    `eio.configure({ maxParallel: 0 })
     let done = false
     const p = eio.stat(${JSON.stringify(dir)}).then(() => { done = true })
     await new Promise((r) => setTimeout(r, 50))
     const before = { done, nready: eio.nready() }
     eio.configure({ maxParallel: 2 })
     await p
     console.log(JSON.stringify({ before, after: done }))`,
  )
  t.deepEqual(out, { before: { done: false, nready: 1 }, after: true })
})

test('a failing serial stat rejects with the exact error', (t) => {
  const dir = tmpdir(t)
  const missing = path.join(dir, 'missing')
  const out = child(
    t,
    `const e = await eio.stat(${JSON.stringify(missing)}).catch((e) => e)
     console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }))`,
  )
  t.deepEqual(out, { code: 'ENOENT', errno: -2, syscall: 'stat', path: missing })
})

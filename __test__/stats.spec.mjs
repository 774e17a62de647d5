// stat, lstat and stat(fd) with { bigint: true }: Node's BigIntStats, field for field as
// fs.statSync(p, { bigint: true }) gives it, whether the stat was answered on the JS thread
// (serial use, cached) or by the pool.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, calls, have, linuxCalls, runNode, tmpdir } from './helpers.mjs'

const BIGINT_KEYS = [
  'dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'blksize', 'ino', 'size', 'blocks',
  'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs', 'atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs',
  'atime', 'mtime', 'ctime', 'birthtime',
]
const IS = ['isFile', 'isDirectory', 'isSymbolicLink', 'isBlockDevice', 'isCharacterDevice', 'isFIFO', 'isSocket']

function sameBigIntStats(t, mine, theirs, what) {
  t.true(mine instanceof eio.BigIntStats, `${what}: instanceof eio.BigIntStats`)
  t.deepEqual(Object.keys(mine), Object.keys(theirs), `${what}: the fields, in Node's order`)
  t.deepEqual(Object.keys(mine), BIGINT_KEYS)
  // Linux's struct stat has no birth time (node's comes from statx): the portable build says 0.
  const noBirth = !calls.birthtime
  for (const k of BIGINT_KEYS) {
    if (noBirth && k.startsWith('birthtime')) {
      t.is(k === 'birthtime' ? mine[k].getTime() : mine[k], k === 'birthtime' ? 0 : 0n, `${what}: ${k}`)
    } else if (mine[k] instanceof Date) {
      t.is(mine[k].getTime(), theirs[k].getTime(), `${what}: ${k}`)
    } else {
      t.is(typeof mine[k], 'bigint', `${what}: ${k} is a bigint`)
      t.is(mine[k], theirs[k], `${what}: ${k}`)
    }
  }
  for (const m of IS) t.is(mine[m](), theirs[m](), `${what}: ${m}()`)
}

/** A file whose times have nanoseconds a double cannot hold next to their seconds. */
function nanoFile(dir) {
  const f = path.join(dir, 'file')
  fs.writeFileSync(f, 'some content')
  if (have('touch')) execFileSync('touch', ['-d', '2020-01-01 00:00:00.123456789', f])
  return f
}

test('stat and lstat with bigint: one at a time (answered on the JS thread where cached) equal fs.statSync', async (t) => {
  const dir = tmpdir(t)
  const f = nanoFile(dir)
  const link = path.join(dir, 'link')
  fs.symlinkSync('file', link)
  for (const p of [f, dir, link, '/dev/null']) {
    sameBigIntStats(t, await eio.stat(p, { bigint: true }), fs.statSync(p, { bigint: true }), `stat ${p}`)
    sameBigIntStats(t, await eio.lstat(p, { bigint: true }), fs.lstatSync(p, { bigint: true }), `lstat ${p}`)
  }
  if (have('touch')) {
    const st = await eio.stat(f, { bigint: true })
    // Exact to the nanosecond, which a double of milliseconds since 1970 is not.
    t.is(st.mtimeNs % 1_000_000_000n, 123_456_789n)
    t.is(st.mtimeMs, st.mtimeNs / 1_000_000n)
  }
})

test('stat and lstat with bigint: many at once (the pool) and of an fd equal fs.statSync', async (t) => {
  const dir = tmpdir(t)
  const f = nanoFile(dir)
  const paths = [f, dir, '/dev/null', '/']
  const mine = await Promise.all(paths.flatMap((p) => [eio.stat(p, { bigint: true }), eio.lstat(p, { bigint: true })]))
  paths.forEach((p, i) => {
    sameBigIntStats(t, mine[2 * i], fs.statSync(p, { bigint: true }), `stat ${p}`)
    sameBigIntStats(t, mine[2 * i + 1], fs.lstatSync(p, { bigint: true }), `lstat ${p}`)
  })
  const fd = fs.openSync(f, 'r')
  t.teardown(() => fs.closeSync(fd))
  sameBigIntStats(t, await eio.stat(fd, { bigint: true }), fs.fstatSync(fd, { bigint: true }), 'stat(fd)')
  // Without the option, or with false: plain Stats.
  t.true((await eio.stat(fd, { bigint: false })) instanceof eio.Stats)
  t.true((await eio.lstat(f, {})) instanceof eio.Stats)
})

test('stat with a bigint option that is not a boolean rejects with ERR_INVALID_ARG_TYPE', async (t) => {
  for (const bigint of ['yes', 1, null]) {
    await t.throwsAsync(eio.stat('/', { bigint }), { code: 'ERR_INVALID_ARG_TYPE' })
    await t.throwsAsync(eio.lstat('/', { bigint }), { code: 'ERR_INVALID_ARG_TYPE' })
  }
})

test('a serial bigint stat is answered on the JS thread where the kernel caches allow', (t) => {
  const dir = tmpdir(t)
  const f = nanoFile(dir)
  const r = runNode(
    `import * as eio from ${JSON.stringify(ENTRY)}
     const st = await eio.lstat(${JSON.stringify(f)}, { bigint: true })
     console.log(JSON.stringify({ threads: eio.nthreads(), ns: String(st.mtimeNs), ino: String(st.ino) }))`,
  )
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  const theirs = fs.lstatSync(f, { bigint: true })
  t.deepEqual([out.ns, out.ino], [String(theirs.mtimeNs), String(theirs.ino)])
  // The fast path is Linux's openat2(RESOLVE_CACHED), on filesystems whose getattr never blocks.
  const local = [0xef53, 0x58465342, 0x9123683e, 0x01021994].includes(fs.statfsSync(dir).type)
  if (linuxCalls && local) t.is(out.threads, 0, 'no pool thread was needed')
})

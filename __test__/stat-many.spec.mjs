// statMany / lstatMany: the stat family's batch form, against node:fs. One request and one
// promise for N paths; a path that fails is reported in its place, never by rejecting.

import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import test from 'ava'

import * as eio from '../index.js'
import { calls, tmpdir } from './helpers.mjs'

const STAT_KEYS = ['dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'blksize', 'ino', 'size', 'blocks', 'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs']
const BIGINT_KEYS = [...STAT_KEYS, 'atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs']
const IS = ['isFile', 'isDirectory', 'isSymbolicLink', 'isBlockDevice', 'isCharacterDevice', 'isFIFO', 'isSocket']

function sameStats(t, mine, theirs, what, bigint = false) {
  t.true(mine instanceof (bigint ? eio.BigIntStats : eio.Stats), `${what}: its class`)
  if (!bigint) t.true(mine instanceof fs.Stats, `${what}: instanceof fs.Stats`)
  // Linux's struct stat has no birth time (node's comes from statx): the portable build says 0.
  for (const k of bigint ? BIGINT_KEYS : STAT_KEYS) {
    const want = !calls.birthtime && k.startsWith('birthtime') ? (bigint ? 0n : 0) : theirs[k]
    t.is(mine[k], want, `${what}: ${k}`)
  }
  t.is(mine.mtime.getTime(), theirs.mtime.getTime(), `${what}: mtime`)
  for (const m of IS) t.is(mine[m](), theirs[m](), `${what}: ${m}()`)
}

/** A directory with a file, a subdirectory, a symlink to the file and a dangling one. */
function tree(t) {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'file'), 'some content')
  fs.utimesSync(path.join(dir, 'file'), 1000.0007, 2000.0005)
  fs.mkdirSync(path.join(dir, 'sub'))
  fs.symlinkSync('file', path.join(dir, 'link'))
  fs.symlinkSync('nowhere', path.join(dir, 'dangling'))
  fs.symlinkSync('loop', path.join(dir, 'loop'))
  return dir
}

/** What fs says of `p`: its Stats, or its error. */
function nodeSays(p, follow, bigint = false) {
  try {
    return follow ? fs.statSync(p, { bigint }) : fs.lstatSync(p, { bigint })
  } catch (err) {
    return err
  }
}

function sameResults(t, list, paths, follow, bigint = false) {
  t.true(list instanceof eio.StatsList)
  t.is(list.length, paths.length)
  for (let i = 0; i < paths.length; i++) {
    const want = nodeSays(paths[i], follow, bigint)
    const got = list.at(i)
    const what = `${follow ? 'stat' : 'lstat'} ${paths[i]}`
    if (want instanceof Error) {
      t.true(got instanceof Error, `${what}: an error`)
      for (const k of ['code', 'errno', 'syscall', 'path']) t.is(got[k], want[k], `${what}: error.${k}`)
      t.is(got.message, want.message, `${what}: the message`)
      t.is(list.error(i)?.code, want.code)
      t.is(list.stats(i), undefined)
    } else {
      sameStats(t, got, want, what, bigint)
      t.is(list.stats(i)?.ino, want.ino)
      t.is(list.error(i), undefined)
    }
  }
}

test('lstatMany and statMany: each result equals fs.lstatSync / fs.statSync, errors in their place', async (t) => {
  const dir = tree(t)
  const names = ['file', 'sub', 'link', 'dangling', 'missing', 'file/below', 'loop', 'sub', 'file']
  const paths = [...names.map((n) => path.join(dir, n)), '/dev/null', '/']
  sameResults(t, await eio.lstatMany(paths), paths, false)
  sameResults(t, await eio.statMany(paths), paths, true)
  // The codes themselves, not only "as node's".
  const list = await eio.statMany(paths)
  t.deepEqual([3, 4, 5, 6].map((i) => list.error(i)?.code), ['ENOENT', 'ENOENT', 'ENOTDIR', 'ELOOP'])
})

test('lstatMany with { bigint: true }: BigIntStats equal to fs.lstatSync(p, { bigint: true })', async (t) => {
  const dir = tree(t)
  const paths = ['file', 'sub', 'link', 'missing'].map((n) => path.join(dir, n))
  sameResults(t, await eio.lstatMany(paths, { bigint: true }), paths, false, true)
  sameResults(t, await eio.statMany(paths, { bigint: true, priority: 2 }), paths, true, true)
})

test('paths may be relative (to the cwd at the call), empty, Buffers or file: URLs', async (t) => {
  const dir = tree(t)
  const rel = path.relative(process.cwd(), path.join(dir, 'file'))
  const paths = [rel, '', Buffer.from(path.join(dir, 'sub')), pathToFileURL(path.join(dir, 'link')), 'no-such-file-here']
  const list = await eio.lstatMany(paths)
  t.is(list.length, 5)
  sameStats(t, list.at(0), fs.lstatSync(rel), 'relative')
  t.is(list.error(1).code, 'ENOENT')
  t.is(list.error(1).path, '')
  sameStats(t, list.at(2), fs.lstatSync(path.join(dir, 'sub')), 'Buffer')
  sameStats(t, list.at(3), fs.lstatSync(path.join(dir, 'link')), 'URL')
  t.is(list.error(4).path, 'no-such-file-here')
})

test('many paths, spread over the pool, come back in their order', async (t) => {
  const dir = tmpdir(t)
  const paths = []
  for (let i = 0; i < 3000; i++) {
    const p = path.join(dir, `f${i}`)
    if (i % 7 !== 3) fs.writeFileSync(p, 'x'.repeat(i % 50))
    paths.push(p)
  }
  // The same files several times over: more parts than threads.
  const all = [...paths, ...paths, ...paths, ...paths]
  const list = await eio.lstatMany(all)
  t.is(list.length, all.length)
  let checked = 0
  for (let i = 0; i < all.length; i++) {
    const want = nodeSays(all[i], false)
    const got = list.at(i)
    if (want instanceof Error) {
      if (got?.code !== 'ENOENT') t.fail(`${i}: ${got}`)
    } else if (got?.ino !== want.ino || got.size !== want.size) {
      t.fail(`${i}: ${got?.ino}/${got?.size} against ${want.ino}/${want.size}`)
    }
    checked++
  }
  t.is(checked, 12000)
  t.is([...list].length, all.length)
})

test('the list: at() counts back from the end, is undefined outside, iterates in order', async (t) => {
  const dir = tree(t)
  const paths = ['file', 'missing', 'sub'].map((n) => path.join(dir, n))
  const list = await eio.lstatMany(paths)
  t.is(list.at(-1).ino, fs.lstatSync(paths[2]).ino)
  t.is(list.at(-3).ino, fs.lstatSync(paths[0]).ino)
  for (const i of [3, -4, 100, Infinity, -Infinity]) t.is(list.at(i), undefined, `at(${i})`)
  t.is(list.at(0.9).ino, list.at(0).ino)
  t.is(list.at(NaN).ino, list.at(0).ino)
  t.is(list.stats(1), undefined)
  t.is(list.error(5), undefined)
  const items = Array.from(list)
  t.is(items.length, 3)
  t.true(items[0] instanceof eio.Stats && items[1] instanceof Error && items[2].isDirectory())
  t.is((await eio.lstatMany([])).length, 0)
})

test.serial('bad arguments reject with Node codes, nothing is submitted, nothing throws', async (t) => {
  const cases = [
    [() => eio.lstatMany('file'), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.lstatMany(undefined), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.statMany(new Set(['/'])), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.lstatMany(['/', 42]), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.lstatMany(['/', null]), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.lstatMany([eio.CWD]), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.lstatMany(['/', 'a\u0000b']), 'ERR_INVALID_ARG_VALUE'],
    [() => eio.lstatMany([Buffer.from('a\u0000b')]), 'ERR_INVALID_ARG_VALUE'],
    [() => eio.lstatMany(['/'], { nope: 1 }), 'ERR_INVALID_ARG_VALUE'],
    [() => eio.statMany(['/'], { bigint: 'yes' }), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.statMany(['/'], { priority: 9 }), 'ERR_OUT_OF_RANGE'],
    [() => eio.statMany(['/'], 'options'), 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [call, code] of cases) {
    let p
    t.notThrows(() => {
      p = call()
    })
    await t.throwsAsync(p, { code })
  }
  const err = await t.throwsAsync(eio.lstatMany(['/', 7]))
  t.regex(err.message, /paths\[1\]/)
  t.is(eio.nreqs(), 0)
})

test.serial('an abort rejects with AbortError, queued or running, and leaves nothing behind', async (t) => {
  const already = new AbortController()
  already.abort()
  await t.throwsAsync(eio.lstatMany(['/'], { signal: already.signal }), { name: 'AbortError', code: 'ABORT_ERR' })
  t.is(eio.nreqs(), 0)

  eio.configure({ maxParallel: 0 })
  try {
    const queued = new AbortController()
    const p = eio.lstatMany(['/', '/tmp'], { signal: queued.signal })
    queued.abort()
    await t.throwsAsync(p, { name: 'AbortError' })
  } finally {
    eio.configure({ maxParallel: 8 })
  }
  // Aborted as it starts running: the parts not yet run are skipped.
  const paths = Array.from({ length: 20000 }, () => '/')
  const running = new AbortController()
  const p = eio.lstatMany(paths, { signal: running.signal })
  setImmediate(() => running.abort())
  await t.throwsAsync(p, { name: 'AbortError' })
  await eio.flush()
  t.is(eio.nreqs(), 0)
})

test('groups: a statMany joins its group, and cancelling the group rejects it', async (t) => {
  const grp = eio.group()
  const p = eio.statMany(['/', '/tmp'], { group: grp })
  grp.cancel()
  await t.throwsAsync(p, { name: 'AbortError' })
  const ok = eio.group()
  const list = await eio.statMany(['/'], { group: ok })
  await ok
  t.is(list.at(0).ino, fs.statSync('/').ino)
})

test.serial('with maxParallel 1 a large batch still completes, on one thread', async (t) => {
  eio.configure({ maxParallel: 1 })
  try {
    const paths = Array.from({ length: 5000 }, (_, i) => (i % 2 ? '/' : '/no/such/path'))
    const list = await eio.lstatMany(paths)
    t.is(list.at(4999).ino, fs.lstatSync('/').ino)
    t.is(list.error(4998).code, 'ENOENT')
    t.true(eio.nthreads() <= 1)
  } finally {
    eio.configure({ maxParallel: 8 })
  }
})

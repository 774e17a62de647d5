// Streaming directory scans: readdirIter and walk, checked against node:fs.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, HELPERS, calls, fdCount, have, runNode } from './helpers.mjs'

const { DT_DIR, DT_REG, DT_LNK, DT_FIFO, DT_SOCK, DT_CHR, DT_BLK } = eio.constants

// Fixtures of many entries live on tmpfs where there is one: creating 100k entries on a
// disk filesystem shared by busy neighbours takes minutes.
const FIXTURES = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir()

/** A fresh directory for fixtures, removed when the test ends. */
function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(FIXTURES, 'eio-scan-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The DT_* of a node:fs Dirent. */
function dtOf(d) {
  if (d.isFile()) return DT_REG
  if (d.isDirectory()) return DT_DIR
  if (d.isSymbolicLink()) return DT_LNK
  if (d.isFIFO()) return DT_FIFO
  if (d.isSocket()) return DT_SOCK
  if (d.isCharacterDevice()) return DT_CHR
  if (d.isBlockDevice()) return DT_BLK
  return 0
}

/** `relative path \t type` of every entry below `root`, as node:fs sees them. */
function fsListing(root) {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .map((d) => `${path.relative(root, path.join(d.parentPath ?? d.path, d.name))}\t${dtOf(d)}`)
    .sort()
}

async function walkListing(root, options) {
  const out = []
  for await (const e of eio.walk(root, options)) {
    out.push(`${path.relative(root, e.path)}\t${e.type}`)
  }
  return out.sort()
}

async function collect(iterable) {
  const out = []
  for await (const e of iterable) out.push(e)
  return out
}

/**
 * A tree of about `total` entries: directories of 16 files (some symlinks to files or
 * directories, one dangling) and 3 subdirectories, breadth first.
 */
function makeTree(root, total) {
  let count = 0
  const queue = [root]
  while (count < total && queue.length > 0) {
    const dir = queue.shift()
    for (let i = 0; i < 16 && count < total; i++, count++) {
      const p = path.join(dir, `f${i}`)
      if (i % 4 === 3) fs.symlinkSync(i === 15 ? 'nowhere' : i === 11 ? '.' : 'f0', p)
      else fs.closeSync(fs.openSync(p, 'w'))
    }
    for (let i = 0; i < 3 && count < total; i++, count++) {
      const p = path.join(dir, `d${i}`)
      fs.mkdirSync(p)
      queue.push(p)
    }
  }
  return count
}

// One large tree shared by the tests that only read it.
const bigRoot = fs.mkdtempSync(path.join(FIXTURES, 'eio-scan-big-'))
test.before(() => {
  makeTree(bigRoot, 100_000)
})
test.after.always(() => fs.rmSync(bigRoot, { recursive: true, force: true }))

test('walk of a 100k-entry tree gives the entries and types node:fs gives', async (t) => {
  const want = fsListing(bigRoot)
  t.true(want.length >= 100_000)
  const got = await walkListing(bigRoot)
  t.is(got.length, want.length)
  t.deepEqual(got, want)
})

test('walk entries: path is root joined with the relative path, name its last part, depth its level', async (t) => {
  const entries = await collect(eio.walk(bigRoot, { maxDepth: 2 }))
  const bad = entries.filter((e) => {
    const rel = path.relative(bigRoot, e.path)
    return e.path !== `${bigRoot}/${rel}` || e.name !== path.basename(rel) || e.depth !== rel.split('/').length - 1
  })
  t.deepEqual(bad, [])
  t.true(entries.some((e) => e.depth === 2))
  // A relative root stays relative (resolved against the cwd of the call); a trailing
  // slash is not doubled.
  const rel = path.relative(process.cwd(), bigRoot)
  for (const root of [rel, `${rel}/`]) {
    const top = await collect(eio.walk(root, { maxDepth: 0 }))
    t.deepEqual(top.map((e) => e.path).sort(), fs.readdirSync(bigRoot).map((n) => `${rel}/${n}`).sort())
  }
})

test('walk: a directory always comes before what is in it, however many reads run', async (t) => {
  for (const concurrency of [1, 16]) {
    const seen = new Set([bigRoot])
    let early = 0
    for await (const e of eio.walk(bigRoot, { concurrency })) {
      if (!seen.has(e.parentPath)) early++
      if (e.type === DT_DIR) seen.add(e.path)
    }
    t.is(early, 0, `concurrency ${concurrency}`)
    t.true(seen.size > 1000)
  }
})

test('walk with maxDepth', async (t) => {
  const all = fsListing(bigRoot)
  for (const maxDepth of [0, 1, 3]) {
    const want = all.filter((l) => l.split('\t')[0].split('/').length - 1 <= maxDepth)
    t.deepEqual(await walkListing(bigRoot, { maxDepth }), want, `maxDepth ${maxDepth}`)
  }
})

test('walk with concurrency 1 and many gives the same entries', async (t) => {
  const want = await walkListing(bigRoot, { maxDepth: 4 })
  t.deepEqual(await walkListing(bigRoot, { maxDepth: 4, concurrency: 1 }), want)
  t.deepEqual(await walkListing(bigRoot, { maxDepth: 4, concurrency: 64, priority: 3 }), want)
})

test('walk: break closes every fd and cancels the queued reads', async (t) => {
  // How many reads are queued when the first batch arrives still depends on what the
  // pool's thread did before the pause (one was seen in a gate): a run with fewer than
  // two checks less, so it runs again, and every run must leave nothing behind.
  let queued = 0
  for (let attempt = 1; attempt <= 5 && queued <= 1; attempt++) {
    const out = breakWalkInChild(t)
    t.is(out.after, 0)
    t.is(out.nreqs, 0)
    t.is(out.leaked, 0)
    queued = out.queued
    if (queued <= 1) t.log(`attempt ${attempt}: ${queued} read queued at the pause`)
  }
  t.true(queued > 1, `reads were queued (${queued})`)
})

/** Breaks out of a walk whose reads wait behind a paused pool, in a child process. */
function breakWalkInChild(t) {
  // In a child: pausing the pool there cannot stall other tests.
  const r = runNode(`
    import * as eio from ${JSON.stringify(ENTRY)}
    import { fdCount as fds } from ${JSON.stringify(HELPERS)}
    await eio.nop()
    const before = fds()
    // The pool pauses when the first batch arrives, before the walk starts more reads (the
    // predicate runs then): pausing it after \`await it.next()\` let a loaded machine's
    // thread run every read first.
    let paused = false
    const exclude = () => {
      if (!paused) eio.configure({ maxParallel: 0 })
      paused = true
      return false
    }
    const it = eio.walk(${JSON.stringify(bigRoot)}, { concurrency: 16, exclude })
    await it.next()
    const queued = eio.nready()
    await it.return()
    const after = eio.nready()
    eio.configure({ maxParallel: 8 })
    await eio.flush()
    console.log(JSON.stringify({ queued, after, nreqs: eio.nreqs(), leaked: fds() - before }))
  `)
  t.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

// Serial: it counts this process's fds (or requests).
test.serial('walk: break in a for-await loop frees what it held', async (t) => {
  await eio.nop()
  const before = fdCount()
  let n = 0
  for await (const e of eio.walk(bigRoot)) {
    if (++n === 3000) break
    t.truthy(e.path)
  }
  await eio.flush()
  t.is(fdCount(), before)
  t.is(eio.nreqs(), 0)
})

// Serial: it counts this process's fds (or requests).
test.serial('walk: abort via signal rejects the next step and stops', async (t) => {
  await eio.nop()
  const before = fdCount()
  const ac = new AbortController()
  let n = 0
  const err = await t.throwsAsync(async () => {
    for await (const e of eio.walk(bigRoot, { signal: ac.signal })) {
      if (++n === 1000) ac.abort(new Error('enough'))
      t.truthy(e)
    }
  })
  t.is(n, 1000)
  t.is(err.name, 'AbortError')
  t.is(err.code, 'ABORT_ERR')
  t.is(err.cause?.message, 'enough')
  await eio.flush()
  t.is(fdCount(), before)

  // An already-aborted signal submits nothing.
  const it = eio.walk(bigRoot, { signal: AbortSignal.abort() })
  t.is(eio.nreqs(), 0)
  const e2 = await t.throwsAsync(it.next())
  t.is(e2.code, 'ABORT_ERR')
  t.deepEqual(await it.next(), { done: true, value: undefined })
})

// Serial: it waits for this process's requests to drain.
test.serial('walk pauses reading while the consumer is slow', async (t) => {
  const dir = tmpdir(t)
  const total = makeTree(dir, 60_000)
  let errors = 0
  const it = eio.walk(dir, { concurrency: 4, onError: () => errors++ })
  await it.next()
  // Let the walk read all it wants to.
  while (eio.nreqs() > 0) await new Promise((resolve) => setTimeout(resolve, 5))
  // Then remove the tree: a walk that read ahead without bound has it all already (one
  // that holds directory fds would still find it after a rename).
  fs.rmSync(dir, { recursive: true })
  let n = 1
  for await (const e of it) n += e ? 1 : 0
  t.true(n < total / 2, `${n} of ${total} entries were read ahead`)
  t.true(errors > 0)
})

test('walk: concurrent next() calls get distinct entries, then the end', async (t) => {
  const dir = tmpdir(t)
  makeTree(dir, 50)
  const it = eio.walk(dir)
  const results = await Promise.all(Array.from({ length: 60 }, () => it.next()))
  const values = results.filter((r) => !r.done).map((r) => path.relative(dir, r.value.path))
  t.is(values.length, 50)
  t.is(new Set(values).size, 50)
  t.true(results.slice(50).every((r) => r.done))
})

/** root/{a/{f, b/{g, up -> ../..}}, x -> a, file-link -> a/f, dangling -> nope} */
function loopTree(t) {
  const root = tmpdir(t)
  fs.mkdirSync(path.join(root, 'a/b'), { recursive: true })
  fs.writeFileSync(path.join(root, 'a/f'), '')
  fs.writeFileSync(path.join(root, 'a/b/g'), '')
  fs.symlinkSync('../..', path.join(root, 'a/b/up'))
  fs.symlinkSync('a', path.join(root, 'x'))
  fs.symlinkSync('a/f', path.join(root, 'file-link'))
  fs.symlinkSync('nope', path.join(root, 'dangling'))
  return root
}

test('walk followSymlinks descends into symlinked directories and stops at loops', async (t) => {
  const root = loopTree(t)
  const base = ['a\t4', 'a/f\t8', 'a/b\t4', 'a/b/g\t8', 'a/b/up\t10', 'x\t10', 'file-link\t10', 'dangling\t10']
  t.deepEqual(await walkListing(root), base.sort())
  // x is a, file-link a file (their targets' types); up leads back to the root, an
  // ancestor: listed as the link it is, not entered; dangling stays a link.
  const followed = ['a\t4', 'a/f\t8', 'a/b\t4', 'a/b/g\t8', 'a/b/up\t10', 'x\t4', 'file-link\t8', 'dangling\t10']
  followed.push('x/f\t8', 'x/b\t4', 'x/b/g\t8', 'x/b/up\t10')
  followed.sort()
  t.deepEqual(await walkListing(root, { followSymlinks: true }), followed)
  t.deepEqual(
    await walkListing(root, { followSymlinks: true, maxDepth: 1 }),
    followed.filter((l) => l.split('/').length <= 2),
  )
})

test('walk followSymlinks detects loops across requests', async (t) => {
  // A root too large for one request: its subdirectories are read by later requests,
  // which must still know their ancestors.
  const root = tmpdir(t)
  for (let i = 0; i < 2100; i++) fs.symlinkSync('nope', path.join(root, `n${i}`))
  fs.mkdirSync(path.join(root, 'a/b'), { recursive: true })
  fs.symlinkSync('../..', path.join(root, 'a/b/up'))
  fs.symlinkSync('a', path.join(root, 'x'))
  const got = (await walkListing(root, { followSymlinks: true })).filter((l) => !l.startsWith('n'))
  t.deepEqual(got, ['a\t4', 'a/b\t4', 'a/b/up\t10', 'x\t4', 'x/b\t4', 'x/b/up\t10'])
})

test('walk: the root itself', async (t) => {
  const root = loopTree(t)
  // A symlink as the root is followed, whatever followSymlinks says.
  t.deepEqual(await walkListing(path.join(root, 'x')), ['b\t4', 'b/g\t8', 'b/up\t10', 'f\t8'])
  t.deepEqual(await collect(eio.walk(tmpdir(t))), [])
  for (const [p, code] of [
    [path.join(root, 'nope'), 'ENOENT'],
    [path.join(root, 'a/f'), 'ENOTDIR'],
    [path.join(root, 'dangling'), 'ENOENT'],
  ]) {
    // The root failing always rejects, even with onError.
    for (const options of [undefined, { onError() {} }]) {
      const err = await t.throwsAsync(collect(eio.walk(p, options)))
      t.like(err, { code, syscall: 'scandir', path: p })
      t.is(err.errno, -os.constants.errno[code])
    }
  }
})

// eio.wd comes from the names family: skipped until it is merged.
const withWd = typeof eio.wd === 'function' ? test : test.skip

withWd('walk from a Wd', async (t) => {
  const root = loopTree(t)
  const wd = await eio.wd(root)
  t.teardown(() => wd.close())
  const entries = await collect(eio.walk(wd))
  t.true(entries.every((e) => e.path.startsWith(`${wd.path}/`)))
  t.is(entries.length, 8)
  const sub = await collect(eio.walk([wd, 'a']))
  t.deepEqual(sub.map((e) => e.path).sort(), ['a/b', 'a/b/g', 'a/b/up', 'a/f'])
})

test('walk: bad arguments reject, never throw', async (t) => {
  const cases = [
    [1, undefined, 'ERR_INVALID_ARG_TYPE'],
    ['a\u0000b', undefined, 'ERR_INVALID_ARG_VALUE'],
    ['.', 'opts', 'ERR_INVALID_ARG_TYPE'],
    ['.', { maxDepth: -1 }, 'ERR_OUT_OF_RANGE'],
    ['.', { maxDepth: 1.5 }, 'ERR_OUT_OF_RANGE'],
    ['.', { maxDepth: '1' }, 'ERR_INVALID_ARG_TYPE'],
    ['.', { concurrency: 0 }, 'ERR_OUT_OF_RANGE'],
    ['.', { concurrency: 5000 }, 'ERR_OUT_OF_RANGE'],
    ['.', { followSymlinks: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
    ['.', { onError: 1 }, 'ERR_INVALID_ARG_TYPE'],
    ['.', { encoding: 'hex' }, 'ERR_INVALID_ARG_VALUE'],
    ['.', { priority: 9 }, 'ERR_OUT_OF_RANGE'],
    ['.', { signal: {} }, 'ERR_INVALID_ARG_TYPE'],
    ['.', { group: { add() {} } }, 'ERR_INVALID_ARG_VALUE'],
  ]
  for (const [root, options, code] of cases) {
    let it
    t.notThrows(() => {
      it = eio.walk(root, options)
    })
    const err = await t.throwsAsync(it.next())
    t.is(err.code, code, `${JSON.stringify(root)} ${JSON.stringify(options)}`)
  }
})

/** Runs `src` (an ES module printing JSON) as uid 65534, nobody; returns what it printed. */
function asNobody(t, src) {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', src], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  t.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

test('walk onError: skip an unreadable directory, or reject with it', async (t) => {
  if (!have('setpriv') || process.getuid() !== 0) {
    t.pass('needs root and setpriv')
    return
  }
  const root = tmpdir(t)
  fs.chmodSync(root, 0o755)
  // Small: the unreadable directory is met inside the request that reads the root.
  fs.mkdirSync(path.join(root, 'small/locked/inner'), { recursive: true })
  fs.writeFileSync(path.join(root, 'small/ok'), '')
  // Large: the root fills a request, so the unreadable directory is a request of its own.
  fs.mkdirSync(path.join(root, 'large/locked/inner'), { recursive: true })
  for (let i = 0; i < 2100; i++) fs.symlinkSync('x', path.join(root, `large/n${i}`))
  fs.chmodSync(path.join(root, 'small/locked'), 0o700)
  fs.chmodSync(path.join(root, 'large/locked'), 0o700)
  const src = `
    import * as eio from ${JSON.stringify(ENTRY)}
    const out = {}
    for (const tree of ['small', 'large']) {
      const root = ${JSON.stringify(root)} + '/' + tree
      const r = out[tree] = {}
      try { for await (const e of eio.walk(root)) {} ; r.rejected = null } catch (e) { r.rejected = { code: e.code, syscall: e.syscall, path: e.path } }
      const errors = []
      let n = 0
      for await (const e of eio.walk(root, { onError: (err) => { errors.push({ code: err.code, syscall: err.syscall, path: err.path }) } })) n++
      r.skipped = { n, errors }
      try { for await (const e of eio.walk(root, { onError: (err) => { throw new Error('mine') } })) {} } catch (e) { r.thrown = e.message }
    }
    console.log(JSON.stringify(out))
  `
  const out = asNobody(t, src)
  for (const [tree, entries] of [
    ['small', 2],
    ['large', 2101],
  ]) {
    const locked = path.join(root, tree, 'locked')
    const err = { code: 'EACCES', syscall: 'scandir', path: locked }
    t.deepEqual(out[tree].rejected, err, tree)
    t.deepEqual(out[tree].skipped, { n: entries, errors: [err] }, tree)
    t.is(out[tree].thrown, 'mine', tree)
  }
})

test('walk with encoding buffer keeps names that are not UTF-8', async (t) => {
  const root = tmpdir(t)
  const rootBuf = Buffer.from(root)
  const dirName = Buffer.from([0x64, 0xff]) // 'd\xff'
  const fileName = Buffer.from([0x66, 0xfe, 0x80]) // 'f\xfe\x80'
  fs.mkdirSync(Buffer.concat([rootBuf, Buffer.from('/'), dirName]))
  fs.writeFileSync(Buffer.concat([rootBuf, Buffer.from('/'), dirName, Buffer.from('/'), fileName]), '')
  const entries = await collect(eio.walk(root, { encoding: 'buffer' }))
  const byDepth = entries.sort((a, b) => a.depth - b.depth)
  t.is(entries.length, 2)
  t.true(Buffer.isBuffer(byDepth[0].name) && Buffer.isBuffer(byDepth[0].path))
  t.deepEqual(byDepth[0].name, dirName)
  t.deepEqual(byDepth[1].name, fileName)
  t.deepEqual(byDepth[1].path, Buffer.concat([rootBuf, Buffer.from('/'), dirName, Buffer.from('/'), fileName]))
  t.is(byDepth[1].type, DT_REG)
  // With strings, such a directory is still descended (its name shows U+FFFD).
  const strings = await collect(eio.walk(root))
  t.deepEqual(strings.map((e) => e.name).sort(), ['d\ufffd', 'f\ufffd\ufffd'])
})

test('walk descends non-UTF-8 directories handed over between requests', async (t) => {
  const root = tmpdir(t)
  for (let i = 0; i < 2100; i++) fs.symlinkSync('x', path.join(root, `n${i}`))
  const dir = Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0xff])])
  fs.mkdirSync(dir)
  fs.writeFileSync(Buffer.concat([dir, Buffer.from('/inner')]), '')
  const strings = await collect(eio.walk(root))
  t.deepEqual(
    strings.filter((e) => e.depth === 1).map((e) => e.path),
    [`${root}/\ufffd/inner`],
  )
  const buffers = await collect(eio.walk(root, { encoding: 'buffer' }))
  t.deepEqual(
    buffers.filter((e) => e.depth === 1).map((e) => e.path),
    [Buffer.concat([dir, Buffer.from('/inner')])],
  )
})

// readdirIter

test('readdirIter of a 200k-entry directory gives what readdirSync gives', async (t) => {
  const dir = tmpdir(t)
  for (let i = 0; i < 200_000; i++) fs.symlinkSync('t', path.join(dir, `entry-${i}`))
  fs.mkdirSync(path.join(dir, 'sub'))
  fs.writeFileSync(path.join(dir, 'file'), '')
  const want = fs.readdirSync(dir, { withFileTypes: true }).map((d) => `${d.name}\t${dtOf(d)}`)
  const got = []
  for await (const e of eio.readdirIter(dir)) got.push(`${e.name}\t${e.type}`)
  t.is(got.length, 200_002)
  t.deepEqual(got.sort(), want.sort())
  // Same order as the kernel's, and inode numbers as lstat gives them.
  const it = eio.readdirIter(dir)
  for (let i = 0; i < 3; i++) {
    const { value } = await it.next()
    t.is(value.ino, fs.lstatSync(path.join(dir, value.name)).ino)
  }
  await it.return()
})

test('readdirIter reads in batches: entries removed after the first batch never come', async (t) => {
  const dir = tmpdir(t)
  for (let i = 0; i < 40_000; i++) fs.symlinkSync('t', path.join(dir, `e${i}`))
  let n = 0
  for await (const e of eio.readdirIter(dir)) {
    if (n++ === 0) {
      // Whatever was not read yet is gone: a reader holding the whole directory would
      // still yield all 40,000.
      for (const name of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, name))
    }
    t.truthy(e.name)
  }
  t.true(n < 20_000, `${n} entries`)
})

// Serial: it counts this process's fds (or requests).
test.serial('readdirIter: break closes the directory', async (t) => {
  const dir = tmpdir(t)
  // More than two batches: the read-ahead batch cannot reach the end (which closes it).
  for (let i = 0; i < 30_000; i++) fs.symlinkSync('t', path.join(dir, `e${i}`))
  await eio.nop()
  const before = fdCount()
  let n = 0
  for await (const e of eio.readdirIter(dir)) {
    if (n++ === 5) {
      t.is(fdCount(), before + 1, 'the directory is open while iterating')
      break
    }
    t.truthy(e)
  }
  await eio.flush()
  t.is(fdCount(), before)
  // To the end: closed at the end without a return().
  const it = eio.readdirIter(dir)
  while (!(await it.next()).done);
  await eio.flush()
  t.is(fdCount(), before)
  // Never iterated: nothing was opened.
  eio.readdirIter(dir)
  t.is(fdCount(), before)
})

// Serial: it counts this process's fds (or requests).
test.serial('readdirIter: abort via signal', async (t) => {
  const dir = tmpdir(t)
  for (let i = 0; i < 10_000; i++) fs.symlinkSync('t', path.join(dir, `e${i}`))
  await eio.nop()
  const before = fdCount()
  const ac = new AbortController()
  let n = 0
  const err = await t.throwsAsync(async () => {
    for await (const e of eio.readdirIter(dir, { signal: ac.signal })) {
      if (++n === 10) ac.abort()
      t.truthy(e)
    }
  })
  t.is(n, 10)
  t.like(err, { name: 'AbortError', code: 'ABORT_ERR' })
  await eio.flush()
  t.is(fdCount(), before)
  const e2 = await t.throwsAsync(eio.readdirIter(dir, { signal: AbortSignal.abort() }).next())
  t.is(e2.code, 'ABORT_ERR')
  t.is(eio.nreqs(), 0)
})

test('readdirIter: errors and bad arguments reject the first step', async (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'file'), '')
  for (const [p, code] of [
    [path.join(dir, 'nope'), 'ENOENT'],
    [path.join(dir, 'file'), 'ENOTDIR'],
  ]) {
    const err = await t.throwsAsync(eio.readdirIter(p).next())
    t.like(err, { code, syscall: 'opendir', path: p })
  }
  const cases = [
    [1, undefined, 'ERR_INVALID_ARG_TYPE'],
    ['a\u0000b', undefined, 'ERR_INVALID_ARG_VALUE'],
    [dir, 1, 'ERR_INVALID_ARG_TYPE'],
    [dir, { encoding: 'latin1' }, 'ERR_INVALID_ARG_VALUE'],
    [dir, { priority: -5 }, 'ERR_OUT_OF_RANGE'],
    [dir, { group: { add() {} } }, 'ERR_INVALID_ARG_VALUE'],
    [new URL('http://x/'), undefined, 'ERR_INVALID_URL_SCHEME'],
  ]
  for (const [p, options, code] of cases) {
    let it
    t.notThrows(() => {
      it = eio.readdirIter(p, options)
    })
    const err = await t.throwsAsync(it.next())
    t.is(err.code, code)
    t.deepEqual(await it.next(), { done: true, value: undefined })
  }
})

withWd('readdirIter of a Wd', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'sub'))
  fs.writeFileSync(path.join(dir, 'sub/x'), '')
  const wd = await eio.wd(dir)
  t.teardown(() => wd.close())
  const names = async (p, o) => (await collect(eio.readdirIter(p, o))).map((e) => e.name)
  t.deepEqual(await names(wd), ['sub'])
  t.deepEqual(await names([wd, 'sub']), ['x'])
})

test('readdirIter: URLs, priorities and an empty directory', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'sub'))
  fs.writeFileSync(path.join(dir, 'sub/x'), '')
  const names = async (p, o) => (await collect(eio.readdirIter(p, o))).map((e) => e.name)
  t.deepEqual(await names(path.join(dir, 'sub'), { priority: 4 }), ['x'])
  t.deepEqual(await names(new URL(`file://${dir}/sub`)), ['x'])
  t.deepEqual(await names(path.join(dir, 'sub/..', 'sub')), ['x'])
  fs.unlinkSync(path.join(dir, 'sub/x'))
  t.deepEqual(await names(path.join(dir, 'sub')), [])
  const [entry] = await collect(eio.readdirIter(dir))
  t.like(entry, { name: 'sub', type: DT_DIR, ino: fs.statSync(path.join(dir, 'sub')).ino })
})

test('readdirIter with encoding buffer keeps names that are not UTF-8', async (t) => {
  const dir = tmpdir(t)
  const name = Buffer.from([0x61, 0xff, 0xfe])
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), '')
  const [e] = await collect(eio.readdirIter(dir, { encoding: 'buffer' }))
  t.true(Buffer.isBuffer(e.name))
  t.deepEqual(e.name, name)
  t.is(e.type, DT_REG)
  const [s] = await collect(eio.readdirIter(Buffer.from(dir)))
  t.is(s.name, 'a\ufffd\ufffd')
})

test('walk of a Buffer root with string names yields string paths', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eio-walkbuf-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'd'))
  fs.writeFileSync(path.join(dir, 'd', 'f'), '')
  const got = []
  for await (const e of eio.walk(Buffer.from(dir))) got.push(e.path)
  t.deepEqual(got.sort(), [path.join(dir, 'd'), path.join(dir, 'd', 'f')])
})

// walk's entries, stats, exclusion, followed types and progress

/**
 * root/{file (5 bytes), dir/{inner, sub/{deep}}, link -> dir, file-link -> file,
 * dangling -> nowhere, fifo, sock, hard (a hard link of file), chr (as root: /dev/null's
 * numbers)}
 */
function kindsTree(t) {
  const root = tmpdir(t)
  fs.writeFileSync(path.join(root, 'file'), 'hello')
  fs.mkdirSync(path.join(root, 'dir/sub'), { recursive: true })
  fs.writeFileSync(path.join(root, 'dir/inner'), 'x'.repeat(10_000))
  fs.writeFileSync(path.join(root, 'dir/sub/deep'), '')
  fs.symlinkSync('dir', path.join(root, 'link'))
  fs.symlinkSync('file', path.join(root, 'file-link'))
  fs.symlinkSync('nowhere', path.join(root, 'dangling'))
  fs.linkSync(path.join(root, 'file'), path.join(root, 'hard'))
  return root
}

async function addSpecialFiles(root) {
  const { S_IFIFO, S_IFSOCK, S_IFCHR } = eio.constants
  await eio.mknod(path.join(root, 'fifo'), S_IFIFO | 0o644, 0)
  await eio.mknod(path.join(root, 'sock'), S_IFSOCK | 0o644, 0)
  if (process.getuid?.() === 0) await eio.mknod(path.join(root, 'chr'), S_IFCHR | 0o644, fs.statSync('/dev/null').rdev)
}

/** Every field of Node's Stats (the Dates too) of `want` equals `got`'s. */
function sameStats(t, got, want, what) {
  t.true(got instanceof fs.Stats, `${what}: an fs.Stats`)
  // Without a birth time (the portable build's fstatat), Node's statx still has one.
  const born = calls.birthtime ? [] : ['birthtime', 'birthtimeMs', 'birthtimeNs']
  const dates = ['atime', 'mtime', 'ctime', 'birthtime']
  for (const key of Object.keys(want)) if (!dates.includes(key) && !born.includes(key)) t.is(got[key], want[key], `${what}: ${key}`)
  for (const key of dates) if (!born.includes(key)) t.is(got[key].getTime(), want[key].getTime(), `${what}: ${key}`)
  for (const m of ['isFile', 'isDirectory', 'isSymbolicLink', 'isFIFO', 'isSocket', 'isCharacterDevice', 'isBlockDevice']) {
    t.is(got[m](), want[m](), `${what}: ${m}()`)
  }
}

test('walk stat: every entry has the stats fs.lstatSync gives, field for field', async (t) => {
  const root = kindsTree(t)
  await addSpecialFiles(root)
  // A first walk reads every directory, so that no access time moves under the second.
  await collect(eio.walk(root))
  const entries = await collect(eio.walk(root, { stat: true, concurrency: 2 }))
  t.is(entries.length, fsListing(root).length)
  for (const e of entries) sameStats(t, e.stats, fs.lstatSync(e.path), e.relativePath)
  // Without stat: true there are none.
  const [plain] = await collect(eio.walk(root, { maxDepth: 0 }))
  t.false('stats' in plain)
})

test('walk stat with followSymlinks: the target\'s stats; a dangling link\'s own', async (t) => {
  const root = kindsTree(t)
  await collect(eio.walk(root, { followSymlinks: true }))
  const entries = await collect(eio.walk(root, { stat: true, followSymlinks: true }))
  const byPath = new Map(entries.map((e) => [e.relativePath, e]))
  for (const e of entries) {
    const want = e.name === 'dangling' ? fs.lstatSync(e.path) : fs.statSync(e.path)
    sameStats(t, e.stats, want, e.relativePath)
  }
  t.true(byPath.get('link').stats.isDirectory())
  t.true(byPath.get('dangling').stats.isSymbolicLink())
  t.true(byPath.has('link/sub/deep'))
})

test('readdirIter stat: each entry has the stats fs.lstatSync gives', async (t) => {
  const root = kindsTree(t)
  await addSpecialFiles(root)
  const entries = await collect(eio.readdirIter(root, { stat: true }))
  t.deepEqual(entries.map((e) => e.name).sort(), fs.readdirSync(root).sort())
  for (const e of entries) sameStats(t, e.stats, fs.lstatSync(path.join(root, e.name)), e.name)
  const [plain] = await collect(eio.readdirIter(root))
  t.false('stats' in plain)
})

/** Relative paths (or names) of the entries whose stats differ from lstatSync's (fields that reading does not move). */
function staleStats(entries, pathOf) {
  const fields = ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'size', 'blocks', 'mtimeMs', 'ctimeMs']
  return entries
    .filter((e) => {
      const want = fs.lstatSync(pathOf(e))
      return !(e.stats instanceof fs.Stats) || fields.some((k) => e.stats[k] !== want[k]) || e.stats.mtime.getTime() !== want.mtime.getTime()
    })
    .map((e) => e.relativePath ?? e.name)
}

test('stat: entries kept by the consumer keep their stats once later batches were read and freed', async (t) => {
  // A batch's numbers are freed as soon as its entries are built (lib/scan.ts: release):
  // every entry must own its stats, whichever batch it came from and however the scan ended.
  const all = await collect(eio.walk(bigRoot, { stat: true }))
  t.true(all.length >= 100_000)
  t.deepEqual(staleStats(all, (e) => e.path), [])
  // Entries built ahead for a predicate; then left early (the batches not consumed are freed).
  const early = []
  for await (const e of eio.walk(bigRoot, { stat: true, exclude: () => false })) {
    early.push(e)
    if (early.length === 20_000) break
  }
  t.deepEqual(staleStats(early, (e) => e.path), [])
  // readdirIter: a directory of several batches.
  const dir = tmpdir(t)
  for (let i = 0; i < 20_000; i++) fs.writeFileSync(path.join(dir, `f${i}`), 'x'.repeat(i % 5000))
  const entries = await collect(eio.readdirIter(dir, { stat: true }))
  t.is(entries.length, 20_000)
  t.deepEqual(staleStats(entries, (e) => path.join(dir, e.name)), [])
})

test('walk and readdirIter entries have fs.Dirent\'s type tests, as prototype methods', async (t) => {
  const root = kindsTree(t)
  await addSpecialFiles(root)
  const methods = ['isFile', 'isDirectory', 'isSymbolicLink', 'isFIFO', 'isSocket', 'isCharacterDevice', 'isBlockDevice']
  const dirents = new Map(fs.readdirSync(root, { withFileTypes: true }).map((d) => [d.name, d]))
  const walked = await collect(eio.walk(root, { maxDepth: 0 }))
  const iterated = await collect(eio.readdirIter(root))
  for (const entries of [walked, iterated]) {
    t.is(entries.length, dirents.size)
    for (const e of entries) {
      const d = dirents.get(e.name)
      for (const m of methods) t.is(e[m](), d[m](), `${e.name}.${m}()`)
      t.false(Object.hasOwn(e, 'isDirectory'), 'not a per-entry closure')
    }
    t.is(Object.getPrototypeOf(entries[0]).isDirectory, Object.getPrototypeOf(entries[1]).isDirectory)
  }
})

test('walk entries: relativePath is the path below the root, parentPath the directory', async (t) => {
  const root = kindsTree(t)
  for (const [r, encoding] of [[root, undefined], [`${root}/`, undefined], [root, 'buffer']]) {
    const entries = await collect(eio.walk(r, { encoding }))
    t.is(entries.length, fsListing(root).length)
    for (const e of entries) {
      const str = (v) => (encoding === 'buffer' ? (t.true(Buffer.isBuffer(v)), v.toString()) : v)
      const [p, parent, rel, name] = [str(e.path), str(e.parentPath), str(e.relativePath), str(e.name)]
      t.is(rel, path.relative(root, p))
      t.is(p, `${root}/${rel}`)
      t.is(path.join(parent, name), path.normalize(p))
      t.is(path.basename(rel), name)
      t.is(e.depth, rel.split('/').length - 1)
      t.is(parent, e.depth === 0 ? r.toString() : path.dirname(p))
    }
  }
})

/** `relative path -> find's %y` under `find -L`, and the paths find reports as loops or unfollowable. */
function findFollowing(root) {
  const r = spawnSync('find', ['-L', root, '-mindepth', '1', '-printf', '%y %P\\n'], { encoding: 'utf8' })
  const listed = new Map(r.stdout.trim().split('\n').map((line) => [line.slice(2), line[0]]))
  const loops = []
  for (const line of r.stderr.trim().split('\n').filter(Boolean)) {
    const m = /[‘'](.*?)[’']/.exec(line)
    if (m) loops.push(path.relative(root, m[1]))
  }
  return { listed, loops }
}

const FIND_TYPE = { f: DT_REG, d: DT_DIR, l: DT_LNK, p: DT_FIFO, s: DT_SOCK, c: DT_CHR, b: DT_BLK }

test('walk followSymlinks: types are what find -L says; loops and unfollowable links are DT_LNK', async (t) => {
  if (!have('find')) return t.pass('needs GNU find')
  const root = kindsTree(t)
  await addSpecialFiles(root)
  fs.symlinkSync('fifo', path.join(root, 'fifo-link'))
  fs.symlinkSync('..', path.join(root, 'dir/sub/up')) // back to dir: a loop
  fs.symlinkSync('../..', path.join(root, 'dir/sub/top')) // back to the root: a loop
  fs.symlinkSync('self', path.join(root, 'self')) // ELOOP
  fs.symlinkSync('../file', path.join(root, 'dir/file-up'))
  const { listed, loops } = findFollowing(root)
  const entries = await collect(eio.walk(root, { followSymlinks: true }))
  const got = new Map(entries.map((e) => [e.relativePath, e.type]))
  t.true(listed.size > 10)
  for (const [rel, y] of listed) t.is(got.get(rel), FIND_TYPE[y], `${rel}: find -L says ${y}`)
  t.true(loops.length >= 5, loops.join(' '))
  for (const rel of loops) t.is(got.get(rel), DT_LNK, `${rel}: a loop or an unfollowable link`)
  t.is(got.size, listed.size + loops.length, 'nothing else')
  t.is(got.get('dangling'), DT_LNK)
  t.is(got.get('link/sub/up'), DT_LNK)
})

test('walk exclude: named directories are yielded, never opened', async (t) => {
  const root = tmpdir(t)
  for (const d of ['src/node_modules/pkg', 'node_modules/a/b', '.git/objects', 'src/lib']) fs.mkdirSync(path.join(root, d), { recursive: true })
  fs.writeFileSync(path.join(root, 'src/lib/x.js'), '')
  fs.writeFileSync(path.join(root, 'node_modules/a/b/y.js'), '')
  const want = ['.git', 'node_modules', 'src', 'src/lib', 'src/lib/x.js', 'src/node_modules']
  const rel = async (options) => (await collect(eio.walk(root, options))).map((e) => e.relativePath).sort()
  t.deepEqual(await rel({ exclude: ['node_modules', Buffer.from('.git')] }), want)
  t.deepEqual(await rel({ exclude: (e) => e.name === 'node_modules' || e.name === '.git' }), want)
  // Excluded by name even when reached through a followed link.
  fs.symlinkSync('node_modules', path.join(root, 'nm-link'))
  t.deepEqual(await rel({ exclude: ['node_modules', '.git', 'nm-link'], followSymlinks: true }), [...want, 'nm-link'].sort())
})

test('walk exclude: nothing below an excluded directory is read (an unreadable one raises no error)', async (t) => {
  if (!have('setpriv') || process.getuid() !== 0) return t.pass('needs root and setpriv')
  const root = tmpdir(t)
  fs.chmodSync(root, 0o755)
  // node_modules itself is unreadable to the walker; so is .git/objects, one level down.
  fs.mkdirSync(path.join(root, 'node_modules/pkg'), { recursive: true })
  fs.mkdirSync(path.join(root, '.git/objects/00'), { recursive: true })
  fs.mkdirSync(path.join(root, 'src'))
  fs.writeFileSync(path.join(root, 'src/x'), '')
  fs.chmodSync(path.join(root, 'node_modules'), 0o700)
  fs.chmodSync(path.join(root, '.git/objects'), 0o700)
  const src = `
    import * as eio from ${JSON.stringify(ENTRY)}
    const root = ${JSON.stringify(root)}
    const out = {}
    const run = async (name, options) => {
      const seen = []
      try {
        for await (const e of eio.walk(root, options)) seen.push(e.relativePath)
        out[name] = { seen: seen.sort() }
      } catch (e) {
        out[name] = { code: e.code, path: e.path }
      }
    }
    await run('plain', {})
    await run('names', { exclude: ['node_modules', '.git'] })
    const asked = []
    await run('predicate', { exclude: (e) => (asked.push(e.relativePath), e.name === 'node_modules' || e.name === '.git') })
    out.asked = asked.sort()
    console.log(JSON.stringify(out))
  `
  const out = asNobody(t, src)
  t.is(out.plain.code, 'EACCES', 'without exclude the walk meets them')
  const seen = ['.git', 'node_modules', 'src', 'src/x']
  t.deepEqual(out.names, { seen })
  t.deepEqual(out.predicate, { seen })
  t.deepEqual(out.asked, ['.git', 'node_modules', 'src'], 'asked once per directory, before reading it')
})

test('walk exclude predicate: entries, maxDepth, and a throw ends the walk', async (t) => {
  const root = tmpdir(t)
  makeTree(root, 3000)
  const all = await collect(eio.walk(root))
  const asked = []
  const entries = await collect(eio.walk(root, { maxDepth: 2, exclude: (e) => (asked.push(e), false) }))
  t.is(entries.length, all.filter((e) => e.depth <= 2).length)
  // Asked for each directory that would be read: none deeper than maxDepth - 1.
  t.is(asked.length, all.filter((e) => e.type === DT_DIR && e.depth <= 1).length)
  t.true(asked.every((e) => e.isDirectory() && e.depth <= 1 && entries.includes(e)), 'the very entries yielded')
  const boom = new Error('boom')
  const err = await t.throwsAsync(collect(eio.walk(root, { exclude: () => { throw boom } })))
  t.is(err, boom)
  await eio.flush()
})

test('walk onProgress: at most every ~100 ms, and once at the end with the totals', async (t) => {
  const root = tmpdir(t)
  const total = makeTree(root, 20_000)
  for (const stat of [false, true]) {
    const calls = []
    let n = 0
    let bytes = 0
    for await (const e of eio.walk(root, { stat, onProgress: (p) => calls.push({ ...p, at: performance.now() }) })) {
      n++
      if (stat) bytes += e.stats.size
      // A slow consumer, so that progress is reported along the way.
      if (n % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    t.is(n, total)
    t.true(calls.length >= 2, `${calls.length} calls`)
    t.deepEqual(calls.at(-1), { entries: total, bytes: stat ? bytes : 0, at: calls.at(-1).at })
    for (let i = 1; i < calls.length; i++) {
      t.true(calls[i].entries >= calls[i - 1].entries)
      // The walk reads its clock just before calling; a thread preempted between that and
      // this callback's own reading (a loaded machine) shifts one call late, so the gap
      // seen here may be shorter than the walk's by that delay: allow half the period.
      if (i < calls.length - 1) t.true(calls[i].at - calls[i - 1].at >= 50, `${calls[i].at - calls[i - 1].at} ms apart`)
    }
  }
  // Leaving early: one last call with what was yielded.
  const calls = []
  let n = 0
  for await (const _ of eio.walk(root, { onProgress: (p) => calls.push(p) })) if (++n === 10) break
  t.deepEqual(calls, [{ entries: 10, bytes: 0 }])
  // onProgress throwing ends the walk.
  const boom = new Error('boom')
  const err = await t.throwsAsync(collect(eio.walk(root, { onProgress: () => { throw boom } })))
  t.is(err, boom)
})

test('walk and readdirIter: unknown or bad new options reject with Node\'s codes', async (t) => {
  const cases = [
    [eio.walk, { maxdepth: 1 }, 'ERR_INVALID_ARG_VALUE'],
    [eio.walk, { follow: true }, 'ERR_INVALID_ARG_VALUE'],
    [eio.readdirIter, { maxDepth: 1 }, 'ERR_INVALID_ARG_VALUE'],
    [eio.readdirIter, { stats: true }, 'ERR_INVALID_ARG_VALUE'],
    [eio.walk, { stat: 1 }, 'ERR_INVALID_ARG_TYPE'],
    [eio.readdirIter, { stat: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
    [eio.walk, { exclude: 'node_modules' }, 'ERR_INVALID_ARG_TYPE'],
    [eio.walk, { exclude: [1] }, 'ERR_INVALID_ARG_TYPE'],
    [eio.walk, { exclude: ['a/b'] }, 'ERR_INVALID_ARG_VALUE'],
    [eio.walk, { exclude: [''] }, 'ERR_INVALID_ARG_VALUE'],
    [eio.walk, { exclude: ['a\u0000'] }, 'ERR_INVALID_ARG_VALUE'],
    [eio.walk, { onProgress: true }, 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [fn, options, code] of cases) {
    let it
    t.notThrows(() => {
      it = fn('.', options)
    })
    const err = await t.throwsAsync(it.next())
    t.is(err.code, code, `${fn.name} ${JSON.stringify(options)}`)
  }
})

// Serial: it counts this process's fds (or requests).
test.serial('walk with stat and an exclude predicate: break frees what it held', async (t) => {
  await eio.nop()
  const before = fdCount()
  let n = 0
  for await (const e of eio.walk(bigRoot, { stat: true, exclude: () => false })) {
    if (++n === 5000) break
    t.truthy(e.stats)
  }
  await eio.flush()
  t.is(fdCount(), before)
  t.is(eio.nreqs(), 0)
})

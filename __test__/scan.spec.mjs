// Streaming directory scans: readdirIter and walk, checked against node:fs.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, HELPERS, fdCount, have, runNode } from './helpers.mjs'

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
  // In a child: pausing the pool there cannot stall other tests.
  const r = runNode(`
    import * as eio from ${JSON.stringify(ENTRY)}
    import { fdCount as fds } from ${JSON.stringify(HELPERS)}
    await eio.nop()
    const before = fds()
    eio.configure({ maxParallel: 1 })
    const it = eio.walk(${JSON.stringify(bigRoot)}, { concurrency: 16 })
    await it.next()
    eio.configure({ maxParallel: 0 })
    const queued = eio.nready()
    await it.return()
    const after = eio.nready()
    eio.configure({ maxParallel: 8 })
    await eio.flush()
    console.log(JSON.stringify({ queued, after, nreqs: eio.nreqs(), leaked: fds() - before }))
  `)
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.true(out.queued > 1, `reads were queued (${out.queued})`)
  t.is(out.after, 0)
  t.is(out.nreqs, 0)
  t.is(out.leaked, 0)
})

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
  t.teardown(() => fs.rmSync(`${dir}-moved`, { recursive: true, force: true }))
  let errors = 0
  const it = eio.walk(dir, { concurrency: 4, onError: () => errors++ })
  await it.next()
  // Let the walk read all it wants to.
  while (eio.nreqs() > 0) await new Promise((resolve) => setTimeout(resolve, 5))
  // Then pull the tree away: a walk that read ahead without bound has it all already.
  fs.renameSync(dir, `${dir}-moved`)
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
  // x is a; up leads back to the root, an ancestor: listed, not entered.
  const followed = [...base, 'x/f\t8', 'x/b\t4', 'x/b/g\t8', 'x/b/up\t10'].sort()
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
  t.deepEqual(got, ['a\t4', 'a/b\t4', 'a/b/up\t10', 'x\t10', 'x/b\t4', 'x/b/up\t10'])
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
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', src], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
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

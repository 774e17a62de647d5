// io-aio/promises against node:fs/promises, side by side on the same files: the same
// results, the same errors (code, errno, syscall, path, dest, message), the caller's
// stack, and the places where io-aio deliberately differs (see README.md, "Migrating
// from fs/promises"). Node's own tests of fs/promises run in __test__/node-fs/.

import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import fs from 'node:fs'
import nfs from 'node:fs/promises'
import path from 'node:path'

import test from 'ava'

import * as esm from 'io-aio/promises'
import fsp from 'io-aio/promises'

import { calls, fdCount, procfs, tmpdir } from './helpers.mjs'

const require = createRequire(import.meta.url)

/**
 * Stats to compare with Node's: as they are, or without the birth time where this build
 * has none (the portable build on Linux stats with fstatat, which has no birth time).
 */
function comparable(st) {
  if (calls.birthtime) return st
  const copy = Object.create(Object.getPrototypeOf(st))
  for (const [key, value] of Object.entries(st)) if (!key.startsWith('birthtime')) copy[key] = value
  return copy
}

/** What a rejection looks like, for comparing io-aio's with Node's. */
async function failure(promise) {
  try {
    await promise
  } catch (err) {
    const { name, code, errno, syscall, path: p, dest, message } = err
    return { name, code, errno, syscall, path: p, dest, message }
  }
  return 'fulfilled'
}

test('ESM and CommonJS entries are one module whose names are node:fs/promises names', (t) => {
  const cjs = require('io-aio/promises')
  t.is(fsp, cjs, 'the default export is the CommonJS module')
  const names = Object.keys(cjs).sort()
  t.deepEqual(Object.keys(esm).filter((n) => n !== 'default').sort(), names)
  for (const name of names) {
    t.is(esm[name], cjs[name], name)
    if (name === 'FileHandle' || name === 'Dir') continue // classes Node does not export
    t.true(name in nfs, `${name} is a name of node:fs/promises`)
    t.is(typeof cjs[name], typeof nfs[name], name)
  }
  for (const name of Object.keys(nfs)) {
    if (name !== 'default') t.true(name in cjs, `node:fs/promises' ${name} is in io-aio/promises`)
  }
  t.is(fsp.constants, fs.constants)
  t.is(fsp.watch, nfs.watch, 'watch is Node\'s own')
})

test('results equal node:fs/promises results on the same files', async (t) => {
  const dir = tmpdir(t)
  await fsp.writeFile(path.join(dir, 'b.txt'), 'héllo')
  await fsp.mkdir(path.join(dir, 'A'))
  fs.symlinkSync('b.txt', path.join(dir, 'link'))
  const f = path.join(dir, 'b.txt')
  t.deepEqual(comparable(await fsp.stat(f)), comparable(await nfs.stat(f)))
  t.deepEqual(comparable(await fsp.lstat(path.join(dir, 'link'))), comparable(await nfs.lstat(path.join(dir, 'link'))))
  t.true((await fsp.stat(f)) instanceof fs.Stats)
  t.deepEqual(comparable(await fsp.stat(f, { bigint: true })), comparable(await nfs.stat(f, { bigint: true })))
  const fh = await fsp.open(f)
  t.deepEqual(comparable(await fh.stat({ bigint: true })), comparable(await nfs.stat(f, { bigint: true })))
  await fh.close()
  // lutimes sets the link's own times, exactly as Node's.
  await fsp.lutimes(path.join(dir, 'link'), 1000.5, 2000.25)
  t.deepEqual(comparable(await fsp.lstat(path.join(dir, 'link'), { bigint: true })), comparable(await nfs.lstat(path.join(dir, 'link'), { bigint: true })))
  t.is((await nfs.lstat(path.join(dir, 'link'))).mtimeMs, 2000250)
  t.deepEqual(await fsp.readdir(dir), await nfs.readdir(dir), 'sorted as Node sorts')
  t.deepEqual(await fsp.readdir(dir, { withFileTypes: true }), await nfs.readdir(dir, { withFileTypes: true }))
  t.deepEqual(await fsp.readdir(dir, 'buffer'), await nfs.readdir(dir, 'buffer'))
  t.deepEqual(await fsp.readFile(f), await nfs.readFile(f))
  t.is(await fsp.readFile(f, 'latin1'), await nfs.readFile(f, 'latin1'))
  t.is(await fsp.readlink(path.join(dir, 'link')), await nfs.readlink(path.join(dir, 'link')))
  t.deepEqual(await fsp.realpath(path.join(dir, 'link'), 'buffer'), await nfs.realpath(path.join(dir, 'link'), 'buffer'))
  // statfs: the same class and fields; the free counts move as other tests write.
  const stable = ({ type, bsize, blocks, files }) => ({ type, bsize, blocks, files })
  for (const options of [undefined, { bigint: true }]) {
    const [ours, node] = [await fsp.statfs(dir, options), await nfs.statfs(dir, options)]
    t.is(Object.getPrototypeOf(ours), Object.getPrototypeOf(node))
    t.deepEqual(Object.keys(ours), Object.keys(node))
    t.deepEqual(stable(ours), stable(node))
    t.is(typeof ours.bfree, typeof node.bfree)
  }
})

test('errors equal node:fs/promises errors', async (t) => {
  const dir = tmpdir(t)
  const file = path.join(dir, 'file')
  fs.writeFileSync(file, 'x')
  const missing = path.join(dir, 'missing')
  // Calls that fail, made on both modules.
  const cases = [
    ['readFile', missing],
    ['readFile', dir],
    ['writeFile', dir, 'x'],
    ['appendFile', path.join(missing, 'f'), 'x'],
    ['access', missing],
    ['stat', missing],
    ['lstat', path.join(file, 'sub')],
    ['readdir', file],
    ['readdir', missing, { withFileTypes: true }],
    ['mkdir', dir],
    ['rmdir', file],
    ['unlink', dir],
    ['rename', missing, file],
    ['link', missing, path.join(dir, 'l')],
    ['symlink', 'target', file],
    ['readlink', file],
    ['realpath', missing],
    ['copyFile', missing, path.join(dir, 'c')],
    ['copyFile', file, file, fs.constants.COPYFILE_EXCL],
    ['open', missing],
    ['opendir', file],
    ['opendir', missing],
    ['chmod', missing, 0o644],
    ['chown', missing, 0, 0],
    ['lchown', missing, 0, 0],
    ['utimes', missing, 1, 1],
    ['lutimes', missing, 1, 1],
    ['truncate', dir],
    ['statfs', missing],
    ['rm', missing],
    ['rm', dir],
    ['mkdtemp', path.join(missing, 'x-')],
    // Bad arguments, rejected before any syscall.
    ['readFile', 42],
    ['readFile', 'a\u0000b'],
    ['readFile', new URL('http://example.com/')],
    ['open', file, 'rz'],
    ['open', file, 'r', 'rw'],
    ['access', file, 8],
    ['chown', file, -2, 0],
    ['utimes', file, 'now', 1],
    ['writeFile', path.join(dir, 'w'), 42],
    ['writeFile', path.join(dir, 'w'), 'x', { flush: 'yes' }],
    ['readdir', dir, { encoding: 'nope' }],
    ['rm', dir, { force: 1 }],
    ['copyFile', file, path.join(dir, 'c'), 8],
    ['symlink', 'a', path.join(dir, 's'), 'bogus'],
  ]
  for (const [fn, ...args] of cases) {
    const shown = `${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`
    const ours = await failure(fsp[fn](...args))
    const node = await failure(nfs[fn](...args))
    if (fn === 'mkdtemp' && ours.path !== undefined) {
      // Node's shows the random name glibc last tried; io-aio's the template, as libuv
      // spells it: the prefix and XXXXXX.
      for (const e of [ours, node]) e.message = e.message.replace(e.path, (e.path = `${e.path.slice(0, -6)}XXXXXX`))
    }
    t.not(node, 'fulfilled', `${shown} fails in Node`)
    if (ours.code?.startsWith('ERR_')) {
      // Argument errors: Node's code and class; messages may be worded differently.
      t.deepEqual([ours.name, ours.code], [node.name, node.code], shown)
    } else {
      t.deepEqual(ours, node, shown)
    }
  }
})

test('opendir checks bufferSize before opening (Node 20 throws it from its callback, uncaught)', async (t) => {
  for (const bufferSize of [0, -1, 1.5, NaN]) {
    await t.throwsAsync(fsp.opendir('.', { bufferSize }), { code: 'ERR_OUT_OF_RANGE' })
  }
  await t.throwsAsync(fsp.opendir('.', { bufferSize: '1' }), { code: 'ERR_INVALID_ARG_TYPE' })
})

test('an error shows the caller in its stack, as Node\'s do', async (t) => {
  async function theCallerOfReadFile() {
    await fsp.readFile('/nonexistent/io-aio')
  }
  const err = await t.throwsAsync(theCallerOfReadFile())
  t.regex(err.stack, /at async theCallerOfReadFile/)
})

test('readdir({ recursive }) never follows a symlink to a directory (Node 20 does, and loops)', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'a/b'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'a/b/f'), '')
  fs.symlinkSync('..', path.join(dir, 'a/b/up')) // a loop
  fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'alias'))
  const names = await fsp.readdir(dir, { recursive: true })
  t.deepEqual(names.sort(), ['a', 'a/b', 'a/b/f', 'a/b/up', 'alias'])
  const dirents = await fsp.readdir(dir, { recursive: true, withFileTypes: true })
  const shown = dirents.map((d) => [path.relative(dir, path.join(d.parentPath, d.name)), d.isSymbolicLink(), d.isDirectory()])
  t.deepEqual(shown.sort(), [
    ['a', false, true],
    ['a/b', false, true],
    ['a/b/f', false, false],
    ['a/b/up', true, false],
    ['alias', true, false],
  ])
  // Where Node 20 has no bug (withFileTypes, no symlinks to directories), the same result.
  fs.unlinkSync(path.join(dir, 'a/b/up'))
  fs.unlinkSync(path.join(dir, 'alias'))
  const key = (d) => `${d.parentPath}/${d.name}`
  const sorted = (list) => list.sort((x, y) => key(x).localeCompare(key(y)))
  t.deepEqual(sorted(await fsp.readdir(dir, { recursive: true, withFileTypes: true })), sorted(await nfs.readdir(dir, { recursive: true, withFileTypes: true })))
  t.deepEqual((await fsp.readdir(dir, { recursive: true })).sort(), (await nfs.readdir(dir, { recursive: true })).sort())
})

test('opendir({ recursive }) yields every entry of every subdirectory, bufferSize or not', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'sub'))
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, 'sub', `f${i}`), '')
  // Node 20 reads only the first bufferSize (here 4) entries of each subdirectory.
  const seen = []
  for await (const d of await fsp.opendir(dir, { recursive: true, bufferSize: 4 })) seen.push(path.join(d.parentPath, d.name))
  t.is(seen.length, 41)
  // readSync continues where the reads left off, and ends with null.
  const sync = await fsp.opendir(path.join(dir, 'sub'))
  const first = await sync.read()
  const rest = []
  for (let d = sync.readSync(); d !== null; d = sync.readSync()) rest.push(d.name)
  t.is(rest.length + 1, 40)
  t.false(rest.includes(first.name))
  sync.closeSync()
  t.true(sync instanceof fs.Dir)
})

test('copyFile copies contents and mode only, and never destroys what it must not', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.writeFileSync(src, 'data')
  fs.chmodSync(src, 0o604)
  fs.utimesSync(src, 1e9, 1e9)
  await fsp.copyFile(src, path.join(dir, 'copy'))
  const st = fs.statSync(path.join(dir, 'copy'))
  t.is(st.mode & 0o777, 0o604)
  t.not(st.mtimeMs, 1e12, 'times are the copy\'s own, as Node\'s')
  // Onto itself, by another name: nothing happens to the data.
  fs.linkSync(src, path.join(dir, 'hardlink'))
  await fsp.copyFile(src, path.join(dir, 'hardlink'))
  t.is(fs.readFileSync(src, 'utf8'), 'data')
  // A directory source fails before any destination exists.
  await t.throwsAsync(fsp.copyFile(dir, path.join(dir, 'nope')), { code: 'EISDIR' })
  t.false(fs.existsSync(path.join(dir, 'nope')))
})

// Serial: ava runs it before the concurrent tests of this file, which open fds of their own.
test.serial('failed calls leave no fd open', async (t) => {
  if (!procfs) return t.pass('no /proc to count fds')
  const dir = tmpdir(t)
  const before = fdCount()
  const calls = []
  for (let i = 0; i < 50; i++) {
    calls.push(fsp.readFile(dir).catch(() => {}))
    calls.push(fsp.writeFile(dir, 'x').catch(() => {}))
    calls.push(fsp.appendFile(dir, [Buffer.from('x')]).catch(() => {}))
    calls.push(fsp.writeFile(path.join(dir, `it${i}`), [42]).catch(() => {}))
    calls.push(fsp.opendir(path.join(dir, 'missing')).catch(() => {}))
  }
  await Promise.all(calls)
  const d = await fsp.opendir(dir)
  for await (const e of d) void e
  t.is(fdCount(), before)
})

test('readFile and writeFile honour an AbortSignal', async (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x'.repeat(1 << 20))
  await t.throwsAsync(fsp.readFile(f, { signal: AbortSignal.abort() }), { name: 'AbortError' })
  await t.throwsAsync(fsp.writeFile(f, 'y', { signal: AbortSignal.abort() }), { name: 'AbortError' })
  t.is(fs.readFileSync(f, 'utf8').length, 1 << 20, 'an already-aborted write touches nothing')
  const ac = new AbortController()
  const reading = fsp.readFile(f, { signal: ac.signal })
  ac.abort(new Error('stop'))
  const err = await t.throwsAsync(reading, { name: 'AbortError' })
  t.is(err.cause.message, 'stop')
})

test('mkdtemp names are the prefix and six characters, distinct under concurrency', async (t) => {
  const dir = tmpdir(t)
  const made = await Promise.all(Array.from({ length: 64 }, () => fsp.mkdtemp(path.join(dir, 'p-'))))
  t.is(new Set(made).size, 64)
  for (const m of made) {
    t.regex(path.basename(m), /^p-[A-Za-z0-9]{6}$/)
    t.is(fs.statSync(m).mode & 0o777, 0o700)
  }
  const buf = await fsp.mkdtemp(Buffer.from(path.join(dir, 'b-')), 'buffer')
  t.true(Buffer.isBuffer(buf))
})

test('FileHandle: operations in flight delay close; a closed handle rejects with EBADF', async (t) => {
  const dir = tmpdir(t)
  const fh = await fsp.open(path.join(dir, 'f'), 'w+')
  t.true(fh instanceof fsp.FileHandle)
  const writing = fh.writeFile('x'.repeat(1 << 20))
  const closing = fh.close()
  await writing
  await closing
  t.is(fs.statSync(path.join(dir, 'f')).size, 1 << 20, 'the write finished before the close')
  t.is(fh.fd, -1)
  const closed = await t.throwsAsync(fh.read(Buffer.alloc(1)), { code: 'EBADF' })
  t.is(closed.syscall, 'read')
  await t.throwsAsync(fsp.FileHandle.prototype.stat.call({}), { code: 'ERR_INTERNAL_ASSERTION' })
})

test('FileHandle.readableWebStream gives the file\'s bytes, as a default or a byte stream', async (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  const data = Buffer.alloc(200_000, 'abc')
  fs.writeFileSync(f, data)
  for (const type of [undefined, 'bytes']) {
    const fh = await fsp.open(f)
    const chunks = []
    for await (const chunk of fh.readableWebStream(type === undefined ? {} : { type })) chunks.push(Buffer.from(chunk))
    t.deepEqual(Buffer.concat(chunks), data, `type ${type}`)
    t.throws(() => fh.readableWebStream(), { code: 'ERR_INVALID_STATE' }, 'a handle gives one stream')
    await fh.close()
    t.is(fh.fd, -1)
  }
})

test('Dir and readdir give names in the encoding asked for', async (t) => {
  const dir = tmpdir(t)
  const name = Buffer.from([0x61, 0xff, 0x62]) // not UTF-8
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), '')
  const d = await fsp.opendir(dir, { encoding: 'buffer' })
  const entry = await d.read()
  await d.close()
  t.deepEqual(entry.name, name)
  t.deepEqual(await fsp.readdir(dir, 'buffer'), [name])
  t.deepEqual(await fsp.readdir(dir, { encoding: 'hex' }), ['61ff62'])
  t.deepEqual(await fsp.readdir(dir, { encoding: 'hex' }), await nfs.readdir(dir, { encoding: 'hex' }))
})

test('io-aio/promises works in a worker thread, each environment on its own', async (t) => {
  const dir = tmpdir(t)
  const file = path.join(dir, 'from-worker')
  const worker = new Worker(
    `const fsp = require('io-aio/promises')
     const { parentPort, workerData } = require('node:worker_threads')
     fsp.writeFile(workerData, 'hello from a worker')
       .then(() => fsp.readFile(workerData, 'utf8'))
       .then((text) => parentPort.postMessage(text))`,
    { eval: true, workerData: file },
  )
  const [text] = await Promise.all([new Promise((resolve) => worker.once('message', resolve)), fsp.readFile(import.meta.filename ?? new URL(import.meta.url).pathname)])
  t.is(text, 'hello from a worker')
  t.is(fs.readFileSync(file, 'utf8'), 'hello from a worker')
  await worker.terminate()
})

test('mkdir({ recursive }), rm({ recursive, force }) and cp agree with node:fs/promises', async (t) => {
  const dir = tmpdir(t)
  const [ours, node] = ['ours', 'node'].map((n) => path.join(dir, n))
  // mkdir -p fulfils with the first directory it created, then with undefined.
  t.is(await fsp.mkdir(path.join(ours, 'a/b'), { recursive: true }), await nfs.mkdir(path.join(node, 'a/b'), { recursive: true }).then((p) => p.replace(node, ours)))
  t.is(await fsp.mkdir(path.join(ours, 'a/b'), { recursive: true }), undefined)
  await t.throwsAsync(fsp.mkdir(path.join(ours, 'a/b'), { recursive: 1 }), { code: 'ERR_INVALID_ARG_TYPE' })
  // A file copied alone: contents and mode, fresh times unless preserveTimestamps.
  const file = path.join(ours, 'a/file')
  fs.writeFileSync(file, 'data', { mode: 0o640 })
  fs.utimesSync(file, 1e9, 1e9)
  await fsp.cp(file, path.join(ours, 'copy'))
  t.is(fs.readFileSync(path.join(ours, 'copy'), 'utf8'), 'data')
  t.is(fs.statSync(path.join(ours, 'copy')).mode & 0o777, 0o640)
  t.not(fs.statSync(path.join(ours, 'copy')).mtimeMs, 1e12)
  await fsp.cp(file, path.join(ours, 'kept'), { preserveTimestamps: true })
  t.is(fs.statSync(path.join(ours, 'kept')).mtimeMs, 1e12)
  // A symlink copied alone: made absolute unless verbatimSymlinks, as Node's.
  fs.symlinkSync('file', path.join(ours, 'a/link'))
  await fsp.cp(path.join(ours, 'a/link'), path.join(ours, 'abs'))
  t.is(fs.readlinkSync(path.join(ours, 'abs')), path.join(ours, 'a/file'))
  await fsp.cp(path.join(ours, 'a/link'), path.join(ours, 'verbatim'), { verbatimSymlinks: true })
  t.is(fs.readlinkSync(path.join(ours, 'verbatim')), 'file')
  // A tree, into a destination whose parents do not exist yet; Node's errors for the roots.
  await fsp.cp(path.join(ours, 'a'), path.join(ours, 'deep/er/tree'), { recursive: true })
  t.deepEqual(fs.readdirSync(path.join(ours, 'deep/er/tree')).sort(), ['b', 'file', 'link'])
  await t.throwsAsync(fsp.cp(path.join(ours, 'a'), path.join(ours, 'x')), { code: 'ERR_FS_EISDIR' })
  await t.throwsAsync(fsp.cp(path.join(ours, 'a'), path.join(ours, 'a/b/inside'), { recursive: true }), { code: 'ERR_FS_CP_EINVAL' })
  await t.throwsAsync(fsp.cp(path.join(ours, 'a'), path.join(ours, 'copy'), { recursive: true }), { code: 'ERR_FS_CP_DIR_TO_NON_DIR' })
  await t.throwsAsync(fsp.cp(path.join(ours, 'a'), path.join(ours, 'deep/er/tree'), { recursive: true, force: false, errorOnExist: true }), { code: 'ERR_FS_CP_EEXIST' })
  // rm -rf: a tree, then a missing path, each one request; rm of a directory without recursive.
  await t.throwsAsync(fsp.rm(path.join(ours, 'deep')), { code: 'ERR_FS_EISDIR' })
  await fsp.rm(path.join(ours, 'deep'), { recursive: true, force: true })
  t.false(fs.existsSync(path.join(ours, 'deep')))
  await fsp.rm(path.join(ours, 'deep'), { recursive: true, force: true })
  const missing = await t.throwsAsync(fsp.rm(path.join(ours, 'deep')), { code: 'ENOENT' })
  t.is(missing.syscall, 'lstat', 'as Node, a missing path is lstat\'s error')
})

// Unknown option keys: every request rejects an option it does not take with
// ERR_INVALID_ARG_VALUE (a Node option such as `{ withFileTypes }` must not be silently
// ignored), before anything runs, naming what eio offers instead where it offers something.
// Serial: nreqs() counts every test's requests.

import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

import * as eio from '../index.js'
import { rejectsWith, tmpdir } from './helpers.mjs'

const UNKNOWN = { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }
const { constants: C } = eio

/**
 * A directory with a file, an empty directory, a symlink, an fd open on the file, and one
 * for `close` to close (never closed again by the teardown: its number may be reused).
 */
function setup(t) {
  const dir = tmpdir(t)
  const file = path.join(dir, 'file')
  fs.writeFileSync(file, 'data', { mode: 0o644 })
  fs.mkdirSync(path.join(dir, 'empty'))
  fs.symlinkSync('file', path.join(dir, 'link'))
  const fd = fs.openSync(file, 'r+')
  const ctx = { dir, file, fd, closeFd: fs.openSync(file, 'r'), ownsCloseFd: true }
  t.teardown(() => {
    fs.closeSync(fd)
    if (ctx.ownsCloseFd) fs.closeSync(ctx.closeFd)
  })
  return ctx
}

/** Every request of the core, meta, names and memory families, called with `options` last. */
function requests({ dir, file, fd, closeFd }, options) {
  const buf = Buffer.alloc(4096)
  return {
    nop: () => eio.nop(options),
    busy: () => eio.busy(0, options),
    open: () => eio.open(path.join(dir, 'created'), 'wx', 0o644, options),
    close: () => eio.close(closeFd, options),
    seek: () => eio.seek(fd, 0, C.SEEK_SET, options),
    read: () => eio.read(fd, 0, 4, buf, 0, options),
    write: () => eio.write(fd, 0, undefined, 'DATA', 0, options),
    stat: () => eio.stat(file, options),
    lstat: () => eio.lstat(file, options),
    unlink: () => eio.unlink(file, options),
    mkdir: () => eio.mkdir(path.join(dir, 'made'), 0o755, options),
    rmdir: () => eio.rmdir(path.join(dir, 'empty'), options),
    rename: () => eio.rename(file, path.join(dir, 'renamed'), 0, options),
    readdir: () => eio.readdir(dir, options),
    sendfile: () => eio.sendfile(fd, fd, 0, 0, options),
    readahead: () => eio.readahead(fd, 0, 4, options),
    statvfs: () => eio.statvfs(file, options),
    utime: () => eio.utime(file, 1, 1, options),
    lutime: () => eio.lutime(path.join(dir, 'link'), 1, 1, options),
    chown: () => eio.chown(file, -1, -1, options),
    chmod: () => eio.chmod(file, 0o600, options),
    truncate: () => eio.truncate(file, 0, options),
    allocate: () => eio.allocate(fd, 0, 0, 8192, options),
    fsync: () => eio.fsync(fd, options),
    fdatasync: () => eio.fdatasync(fd, options),
    syncfs: () => eio.syncfs(fd, options),
    sync: () => eio.sync(options),
    syncFileRange: () => eio.syncFileRange(fd, 0, 0, C.SYNC_FILE_RANGE_WRITE, options),
    pathsync: () => eio.pathsync(file, options),
    fiemap: () => eio.fiemap(fd, 0, null, 0, 0, options),
    mknod: () => eio.mknod(path.join(dir, 'fifo'), C.S_IFIFO | 0o644, 0, options),
    link: () => eio.link(file, path.join(dir, 'hardlink'), options),
    symlink: () => eio.symlink('file', path.join(dir, 'symlink'), options),
    readlink: () => eio.readlink(path.join(dir, 'link'), options),
    realpath: () => eio.realpath(file, options),
    wd: () => eio.wd(dir, options),
    readdirx: () => eio.readdirx(dir, 0, options),
    msync: () => eio.msync(buf, 0, null, C.MS_ASYNC, options),
    mtouch: () => eio.mtouch(buf, 0, null, 0, options),
    mlock: () => eio.mlock(buf, 0, 0, options),
    mlockall: () => eio.mlockall(0, options),
  }
}

/** What the requests above would change if they ran. */
function state({ dir, file, fd, closeFd }) {
  const st = fs.statSync(file)
  return {
    names: fs.readdirSync(dir).sort(),
    content: fs.readFileSync(file, 'utf8'),
    mode: st.mode,
    mtime: st.mtimeMs,
    fdsOpen: fs.fstatSync(fd).ino === st.ino && fs.fstatSync(closeFd).ino === st.ino,
  }
}

test.serial('every request rejects an unknown option key with ERR_INVALID_ARG_VALUE and runs nothing', async (t) => {
  const ctx = setup(t)
  const before = state(ctx)
  for (const [name, call] of Object.entries(requests(ctx, { priority: 0, bogus: true }))) {
    let promise
    t.notThrows(() => {
      promise = call()
    }, `${name} does not throw synchronously`)
    const err = await t.throwsAsync(promise, undefined, name)
    t.like(err, UNKNOWN, name)
  }
  await eio.flush()
  t.is(eio.nreqs(), 0)
  t.deepEqual(state(ctx), before, 'no refused request ran')
})

test.serial('the keys a request takes are accepted', async (t) => {
  const ctx = setup(t)
  const controller = new AbortController()
  const grp = eio.group()
  const options = { signal: controller.signal, priority: 1, group: grp }
  ctx.ownsCloseFd = false // close() closes it
  for (const [name, call] of Object.entries(requests(ctx, options))) {
    // Some fail for their own reasons (EINVAL, EPERM...), never over an option key.
    const outcome = await call().then(
      (value) => (value instanceof eio.Wd ? value.close() : 'fulfilled'),
      (err) => err.code,
    )
    t.not(outcome, UNKNOWN.code, name)
  }
  await grp.catch(() => {})
  const names = { encoding: 'buffer' }
  t.true(Buffer.isBuffer((await eio.readdir(ctx.dir, names))[0]))
  t.true(Buffer.isBuffer((await eio.readdirx(ctx.dir, 0, names)).entries[0]))
  t.true(Buffer.isBuffer(await eio.readlink(path.join(ctx.dir, 'link'), names)))
  t.true(Buffer.isBuffer(await eio.realpath(ctx.dir, names)))
  for (const call of [eio.stat, eio.lstat]) {
    const outcome = await call(ctx.dir, { bigint: true }).then(() => 'fulfilled', (err) => err.code)
    t.not(outcome, UNKNOWN.code, `${call.name} takes { bigint }`)
  }
})

test('options Node users pass are refused, naming the eio equivalent', async (t) => {
  const { dir, file } = setup(t)
  const cases = [
    [() => eio.readdir(dir, { withFileTypes: true }), /readdirx/],
    [() => eio.readdir(dir, { recursive: true }), /walk/],
    [() => eio.rmdir(path.join(dir, 'empty'), { recursive: true }), /rmtree/],
    [() => eio.stat(file, { throwIfNoEntry: false }), /ENOENT/],
    [() => eio.readlink(path.join(dir, 'link'), { withFileTypes: true }), /readdirx/],
    [() => eio.chmod(file, 0o600, { encoding: 'buffer' }), /encoding/],
  ]
  for (const [call, equivalent] of cases) {
    const err = await rejectsWith(t, call(), UNKNOWN)
    t.regex(err.message, equivalent)
  }
  t.true(fs.existsSync(path.join(dir, 'empty')))
})

test('group() and configure() throw on an unknown option key', (t) => {
  t.throws(() => eio.group({ limit: 2, concurrency: 4 }), UNKNOWN)
  t.throws(() => eio.configure({ maxParallel: 8, threads: 4 }), UNKNOWN)
})

test('the check reads no value, ignores inherited keys and skips non-enumerable ones', async (t) => {
  const { file } = setup(t)
  let read = false
  const withGetter = Object.defineProperty({}, 'bogus', {
    enumerable: true,
    get() {
      read = true
      return 1
    },
  })
  await rejectsWith(t, eio.stat(file, withGetter), UNKNOWN)
  t.false(read, 'the getter was not called')
  const inherited = Object.create({ inherited: true })
  t.is((await eio.stat(file, inherited)).size, 4)
  const hidden = Object.defineProperty({}, 'hidden', { value: true, enumerable: false })
  t.is((await eio.stat(file, hidden)).size, 4)
})

test('with an aborted signal, an unknown key is still reported first, as Node checks arguments first', async (t) => {
  const { file } = setup(t)
  await rejectsWith(t, eio.stat(file, { signal: AbortSignal.abort(), bogus: 1 }), UNKNOWN)
})

// The core requests (open, close, seek, read, write, stat, lstat, unlink, mkdir, rmdir,
// rename, readdir, nop, busy) against the kernel and node:fs: results, Node-shaped errors,
// and Node's error codes for every bad argument. A request function never throws.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, calls, have, procfs, rejectsWith, runNode, tmpdir } from './helpers.mjs'

const { constants: C } = eio

/** A file `name` in `dir` holding `content`; returns its path. */
function file(dir, name, content = '') {
  const p = path.join(dir, name)
  fs.writeFileSync(p, content)
  return p
}

/** The error a synchronous node:fs call throws. */
function nodeError(fn) {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('node:fs did not fail')
}

/** The fields of a Node fs error that eio must reproduce. */
function shape(err) {
  return { name: err.name, code: err.code, errno: err.errno, syscall: err.syscall, path: err.path, dest: err.dest }
}

/** The open-file flags of `fd`, as the kernel reports them (in Linux's /proc). */
function fdFlags(fd) {
  const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
  return parseInt(/^flags:\s+([0-7]+)/m.exec(info)[1], 8)
}

/** Closes fds when the test ends, whether or not eio closed them already. */
function closing(t, ...fds) {
  t.teardown(() => {
    for (const fd of fds) {
      try {
        fs.closeSync(fd)
      } catch {}
    }
  })
  return fds[0]
}

// ---- open / close ------------------------------------------------------------------------

test('open: Node string flags give the same kernel flags as fs.openSync', async (t) => {
  const dir = tmpdir(t)
  const flags = ['r', 'rs', 'sr', 'r+', 'rs+', 'sr+', 'w', 'wx', 'xw', 'w+', 'wx+', 'xw+', 'a', 'ax', 'xa', 'as', 'sa', 'a+', 'ax+', 'xa+', 'as+', 'sa+']
  for (const flag of flags) {
    const mine = path.join(dir, `eio-${flag}`)
    const theirs = path.join(dir, `node-${flag}`)
    if (flag.startsWith('r') || flag.startsWith('s')) {
      fs.writeFileSync(mine, 'x')
      fs.writeFileSync(theirs, 'x')
    }
    const a = closing(t, await eio.open(mine, flag))
    const b = closing(t, fs.openSync(theirs, flag))
    if (procfs) t.is(fdFlags(a), fdFlags(b), `flags for '${flag}'`)
    t.is(fs.fstatSync(a).size, fs.fstatSync(b).size, `truncation for '${flag}'`)
  }
})

test('open: numeric flags, mode and the default flags', async (t) => {
  const dir = tmpdir(t)
  const p = path.join(dir, 'f')
  const fd = closing(t, await eio.open(p, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o640))
  t.true(Number.isInteger(fd) && fd > 2)
  const umask = process.umask()
  t.is(fs.statSync(p).mode & 0o777, 0o640 & ~umask)
  if (procfs) {
    t.is(fdFlags(fd) & 3, C.O_WRONLY)
    t.truthy(fdFlags(fd) & C.O_CLOEXEC, 'eio fds are close-on-exec')
  }
  // mode as an octal string, as Node's fs takes it
  const q = path.join(dir, 'g')
  closing(t, await eio.open(q, 'w', '600'))
  t.is(fs.statSync(q).mode & 0o777, 0o600 & ~umask)
  // flags default to 'r'
  const r = closing(t, await eio.open(q))
  if (procfs) t.is(fdFlags(r) & 3, C.O_RDONLY)
  await t.throwsAsync(eio.open(p, C.O_WRONLY | C.O_CREAT | C.O_EXCL), { code: 'EEXIST' })
})

test('open: every path form reaches the same file', async (t) => {
  const dir = tmpdir(t)
  const p = file(dir, 'f', 'abc')
  const ino = fs.statSync(p).ino
  const forms = [p, Buffer.from(p), new Uint8Array(Buffer.from(p)), pathToFileURL(p), path.relative(process.cwd(), p)]
  for (const form of forms) {
    const fd = closing(t, await eio.open(form, 'r'))
    t.is(fs.fstatSync(fd).ino, ino, String(form))
  }
})

test('open: a relative path is resolved against the cwd at the call', async (t) => {
  const dir = tmpdir(t)
  file(dir, 'here', 'x')
  const { status, stdout, stderr } = runNode(`
    import * as eio from ${JSON.stringify(ENTRY)}
    process.chdir(${JSON.stringify(dir)})
    const p = eio.stat('here')
    process.chdir('/')
    console.log((await p).isFile())
  `)
  t.is(status, 0, stderr)
  t.is(stdout.trim(), 'true')
})

// Serial: another test opening a file could reuse the closed fd number.
test.serial('close: closes the fd; takes FileHandle-like objects', async (t) => {
  const dir = tmpdir(t)
  const p = file(dir, 'f', 'x')
  const fd = fs.openSync(p, 'r')
  t.is(await eio.close(fd), undefined)
  t.throws(() => fs.fstatSync(fd), { code: 'EBADF' })
  // A FileHandle-like object (a real FileHandle would close its fd number again when it
  // is garbage-collected, maybe after another test reused it).
  const other = fs.openSync(p, 'r')
  await eio.close({ fd: other })
  t.throws(() => fs.fstatSync(other), { code: 'EBADF' })
  await rejectsWith(t, eio.close(fd), { code: 'EBADF', errno: -9, syscall: 'close' })
})

// ---- seek / read / write -------------------------------------------------------------------

test('seek: SEEK_SET, SEEK_CUR, SEEK_END; bigint offsets; EINVAL before 0', async (t) => {
  const dir = tmpdir(t)
  const fd = closing(t, fs.openSync(file(dir, 'f', '0123456789'), 'r'))
  t.is(await eio.seek(fd, 3, C.SEEK_SET), 3)
  t.is(await eio.seek(fd, 2, C.SEEK_CUR), 5)
  t.is(await eio.seek(fd, -1, C.SEEK_END), 9)
  t.is(await eio.seek(fd, 4n, C.SEEK_SET), 4)
  const buf = Buffer.alloc(2)
  t.is(await eio.read(fd, null, 2, buf), 2)
  t.is(buf.toString(), '45', 'the next read starts at the new offset')
  await rejectsWith(t, eio.seek(fd, -20, C.SEEK_SET), { code: 'EINVAL', errno: -22, syscall: 'lseek' })
  await t.throwsAsync(eio.seek(fd, 0, 12345), { code: 'EINVAL' })
  // Beyond a double's exact range the offset comes back as a bigint (tmpfs and btrfs
  // allow such offsets; ext4 refuses them with EINVAL).
  const big = 2n ** 53n + 1n
  const r = await eio.seek(fd, big, C.SEEK_SET).catch((e) => e)
  if (r instanceof Error) t.is(r.code, 'EINVAL')
  else t.is(r, big)
})

test('read: positional reads match the file and leave the position alone', async (t) => {
  const dir = tmpdir(t)
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff))
  const fd = closing(t, fs.openSync(file(dir, 'f', data), 'r'))
  const buf = Buffer.alloc(100)
  t.is(await eio.read(fd, 10, 50, buf, 20), 50)
  t.deepEqual(buf.subarray(20, 70), data.subarray(10, 60))
  t.true(buf.subarray(0, 20).every((b) => b === 0) && buf.subarray(70).every((b) => b === 0))
  t.is(await eio.read(fd, 2n, 3, buf), 3, 'bigint position')
  t.deepEqual(buf.subarray(0, 3), data.subarray(2, 5))
  t.is(await eio.seek(fd, 0, C.SEEK_CUR), 0, 'pread does not move the file position')
  t.is(await eio.read(fd, 990, 100, buf), 10, 'short read at the end')
  t.is(await eio.read(fd, 1000, 10, buf), 0, 'EOF')
  t.is(await eio.read(fd, 2n ** 60n, 10, buf), 0, 'far beyond EOF')
  t.is(await eio.read(fd, 0, 0, buf), 0, 'length 0')
})

test('read: null, undefined, -1 and -1n read at the file position and advance it', async (t) => {
  const dir = tmpdir(t)
  const fd = closing(t, fs.openSync(file(dir, 'f', 'abcdefgh'), 'r'))
  const got = []
  for (const pos of [null, undefined, -1, -1n]) {
    const buf = Buffer.alloc(2)
    t.is(await eio.read(fd, pos, 2, buf), 2)
    got.push(buf.toString())
  }
  t.deepEqual(got, ['ab', 'cd', 'ef', 'gh'])
  t.is(await eio.seek(fd, 0, C.SEEK_CUR), 8)
})

test('read: into a DataView and other typed arrays, offsets in bytes', async (t) => {
  const dir = tmpdir(t)
  const fd = closing(t, fs.openSync(file(dir, 'f', 'hello world!'), 'r'))
  const bytes = (view) => Buffer.from(view.buffer, view.byteOffset, view.byteLength)
  const dv = new DataView(new ArrayBuffer(16), 4, 8)
  t.is(await eio.read(fd, 0, 5, dv, 2), 5)
  t.is(bytes(dv).toString('latin1'), '\0\0hello\0')
  t.is(new Uint8Array(dv.buffer)[6], 'h'.charCodeAt(0), 'the view\'s own offset is honoured')
  for (const Ctor of [Uint16Array, Int32Array, Float64Array, BigInt64Array, Uint8ClampedArray]) {
    const arr = new Ctor(16 / Ctor.BYTES_PER_ELEMENT)
    t.is(await eio.read(fd, 6, 6, arr, 1), 6, Ctor.name)
    t.is(bytes(arr).subarray(1, 7).toString(), 'world!', Ctor.name)
  }
  // The same view again: a subarray of a larger buffer.
  const big = Buffer.alloc(32, 0x2e)
  const sub = big.subarray(8, 16)
  t.is(await eio.read(fd, 0, 5, sub), 5)
  t.is(big.toString(), '........hello...................')
})

test('read: length is clamped by neither eio nor the kernel below the file size', async (t) => {
  // A 1 MiB read comes back whole (the copy out happens at completion).
  const dir = tmpdir(t)
  const data = Buffer.alloc(1 << 20)
  for (let i = 0; i < data.length; i += 4096) data.write(`block ${i}`, i)
  const fd = closing(t, fs.openSync(file(dir, 'f', data), 'r'))
  const buf = Buffer.alloc(data.length)
  t.is(await eio.read(fd, 0, data.length, buf), data.length)
  t.true(buf.equals(data))
})

test('read: a buffer detached or shrunk while the read is in flight rejects, never crashes', async (t) => {
  const dir = tmpdir(t)
  const fd = closing(t, fs.openSync(file(dir, 'f', 'hello world'), 'r'))
  // Transferred before the completion can arrive (it is delivered on this thread later).
  const ab = new ArrayBuffer(16)
  const pending = eio.read(fd, 0, 11, new Uint8Array(ab))
  const moved = structuredClone(ab, { transfer: [ab] })
  await rejectsWith(t, pending, { code: 'ERR_INVALID_STATE', name: 'Error' })
  t.true(new Uint8Array(moved).every((b) => b === 0), 'the new owner was not written to')
  // A length-tracking view over a resizable buffer that shrank below the read.
  const rab = new ArrayBuffer(16, { maxByteLength: 32 })
  const shrinking = eio.read(fd, 0, 11, new Uint8Array(rab), 2)
  rab.resize(4)
  await rejectsWith(t, shrinking, { code: 'ERR_INVALID_STATE' })
  // A DataView left out of bounds by a shrink is refused at the call.
  const rab2 = new ArrayBuffer(16, { maxByteLength: 32 })
  const dv = new DataView(rab2, 8, 8)
  rab2.resize(4)
  await rejectsWith(t, eio.read(fd, 0, 1, dv), { code: 'ERR_INVALID_STATE' })
  // A view that grew is fine.
  const rab3 = new ArrayBuffer(4, { maxByteLength: 32 })
  const growing = eio.read(fd, 0, 4, new Uint8Array(rab3))
  rab3.resize(32)
  t.is(await growing, 4)
  t.is(Buffer.from(rab3, 0, 4).toString(), 'hell')
})

test('write: buffers, strings, ranges and positions; the file matches', async (t) => {
  const dir = tmpdir(t)
  const p = path.join(dir, 'f')
  const fd = closing(t, fs.openSync(p, 'w+'))
  t.is(await eio.write(fd, 0, 5, Buffer.from('hello')), 5)
  t.is(await eio.write(fd, 5, undefined, ' wörld'), Buffer.byteLength(' wörld'), 'a string is UTF-8; length undefined is the rest')
  t.is(fs.readFileSync(p, 'utf8'), 'hello wörld')
  t.is(await eio.write(fd, 0, 2, Buffer.from('xxJEyy'), 2), 2, 'dataOffset')
  t.is(fs.readFileSync(p, 'utf8'), 'JEllo wörld')
  t.is(await eio.write(fd, 1n, 2, 'AB'), 2, 'bigint position')
  t.is(await eio.write(fd, 12, null, 'ä', 0), 2, 'length null is the rest')
  t.is(fs.readFileSync(p, 'utf8'), 'JABlo wörldä')
  t.is(await eio.write(fd, 0, undefined, Buffer.from('xyz'), 3), 0, 'an empty rest writes nothing')
  t.is(await eio.write(fd, 0, 2, new Uint16Array([0x4241, 0x4443])), 2, 'typed arrays are bytes')
  t.is(fs.readFileSync(p, 'latin1').slice(0, 2), 'AB')
  const dv = new DataView(new Uint8Array(Buffer.from('--dv--')).buffer, 0, 6)
  t.is(await eio.write(fd, 0, 2, dv, 2), 2)
  t.is(fs.readFileSync(p, 'latin1').slice(0, 2), 'dv')
})

test('write: null, undefined, -1 and -1n write at the file position and advance it', async (t) => {
  const dir = tmpdir(t)
  const p = path.join(dir, 'f')
  const fd = closing(t, fs.openSync(p, 'w'))
  for (const [pos, s] of [[null, 'a'], [undefined, 'b'], [-1, 'c'], [-1n, 'd']]) t.is(await eio.write(fd, pos, 1, s), 1)
  t.is(fs.readFileSync(p, 'utf8'), 'abcd')
  t.is(await eio.seek(fd, 0, C.SEEK_CUR), 4)
  // a positional write leaves the position alone
  await eio.write(fd, 10, 1, 'z')
  t.is(await eio.seek(fd, 0, C.SEEK_CUR), 4)
  t.is(fs.readFileSync(p, 'latin1'), 'abcd\0\0\0\0\0\0z')
})

test('write: the data is copied at the call; changing it afterwards does not matter', async (t) => {
  const dir = tmpdir(t)
  const p = path.join(dir, 'f')
  const fd = closing(t, fs.openSync(p, 'w'))
  const buf = Buffer.from('before')
  const pending = eio.write(fd, 0, 6, buf)
  buf.write('AFTER!')
  t.is(await pending, 6)
  t.is(fs.readFileSync(p, 'utf8'), 'before')
})

test('write: a NaN position rejects and never writes (oven-sh/bun#36135)', async (t) => {
  const dir = tmpdir(t)
  const p = file(dir, 'f', 'keep')
  const fd = closing(t, fs.openSync(p, 'r+'))
  await t.throwsAsync(eio.write(fd, NaN, 1, 'X'), { code: 'ERR_OUT_OF_RANGE' })
  await eio.nop() // anything wrongly queued would have run by now
  t.is(fs.readFileSync(p, 'utf8'), 'keep')
})

// ---- stat / lstat -----------------------------------------------------------------------

const STAT_KEYS = ['dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'blksize', 'ino', 'size', 'blocks', 'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs']
const IS = ['isFile', 'isDirectory', 'isSymbolicLink', 'isBlockDevice', 'isCharacterDevice', 'isFIFO', 'isSocket']

function sameStats(t, mine, theirs, what) {
  t.true(mine instanceof fs.Stats, `${what}: instanceof fs.Stats`)
  t.true(mine instanceof eio.Stats, `${what}: instanceof eio.Stats`)
  // Linux's struct stat has no birth time (node's comes from statx): the portable build says 0.
  const birth = calls.birthtime ? theirs.birthtimeMs : 0
  for (const k of STAT_KEYS) t.is(mine[k], k === 'birthtimeMs' ? birth : theirs[k], `${what}: ${k}`)
  for (const k of ['atime', 'mtime', 'ctime', 'birthtime']) {
    t.true(mine[k] instanceof Date, `${what}: ${k} is a Date`)
    t.is(mine[k].getTime(), k === 'birthtime' ? new Date(Math.round(birth)).getTime() : theirs[k].getTime(), `${what}: ${k}`)
  }
  for (const m of IS) t.is(mine[m](), theirs[m](), `${what}: ${m}()`)
}

test('stat and lstat: every field and is*() equal fs.statSync and fs.lstatSync', async (t) => {
  const dir = tmpdir(t)
  const f = file(dir, 'file', 'some content')
  // Times with sub-millisecond parts, so that the Date fields' rounding is checked too.
  fs.utimesSync(f, 1000.0007, 2000.0005)
  const link = path.join(dir, 'link')
  fs.symlinkSync('file', link)
  const dangling = path.join(dir, 'dangling')
  fs.symlinkSync('nowhere', dangling)
  const targets = [f, dir, link, '/dev/null', '/']
  if (have('mkfifo')) {
    const fifo = path.join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    targets.push(fifo)
  }
  for (const p of targets) {
    sameStats(t, await eio.stat(p), fs.statSync(p), `stat ${p}`)
    sameStats(t, await eio.lstat(p), fs.lstatSync(p), `lstat ${p}`)
  }
  sameStats(t, await eio.lstat(dangling), fs.lstatSync(dangling), 'lstat of a dangling symlink')
  t.true((await eio.lstat(link)).isSymbolicLink())
  t.true((await eio.stat(link)).isFile())
})

test('stat: of an fd and of a FileHandle equals fs.fstatSync', async (t) => {
  const dir = tmpdir(t)
  const f = file(dir, 'file', 'x'.repeat(5000))
  const fd = closing(t, fs.openSync(f, 'r'))
  sameStats(t, await eio.stat(fd), fs.fstatSync(fd), 'stat(fd)')
  const fh = await fs.promises.open(dir, 'r')
  t.teardown(() => fh.close())
  sameStats(t, await eio.stat(fh), fs.fstatSync(fh.fd), 'stat(FileHandle)')
})

test('stat: a socket', async (t) => {
  const net = await import('node:net')
  const dir = tmpdir(t)
  const sock = path.join(dir, 's')
  const server = net.createServer().listen(sock)
  await new Promise((resolve) => server.once('listening', resolve))
  t.teardown(() => server.close())
  const st = await eio.stat(sock)
  t.true(st.isSocket())
  sameStats(t, st, fs.statSync(sock), 'socket')
})

// ---- names --------------------------------------------------------------------------------

test('unlink, mkdir, rmdir, rename: effects match the file system', async (t) => {
  const dir = tmpdir(t)
  const f = file(dir, 'f', 'x')
  t.is(await eio.unlink(f), undefined)
  t.false(fs.existsSync(f))

  const d = path.join(dir, 'd')
  t.is(await eio.mkdir(d), undefined)
  t.is(fs.statSync(d).mode & 0o777, 0o777 & ~process.umask(), 'mode defaults to 0o777')
  const e = path.join(dir, 'e')
  await eio.mkdir(e, 0o700)
  t.is(fs.statSync(e).mode & 0o777, 0o700 & ~process.umask())
  await eio.mkdir(path.join(dir, 'o'), '750')
  t.is(fs.statSync(path.join(dir, 'o')).mode & 0o777, 0o750 & ~process.umask())

  t.is(await eio.rmdir(d), undefined)
  t.false(fs.existsSync(d))

  const a = file(dir, 'a', 'A')
  const b = path.join(dir, 'b')
  t.is(await eio.rename(a, b), undefined)
  t.false(fs.existsSync(a))
  t.is(fs.readFileSync(b, 'utf8'), 'A')
  const c = file(dir, 'c', 'C')
  if (calls.renameFlags) {
    await rejectsWith(t, eio.rename(b, c, C.RENAME_NOREPLACE), { code: 'EEXIST', syscall: 'rename', path: b, dest: c })
    await eio.rename(b, c, C.RENAME_EXCHANGE)
    t.is(fs.readFileSync(b, 'utf8'), 'C')
    t.is(fs.readFileSync(c, 'utf8'), 'A')
  } else {
    // No renameat2 (FreeBSD, the portable build): flags are refused, nothing is renamed.
    for (const flag of [C.RENAME_NOREPLACE, C.RENAME_EXCHANGE]) {
      await rejectsWith(t, eio.rename(b, c, flag), { code: 'ENOSYS', syscall: 'rename', path: b, dest: c })
    }
    t.is(fs.readFileSync(b, 'utf8'), 'A')
    fs.writeFileSync(b, 'C')
    fs.writeFileSync(c, 'A')
  }
  await eio.rename(b, c)
  t.false(fs.existsSync(b))
  t.is(fs.readFileSync(c, 'utf8'), 'C', 'a plain rename replaces the destination')
})

test('readdir: the names fs.readdirSync gives, without . and ..', async (t) => {
  const dir = tmpdir(t)
  t.deepEqual(await eio.readdir(dir), [])
  const names = ['a', 'b c', 'ünïcödé', '.hidden', 'x'.repeat(255)]
  for (const n of names) fs.writeFileSync(path.join(dir, n), '')
  fs.mkdirSync(path.join(dir, 'sub'))
  const got = await eio.readdir(dir)
  t.deepEqual([...got].sort(), fs.readdirSync(dir).sort())
  t.is(got.length, names.length + 1)
  const many = tmpdir(t)
  for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(many, `f${i}`), '')
  t.deepEqual((await eio.readdir(many)).sort(), fs.readdirSync(many).sort())
})

test("readdir: encoding 'buffer' returns the bytes of names that are not UTF-8", async (t) => {
  const dir = tmpdir(t)
  const raw = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x80])
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), raw]), '')
  fs.writeFileSync(path.join(dir, 'ok'), '')
  const bufs = await eio.readdir(dir, { encoding: 'buffer' })
  t.true(bufs.every((b) => Buffer.isBuffer(b)))
  const sort = (list) => list.map((b) => b.toString('hex')).sort()
  t.deepEqual(sort(bufs), sort(fs.readdirSync(dir, { encoding: 'buffer' })))
  t.true(bufs.some((b) => b.equals(raw)))
  // As strings, names decode as Node decodes them (with replacement characters).
  t.deepEqual((await eio.readdir(dir)).sort(), fs.readdirSync(dir).sort())
  t.deepEqual((await eio.readdir(dir, { encoding: 'utf8' })).sort(), fs.readdirSync(dir).sort())
  // and such a name works as a path again, byte for byte
  const st = await eio.stat(Buffer.concat([Buffer.from(`${dir}/`), raw]))
  t.true(st.isFile())
})

// ---- nop / busy -----------------------------------------------------------------------------

test('nop and busy fulfil with undefined; busy keeps a thread for at least its time', async (t) => {
  t.is(await eio.nop(), undefined)
  t.is(await eio.busy(0), undefined)
  const started = process.hrtime.bigint()
  t.is(await eio.busy(0.05), undefined)
  t.true(process.hrtime.bigint() - started >= 50_000_000n, 'busy returned early')
})

// ---- errors: Node's shape ------------------------------------------------------------------

test('errors have the shape of node:fs errors', async (t) => {
  const dir = tmpdir(t)
  const f = file(dir, 'file', 'x')
  const nope = path.join(dir, 'nope')
  const sub = path.join(dir, 'sub')
  fs.mkdirSync(sub)
  fs.writeFileSync(path.join(sub, 'x'), '')
  const rofd = closing(t, fs.openSync(f, 'r'))
  const cases = [
    ['open ENOENT', () => eio.open(nope), () => fs.openSync(nope)],
    ['open ENOENT relative', () => eio.open(path.relative(process.cwd(), nope)), () => fs.openSync(path.relative(process.cwd(), nope))],
    ['open ENOENT Buffer', () => eio.open(Buffer.from(nope)), () => fs.openSync(Buffer.from(nope))],
    ['open ENOENT URL', () => eio.open(pathToFileURL(nope)), () => fs.openSync(pathToFileURL(nope))],
    ['open ENOTDIR', () => eio.open(`${f}/x`), () => fs.openSync(`${f}/x`)],
    ['open EISDIR', () => eio.open(dir, 'w'), () => fs.openSync(dir, 'w')],
    ['open EEXIST', () => eio.open(f, 'wx'), () => fs.openSync(f, 'wx')],
    ['open ENOENT empty', () => eio.open(''), () => fs.openSync('')],
    ['close EBADF', () => eio.close(999999), () => fs.closeSync(999999)],
    ['read EBADF', () => eio.read(999999, 0, 1, Buffer.alloc(1)), () => fs.readSync(999999, Buffer.alloc(1), 0, 1, 0)],
    ['read EISDIR', () => eio.read(closing(t, fs.openSync(dir, 'r')), 0, 1, Buffer.alloc(1)), () => fs.readSync(closing(t, fs.openSync(dir, 'r')), Buffer.alloc(1), 0, 1, 0)],
    ['write EBADF', () => eio.write(999999, 0, 1, 'x'), () => fs.writeSync(999999, 'x', 0)],
    ['write EBADF read-only fd', () => eio.write(rofd, 0, 1, 'x'), () => fs.writeSync(rofd, 'x', 0)],
    ['stat ENOENT', () => eio.stat(nope), () => fs.statSync(nope)],
    ['stat ENOTDIR', () => eio.stat(`${f}/x`), () => fs.statSync(`${f}/x`)],
    ['stat EBADF', () => eio.stat(999999), () => fs.fstatSync(999999)],
    ['lstat ENOENT', () => eio.lstat(nope), () => fs.lstatSync(nope)],
    ['unlink ENOENT', () => eio.unlink(nope), () => fs.unlinkSync(nope)],
    ['unlink EISDIR', () => eio.unlink(sub), () => fs.unlinkSync(sub)],
    ['mkdir EEXIST', () => eio.mkdir(f), () => fs.mkdirSync(f)],
    ['mkdir ENOENT', () => eio.mkdir(`${nope}/a`), () => fs.mkdirSync(`${nope}/a`)],
    ['rmdir ENOENT', () => eio.rmdir(nope), () => fs.rmdirSync(nope)],
    ['rmdir ENOTDIR', () => eio.rmdir(f), () => fs.rmdirSync(f)],
    ['rmdir ENOTEMPTY', () => eio.rmdir(sub), () => fs.rmdirSync(sub)],
    ['rename ENOENT', () => eio.rename(nope, `${nope}2`), () => fs.renameSync(nope, `${nope}2`)],
    ['rename ENOTDIR', () => eio.rename(sub, f), () => fs.renameSync(sub, f)],
    ['rename EISDIR', () => eio.rename(f, sub), () => fs.renameSync(f, sub)],
    ['rename Buffer/URL', () => eio.rename(Buffer.from(nope), pathToFileURL(`${nope}3`)), () => fs.renameSync(Buffer.from(nope), pathToFileURL(`${nope}3`))],
    ['readdir ENOENT', () => eio.readdir(nope), () => fs.readdirSync(nope)],
    ['readdir ENOTDIR', () => eio.readdir(f), () => fs.readdirSync(f)],
  ]
  for (const [what, mine, theirs] of cases) {
    const expected = shape(nodeError(theirs))
    const err = await t.throwsAsync(mine(), undefined, what)
    t.true(err instanceof Error, what)
    t.deepEqual(shape(err), expected, what)
  }
  const seekErr = await t.throwsAsync(eio.seek(999999, 0, C.SEEK_SET))
  t.deepEqual(shape(seekErr), { name: 'Error', code: 'EBADF', errno: -9, syscall: 'lseek', path: undefined, dest: undefined })
})

// ---- bad arguments ---------------------------------------------------------------------------

const TYPE = 'ERR_INVALID_ARG_TYPE'
const RANGE = 'ERR_OUT_OF_RANGE'
const VALUE = 'ERR_INVALID_ARG_VALUE'
const SCHEME = 'ERR_INVALID_URL_SCHEME'
const STATE = 'ERR_INVALID_STATE'
const NAMES = { [TYPE]: 'TypeError', [RANGE]: 'RangeError', [VALUE]: 'TypeError', [SCHEME]: 'TypeError', [STATE]: 'Error' }

/** Bad path values and the code each must reject with. */
const BAD_PATHS = [
  [123, TYPE],
  [undefined, TYPE],
  [null, TYPE],
  [{}, TYPE],
  [true, TYPE],
  [['a', 'b', 'c'], TYPE],
  ['a\0b', VALUE],
  [Buffer.from('a\0b'), VALUE],
  [new URL('file:///tmp/a%00b'), VALUE],
  [new URL('http://example.com/x'), SCHEME],
]

/** A detached Uint8Array. */
function detached() {
  const ab = new ArrayBuffer(8)
  const view = new Uint8Array(ab)
  structuredClone(ab, { transfer: [ab] })
  return view
}

const BAD_OPTIONS = [
  [1, TYPE],
  ['x', TYPE],
  [{ priority: 5 }, RANGE],
  [{ priority: -5 }, RANGE],
  [{ priority: 1.5 }, RANGE],
  [{ priority: NaN }, RANGE],
  [{ priority: '1' }, TYPE],
  [{ signal: {} }, TYPE],
  [{ signal: 'x' }, TYPE],
  [{ signal: null }, TYPE],
  [{ group: {} }, TYPE],
]

/** `[label, () => promise, code]` for every parameter of every request. */
function badCalls(fd, p) {
  const b = Buffer.alloc(8)
  const cases = []
  const add = (label, call, code) => cases.push([label, call, code])
  const paths = (name, call) => {
    for (const [v, code] of BAD_PATHS) add(`${name}(${String(v)})`, () => call(v), code)
  }
  const options = (name, call) => {
    for (const [v, code] of BAD_OPTIONS) add(`${name} options ${JSON.stringify(v)}`, () => call(v), code)
  }

  paths('open', (v) => eio.open(v, 'r'))
  // Flags that are not numbers are ERR_INVALID_ARG_VALUE whatever their type, as in Node 20.
  for (const [v, code] of [[{}, VALUE], [true, VALUE], [1n, VALUE], ['zz', VALUE], ['', VALUE], [1.5, RANGE], [NaN, RANGE], [2 ** 31, RANGE], [-(2 ** 31) - 1, RANGE]]) {
    add(`open flags ${String(v)}`, () => eio.open(p, v), code)
  }
  for (const [v, code] of [[-1, RANGE], [1.5, RANGE], [NaN, RANGE], [2 ** 32, RANGE], ['8', VALUE], ['rw', VALUE], [{}, TYPE], [true, TYPE]]) {
    add(`open mode ${String(v)}`, () => eio.open(p, 'r', v), code)
  }
  options('open', (o) => eio.open(p, 'r', 0o666, o))

  const fds = [[-1, RANGE], [NaN, RANGE], [1.5, RANGE], [2 ** 31, RANGE], [Infinity, RANGE], ['1', TYPE], [null, TYPE], [undefined, TYPE], [{}, TYPE], [{ fd: -1 }, RANGE], [{ fd: '1' }, TYPE], [1n, TYPE]]
  for (const [v, code] of fds) {
    add(`close fd ${String(v)}`, () => eio.close(v), code)
    add(`seek fd ${String(v)}`, () => eio.seek(v, 0, 0), code)
    add(`read fd ${String(v)}`, () => eio.read(v, 0, 1, b), code)
    add(`write fd ${String(v)}`, () => eio.write(v, 0, 1, b), code)
  }
  options('close', (o) => eio.close(fd, o))

  for (const [v, code] of [[1.5, RANGE], [NaN, RANGE], [2 ** 53, RANGE], [-(2 ** 53), RANGE], [2n ** 63n, RANGE], [-(2n ** 63n) - 1n, RANGE], ['0', TYPE], [null, TYPE], [undefined, TYPE]]) {
    add(`seek offset ${String(v)}`, () => eio.seek(fd, v, 0), code)
  }
  for (const [v, code] of [['0', TYPE], [undefined, TYPE], [1.5, RANGE], [NaN, RANGE], [2 ** 31, RANGE]]) {
    add(`seek whence ${String(v)}`, () => eio.seek(fd, 0, v), code)
  }
  options('seek', (o) => eio.seek(fd, 0, 0, o))

  const positions = [[-2, RANGE], [1.5, RANGE], [NaN, RANGE], [Infinity, RANGE], [2 ** 53, RANGE], [-2n, RANGE], [2n ** 63n, RANGE], ['0', TYPE], [{}, TYPE], [true, TYPE]]
  for (const [v, code] of positions) {
    add(`read offset ${String(v)}`, () => eio.read(fd, v, 1, b), code)
    add(`write offset ${String(v)}`, () => eio.write(fd, v, 1, b), code)
  }
  const lengths = [[-1, RANGE], [1.5, RANGE], [NaN, RANGE], [Infinity, RANGE], [-1n, RANGE], ['1', TYPE], [{}, TYPE]]
  for (const [v, code] of lengths) {
    add(`read length ${String(v)}`, () => eio.read(fd, 0, v, b), code)
    add(`write length ${String(v)}`, () => eio.write(fd, 0, v, b), code)
    add(`read bufferOffset ${String(v)}`, () => eio.read(fd, 0, 1, b, v), code)
    add(`write dataOffset ${String(v)}`, () => eio.write(fd, 0, 1, b, v), code)
  }
  add('read length undefined', () => eio.read(fd, 0, undefined, b), TYPE)
  const buffers = [['str', TYPE], [[1, 2], TYPE], [null, TYPE], [undefined, TYPE], [new ArrayBuffer(8), TYPE], [{ length: 8 }, TYPE], [8, TYPE]]
  for (const [v, code] of buffers) {
    add(`read buffer ${String(v)}`, () => eio.read(fd, 0, 1, v), code)
    if (typeof v !== 'string') add(`write data ${String(v)}`, () => eio.write(fd, 0, 1, v), code)
  }
  add('read detached buffer', () => eio.read(fd, 0, 1, detached()), STATE)
  add('write detached data', () => eio.write(fd, 0, 1, detached()), STATE)
  add('read detached DataView', () => {
    const ab = new ArrayBuffer(4)
    const dv = new DataView(ab)
    structuredClone(ab, { transfer: [ab] })
    return eio.read(fd, 0, 1, dv)
  }, STATE)
  // ranges outside the buffer
  add('read length > buffer', () => eio.read(fd, 0, 9, b), RANGE)
  add('read bufferOffset > buffer', () => eio.read(fd, 0, 0, b, 9), RANGE)
  add('read bufferOffset + length > buffer', () => eio.read(fd, 0, 4, b, 5), RANGE)
  add('read into an empty buffer', () => eio.read(fd, 0, 1, Buffer.alloc(0)), RANGE)
  add('write length > data', () => eio.write(fd, 0, 9, b), RANGE)
  add('write dataOffset > data', () => eio.write(fd, 0, undefined, b, 9), RANGE)
  add('write dataOffset + length > data', () => eio.write(fd, 0, 4, b, 5), RANGE)
  add('write string length > bytes', () => eio.write(fd, 0, 3, 'ä'), RANGE)
  add('write subarray length > view', () => eio.write(fd, 0, 3, Buffer.alloc(8).subarray(2, 4)), RANGE)
  options('read', (o) => eio.read(fd, 0, 1, b, 0, o))
  options('write', (o) => eio.write(fd, 0, 1, b, 0, o))

  // A number is an fd for stat, so 123 is no bad path there.
  const statBad = [...BAD_PATHS.filter(([v]) => v !== 123), [-1, RANGE], [1.5, RANGE], [NaN, RANGE], [2 ** 31, RANGE], [{ fd: 'x' }, TYPE], [{ fd: -1 }, RANGE]]
  for (const [v, code] of statBad) add(`stat(${String(v)})`, () => eio.stat(v), code)
  options('stat', (o) => eio.stat(p, o))
  paths('lstat', (v) => eio.lstat(v))
  options('lstat', (o) => eio.lstat(p, o))
  paths('unlink', (v) => eio.unlink(v))
  options('unlink', (o) => eio.unlink(p, o))
  paths('mkdir', (v) => eio.mkdir(v))
  for (const [v, code] of [[-1, RANGE], [1.5, RANGE], [NaN, RANGE], ['9', VALUE], [{}, TYPE]]) add(`mkdir mode ${String(v)}`, () => eio.mkdir(p, v), code)
  options('mkdir', (o) => eio.mkdir(p, 0o777, o))
  paths('rmdir', (v) => eio.rmdir(v))
  options('rmdir', (o) => eio.rmdir(p, o))
  paths('rename src', (v) => eio.rename(v, p))
  paths('rename dst', (v) => eio.rename(p, v))
  for (const [v, code] of [[-1, RANGE], [1.5, RANGE], [NaN, RANGE], [2 ** 32, RANGE], ['1', TYPE], [{}, TYPE]]) add(`rename flags ${String(v)}`, () => eio.rename(p, p, v), code)
  options('rename', (o) => eio.rename(p, p, 0, o))
  paths('readdir', (v) => eio.readdir(v))
  options('readdir', (o) => eio.readdir(p, o))
  add('readdir encoding latin1', () => eio.readdir(p, { encoding: 'latin1' }), VALUE)
  add('readdir encoding 1', () => eio.readdir(p, { encoding: 1 }), VALUE)
  for (const [v, code] of [[-1, RANGE], [NaN, RANGE], [Infinity, RANGE], [-Infinity, RANGE], ['1', TYPE], [undefined, TYPE], [null, TYPE], [1n, TYPE]]) {
    add(`busy seconds ${String(v)}`, () => eio.busy(v), code)
  }
  options('busy', (o) => eio.busy(0, o))
  options('nop', (o) => eio.nop(o))
  return cases
}

// Serial, so that nreqs() sees only this test's requests.
test.serial('bad arguments reject with Node codes and never throw synchronously', async (t) => {
  const dir = tmpdir(t)
  const p = file(dir, 'f', 'data')
  const fd = closing(t, fs.openSync(p, 'r+'))
  const before = eio.nreqs()
  const cases = badCalls(fd, p)
  t.true(cases.length > 250)
  for (const [label, call, code] of cases) {
    let promise
    try {
      promise = call()
    } catch (err) {
      t.fail(`${label}: threw synchronously: ${err}`)
      continue
    }
    t.true(promise instanceof Promise, label)
    const err = await promise.then(
      () => undefined,
      (e) => e,
    )
    t.truthy(err, `${label}: fulfilled`)
    if (!err) continue
    t.is(err.code, code, label)
    t.is(err.name, NAMES[code], label)
  }
  t.is(eio.nreqs(), before, 'nothing was submitted')
  t.is(fs.readFileSync(p, 'utf8'), 'data')
  t.true(fs.existsSync(p))
})

test.serial('an already-aborted signal rejects every request with AbortError and submits nothing', async (t) => {
  const dir = tmpdir(t)
  const p = file(dir, 'f', 'data')
  const fd = closing(t, fs.openSync(p, 'r+'))
  const signal = AbortSignal.abort(new Error('why'))
  const o = { signal }
  const calls = [
    () => eio.open(p, 'r', 0o666, o),
    () => eio.close(fd, o),
    () => eio.seek(fd, 0, 0, o),
    () => eio.read(fd, 0, 1, Buffer.alloc(1), 0, o),
    () => eio.write(fd, 0, 1, 'x', 0, o),
    () => eio.stat(p, o),
    () => eio.lstat(p, o),
    () => eio.unlink(p, o),
    () => eio.mkdir(path.join(dir, 'd'), 0o777, o),
    () => eio.rmdir(dir, o),
    () => eio.rename(p, path.join(dir, 'g'), 0, o),
    () => eio.readdir(dir, o),
    () => eio.nop(o),
    () => eio.busy(1, o),
  ]
  for (const call of calls) {
    const before = eio.nreqs()
    const err = await t.throwsAsync(call())
    t.is(eio.nreqs(), before)
    t.is(err.name, 'AbortError')
    t.is(err.code, 'ABORT_ERR')
    t.is(err.cause, signal.reason)
  }
  t.is(fs.readFileSync(p, 'utf8'), 'data', 'nothing ran')
  t.deepEqual(fs.readdirSync(dir), ['f'])
  fs.fstatSync(fd) // still open
})

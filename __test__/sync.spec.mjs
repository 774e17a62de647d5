// IO::AIO's synchronous helpers: sendfileSync, fadvise, splice, tee, pipesize, pipe2,
// munlockall, major/minor/makedev. (mmap, munmap, madvise, mprotect and munlock are in
// mem.spec.mjs, beside the requests that use their Buffers.)

import test from 'ava'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import * as eio from '../index.js'
import { calls, fdCount, linuxCalls, procfs, tmpdir } from './helpers.mjs'

const C = eio.constants

/** A new pipe, closed when the test ends. */
function pipe(t, flags) {
  const fds = eio.pipe2(flags)
  t.teardown(() => fds.forEach((fd) => fs.closeSync(fd)))
  return fds
}

/** A file holding `data`, opened with `flags`, closed when the test ends. */
function file(t, data, flags = 'r+') {
  const p = path.join(tmpdir(t), 'f')
  fs.writeFileSync(p, data)
  const fd = fs.openSync(p, flags)
  t.teardown(() => fs.closeSync(fd))
  return { p, fd }
}

/**
 * A pipe whose write end does not block: pipe2(O_NONBLOCK) where pipe2 takes flags, else
 * (darwin, the portable build) a FIFO opened read-write and non-blocking, both ends in one fd.
 */
function nonBlockingPipe(t) {
  if (calls.pipe2Flags) return pipe(t, C.O_NONBLOCK)
  const p = path.join(tmpdir(t), 'fifo')
  execFileSync('mkfifo', [p])
  const fd = fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_NONBLOCK)
  t.teardown(() => fs.closeSync(fd))
  return [fd, fd]
}

/** Asserts that `fn` throws ENOSYS: this platform (or the portable build) lacks the call. */
function enosys(t, fn, syscall) {
  t.like(t.throws(fn), { code: 'ENOSYS', syscall, name: 'Error' })
}

/** The `flags:` line of /proc/self/fdinfo/<fd>, as a number. */
function fdFlags(fd) {
  return parseInt(/flags:\s+(\d+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))[1], 8)
}

/** Asserts that `fn` throws Node's fs error shape. */
function throwsErrno(t, fn, code, syscall) {
  const err = t.throws(fn)
  t.like(err, { code, syscall, name: 'Error' })
  t.true(err.errno < 0)
  return err
}

const DATA = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251))

test('sendfileSync copies from an offset to the file position; the input position stays', (t) => {
  const src = file(t, DATA, 'r')
  const dst = file(t, 'XY')
  fs.readSync(src.fd, Buffer.alloc(5), 0, 5, null) // input position 5
  fs.writeSync(dst.fd, 'AB', null) // output position 2
  t.is(eio.sendfileSync(dst.fd, { fd: src.fd }, 1000, 200_000), 200_000)
  t.is(eio.sendfileSync(dst.fd, src.fd, 10n, 3), 3)
  const out = fs.readFileSync(dst.p)
  t.true(out.subarray(0, 2).equals(Buffer.from('AB')))
  t.true(out.subarray(2, 200_002).equals(DATA.subarray(1000, 201_000)))
  t.true(out.subarray(200_002).equals(DATA.subarray(10, 13)))
  const probe = Buffer.alloc(1)
  fs.readSync(src.fd, probe, 0, 1, null)
  t.is(probe[0], 5, 'the input position did not move')
  // Short at the end of the file; nothing past it.
  t.is(eio.sendfileSync(dst.fd, src.fd, DATA.length - 7, 100), 7)
  t.is(eio.sendfileSync(dst.fd, src.fd, DATA.length + 7, 100), 0)
})

test('sendfileSync into a pipe stops when a non-blocking pipe is full', (t) => {
  const src = file(t, DATA, 'r')
  const [r, w] = nonBlockingPipe(t)
  let size
  if (linuxCalls) {
    size = eio.pipesize(w)
    t.is(eio.sendfileSync(w, src.fd, 0, DATA.length), size)
  } else {
    // No pipe size to ask for: as much as fits.
    size = eio.sendfileSync(w, src.fd, 0, DATA.length)
    t.true(size > 0 && size < DATA.length)
  }
  throwsErrno(t, () => eio.sendfileSync(w, src.fd, 0, 1), 'EAGAIN', 'sendfile')
  const got = Buffer.alloc(size)
  t.is(fs.readSync(r, got), size)
  t.true(got.equals(DATA.subarray(0, size)))
})

test('sendfileSync errors and arguments', (t) => {
  const src = file(t, DATA, 'r')
  const dst = file(t, '')
  const dir = fs.openSync(tmpdir(t), 'r')
  t.teardown(() => fs.closeSync(dir))
  throwsErrno(t, () => eio.sendfileSync(999_999, src.fd, 0, 1), 'EBADF', 'sendfile')
  throwsErrno(t, () => eio.sendfileSync(src.fd, src.fd, 0, 1), 'EBADF', 'sendfile') // read-only output
  // The kernel cannot sendfile from a directory (EINVAL): the emulation's read says why.
  throwsErrno(t, () => eio.sendfileSync(dst.fd, dir, 0, 1), 'EISDIR', 'sendfile')
  const bad = [
    [['1', src.fd, 0, 1], 'ERR_INVALID_ARG_TYPE'],
    [[src.fd, -1, 0, 1], 'ERR_OUT_OF_RANGE'],
    [[src.fd, src.fd, -1, 1], 'ERR_OUT_OF_RANGE'],
    [[src.fd, src.fd, 0, 1.5], 'ERR_OUT_OF_RANGE'],
    [[src.fd, src.fd, 0, null], 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [args, code] of bad) t.is(t.throws(() => eio.sendfileSync(...args)).code, code)
})

test('fadvise', (t) => {
  const { fd } = file(t, DATA)
  if (!calls.fadvise) {
    // darwin has no posix_fadvise: every valid call is ENOSYS; bad arguments stay Node's errors.
    enosys(t, () => eio.fadvise(fd, 0, 0, C.FADV_NORMAL), 'posix_fadvise')
    enosys(t, () => eio.fadvise(999_999, 4096n, 2 ** 40, C.FADV_WILLNEED), 'posix_fadvise')
    t.is(t.throws(() => eio.fadvise(fd, -1, 0, 0)).code, 'ERR_OUT_OF_RANGE')
    return t.is(t.throws(() => eio.fadvise(fd, 0, 0, '0')).code, 'ERR_INVALID_ARG_TYPE')
  }
  for (const advice of ['FADV_NORMAL', 'FADV_SEQUENTIAL', 'FADV_RANDOM', 'FADV_NOREUSE', 'FADV_WILLNEED', 'FADV_DONTNEED']) {
    t.is(eio.fadvise(fd, 0, 0, C[advice]), undefined, advice)
  }
  eio.fadvise(fd, 4096n, 2 ** 40, C.FADV_WILLNEED)
  throwsErrno(t, () => eio.fadvise(fd, 0, 0, 12345), 'EINVAL', 'posix_fadvise')
  throwsErrno(t, () => eio.fadvise(999_999, 0, 0, C.FADV_NORMAL), 'EBADF', 'posix_fadvise')
  const [r] = pipe(t)
  throwsErrno(t, () => eio.fadvise(r, 0, 0, C.FADV_NORMAL), 'ESPIPE', 'posix_fadvise')
  t.is(t.throws(() => eio.fadvise(fd, -1, 0, 0)).code, 'ERR_OUT_OF_RANGE')
  t.is(t.throws(() => eio.fadvise(fd, 0, 0, '0')).code, 'ERR_INVALID_ARG_TYPE')
})

test('splice moves bytes between a file and a pipe, at an offset or the file position', (t) => {
  const src = file(t, 'hello, splice world')
  const [r, w] = pipe(t)
  if (!linuxCalls) {
    enosys(t, () => eio.splice(src.fd, 7, w, null, 6), 'splice')
    enosys(t, () => eio.splice(r, null, src.fd, 3n, 100), 'splice')
    return
  }
  // From an offset: the file position stays at 0.
  t.is(eio.splice(src.fd, 7, w, null, 6), 6)
  // From the file position, which moves.
  t.is(eio.splice(src.fd, null, w, undefined, 5), 5)
  const dst = file(t, '')
  t.is(eio.splice(r, null, dst.fd, 3n, 100), 11)
  const out = fs.readFileSync(dst.p)
  t.true(out.subarray(3).equals(Buffer.from('splicehello')))
  t.is(fs.fstatSync(dst.fd).size, 14)
  // The file position moved past 'hello' only.
  const got = Buffer.alloc(4)
  t.is(fs.readSync(src.fd, got, 0, 1, null), 1)
  t.is(got.toString('utf8', 0, 1), ',')
  t.is(eio.splice(src.fd, null, w, null, 2, C.SPLICE_F_MORE), 2)
  t.is(fs.readSync(r, got), 2)
  t.is(got.toString('utf8', 0, 2), ' s')
})

test('splice errors and arguments', (t) => {
  const a = file(t, 'abc')
  const [r, w] = pipe(t, calls.pipe2Flags ? C.O_NONBLOCK : 0)
  if (linuxCalls) {
    throwsErrno(t, () => eio.splice(a.fd, 0, a.fd, 1, 1), 'EINVAL', 'splice') // no pipe
    throwsErrno(t, () => eio.splice(r, null, a.fd, 0, 1, C.SPLICE_F_NONBLOCK), 'EAGAIN', 'splice') // empty
    throwsErrno(t, () => eio.splice(999_999, null, w, null, 1), 'EBADF', 'splice')
    throwsErrno(t, () => eio.splice(r, 0, a.fd, 0, 1), 'ESPIPE', 'splice') // an offset on a pipe
  } else {
    enosys(t, () => eio.splice(a.fd, 0, a.fd, 1, 1), 'splice')
    enosys(t, () => eio.splice(999_999, null, w, null, 1), 'splice')
  }
  const bad = [
    [[a.fd, -1, w, null, 1], 'ERR_OUT_OF_RANGE'],
    [[a.fd, '0', w, null, 1], 'ERR_INVALID_ARG_TYPE'],
    [[a.fd, 0, w, null, -1], 'ERR_OUT_OF_RANGE'],
    [[a.fd, 0, w, null, 1, -1], 'ERR_OUT_OF_RANGE'],
    [[a.fd, 0, 'w', null, 1], 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [args, code] of bad) t.is(t.throws(() => eio.splice(...args)).code, code)
})

test('tee copies a pipe\'s bytes into another without consuming them', (t) => {
  const [r1, w1] = pipe(t)
  if (!linuxCalls) {
    const [, w2] = pipe(t)
    fs.writeSync(w1, 'duplicate me')
    enosys(t, () => eio.tee(r1, w2, 9), 'tee')
    t.is(t.throws(() => eio.tee(r1, w2, 1n << 60n)).code, 'ERR_OUT_OF_RANGE')
    return t.is(fs.readSync(r1, Buffer.alloc(32)), 12, 'nothing was consumed')
  }
  const [r2, w2] = pipe(t, C.O_NONBLOCK)
  fs.writeSync(w1, 'duplicate me')
  t.is(eio.tee(r1, w2, 9), 9)
  const a = Buffer.alloc(32)
  const b = Buffer.alloc(32)
  t.is(fs.readSync(r2, b), 9)
  t.is(fs.readSync(r1, a), 12)
  t.is(b.toString('utf8', 0, 9), 'duplicate')
  t.is(a.toString('utf8', 0, 12), 'duplicate me')
  throwsErrno(t, () => eio.tee(r1, w2, 1, C.SPLICE_F_NONBLOCK), 'EAGAIN', 'tee') // r1 is empty now
  const f = file(t, 'x')
  throwsErrno(t, () => eio.tee(f.fd, w2, 1), 'EINVAL', 'tee')
  t.is(t.throws(() => eio.tee(r1, w2, 1n << 60n)).code, 'ERR_OUT_OF_RANGE')
})

test('pipesize reads and sets the capacity', (t) => {
  const [r, w] = pipe(t)
  if (!linuxCalls) {
    // F_GETPIPE_SZ and F_SETPIPE_SZ are Linux's.
    enosys(t, () => eio.pipesize(r), 'fcntl')
    enosys(t, () => eio.pipesize(w, 1 << 20), 'fcntl')
    t.is(t.throws(() => eio.pipesize(r, -1)).code, 'ERR_OUT_OF_RANGE')
    return t.is(t.throws(() => eio.pipesize(r, '1')).code, 'ERR_INVALID_ARG_TYPE')
  }
  t.is(eio.pipesize(r), 16 * 4096) // Linux's default
  t.is(eio.pipesize(w, 1 << 20), 1 << 20)
  t.is(eio.pipesize(r), 1 << 20)
  t.is(eio.pipesize(r, 100_000), 131_072) // rounded up to a power-of-two number of pages
  t.is(eio.pipesize({ fd: w }, null), 131_072)
  const f = file(t, '')
  throwsErrno(t, () => eio.pipesize(f.fd), 'EBADF', 'fcntl')
  t.is(t.throws(() => eio.pipesize(r, -1)).code, 'ERR_OUT_OF_RANGE')
  t.is(t.throws(() => eio.pipesize(r, '1')).code, 'ERR_INVALID_ARG_TYPE')
})

test('pipe2 returns close-on-exec fds, with the flags asked for', (t) => {
  const before = fdCount()
  const [r, w] = pipe(t)
  t.is(fdCount(), before + 2)
  // The flags are read from /proc: Linux's, with the portable build too.
  if (procfs) {
    for (const fd of [r, w]) t.is(fdFlags(fd) & C.O_CLOEXEC, C.O_CLOEXEC)
    t.is(fdFlags(r) & C.O_NONBLOCK, 0)
    t.is(fdFlags(r) & 3, C.O_RDONLY)
    t.is(fdFlags(w) & 3, C.O_WRONLY)
  }
  fs.writeSync(w, 'ping')
  const got = Buffer.alloc(8)
  t.is(fs.readSync(r, got), 4)

  if (calls.pipe2Flags) {
    // O_DIRECT (a packet pipe) is Linux's; FreeBSD's pipe2 takes O_NONBLOCK alone.
    const [nr] = pipe(t, C.O_NONBLOCK | (linuxCalls ? C.O_DIRECT : 0))
    if (procfs) {
      t.is(fdFlags(nr) & C.O_NONBLOCK, C.O_NONBLOCK)
      t.is(fdFlags(nr) & C.O_CLOEXEC, C.O_CLOEXEC)
    }
    throwsErrno(t, () => eio.pipe2(C.O_RDWR), 'EINVAL', 'pipe2')
  } else {
    // darwin's pipe takes no flags (IO::AIO's pipe2 says ENOSYS).
    enosys(t, () => eio.pipe2(C.O_NONBLOCK), 'pipe2')
    enosys(t, () => eio.pipe2(C.O_RDWR), 'pipe2')
    t.is(fdCount(), before + 2, 'no fd was left open')
  }
  t.is(t.throws(() => eio.pipe2('x')).code, 'ERR_INVALID_ARG_TYPE')
  t.is(t.throws(() => eio.pipe2(2 ** 31)).code, 'ERR_OUT_OF_RANGE')
})

test('major, minor and makedev agree with the kernel\'s device numbers', (t) => {
  const { rdev } = fs.statSync('/dev/null')
  // Each platform encodes dev_t its own way; the numbers below are Linux's (glibc's).
  if (process.platform !== 'linux') {
    t.is(eio.makedev(eio.major(rdev), eio.minor(rdev)), rdev)
    return t.is(t.throws(() => eio.major(-1)).code, 'ERR_OUT_OF_RANGE')
  }
  // character device 1:3
  t.is(eio.major(rdev), 1)
  t.is(eio.minor(rdev), 3)
  t.is(eio.makedev(1, 3), rdev)
  const big = fs.statSync('/dev/null', { bigint: true })
  t.is(eio.major(big.rdev), 1)
  t.is(eio.minor(big.dev), eio.minor(fs.statSync('/dev/null').dev))
  // glibc's encoding: 12+20 bits of major, 8+24 of minor, in the 64-bit dev_t.
  t.is(eio.makedev(0x123, 0x45678), 0x45600000 | (0x123 << 8) | 0x78)
  t.is(eio.makedev(0xffffffff, 0xffffffff), 2n ** 64n - 1n)
  t.is(eio.makedev(0x100000, 0), 2 ** 52) // major bit 20 lands at bit 52: still a safe number
  t.is(eio.makedev(0x200000, 0), 2n ** 53n) // bit 53: a bigint
  t.is(eio.major(2n ** 64n - 1n), 0xffffffff)
  t.is(eio.minor(2n ** 64n - 1n), 0xffffffff)
  t.is(eio.major(eio.makedev(0xabcde, 0x12345)), 0xabcde)
  t.is(eio.minor(eio.makedev(0xabcde, 0x12345)), 0x12345)
  const bad = [
    [() => eio.major(-1), 'ERR_OUT_OF_RANGE'],
    [() => eio.major(2n ** 64n), 'ERR_OUT_OF_RANGE'],
    [() => eio.minor(1.5), 'ERR_OUT_OF_RANGE'],
    [() => eio.minor('1'), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.makedev(-1, 0), 'ERR_OUT_OF_RANGE'],
    [() => eio.makedev(0, 2 ** 32), 'ERR_OUT_OF_RANGE'],
    [() => eio.makedev(1n, 0), 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [fn, code] of bad) t.is(t.throws(fn).code, code)
})

test('munlockall', (t) => {
  t.is(eio.munlockall(), undefined)
})

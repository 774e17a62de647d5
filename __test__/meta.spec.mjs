// The file and descriptor requests of lib/meta.ts, checked against the kernel and node:fs:
// sendfile, readahead, statvfs, utime, chown, chmod, truncate, allocate, fsync, fdatasync,
// syncfs, sync, syncFileRange, pathsync, fiemap.

import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, ROOT, calls, fdCount, have, linuxCalls, procfs, rejectsWith, tmpdir } from './helpers.mjs'

const C = eio.constants
const TMPFS_MAGIC = 0x01021994
const BAD_FD = 1_000_000
const isRoot = process.getuid() === 0
/** Linux's EOPNOTSUPP is ENOTSUP (95); Node names it 'ENOTSUP'. */
const EOPNOTSUPP = os.constants.errno.EOPNOTSUPP
/**
 * The FALLOC_FL_* modes: eio.constants has 0 for them off Linux, so there the tests pass
 * Linux's values, which every platform without fallocate's modes refuses with ENOSYS.
 */
const FALLOC_FL =
  process.platform === 'linux'
    ? { KEEP_SIZE: C.FALLOC_FL_KEEP_SIZE, PUNCH_HOLE: C.FALLOC_FL_PUNCH_HOLE, COLLAPSE_RANGE: C.FALLOC_FL_COLLAPSE_RANGE,
        ZERO_RANGE: C.FALLOC_FL_ZERO_RANGE, INSERT_RANGE: C.FALLOC_FL_INSERT_RANGE, UNSHARE_RANGE: C.FALLOC_FL_UNSHARE_RANGE }
    : { KEEP_SIZE: 1, PUNCH_HOLE: 2, COLLAPSE_RANGE: 8, ZERO_RANGE: 16, INSERT_RANGE: 32, UNSHARE_RANGE: 64 }

/** A temporary directory on a disk filesystem (FIEMAP, COLLAPSE_RANGE... need one). */
function diskDir(t) {
  for (const base of [os.tmpdir(), '/var/tmp', path.join(ROOT, 'target')]) {
    try {
      if (fs.statfsSync(base).type === TMPFS_MAGIC) continue
      const dir = fs.mkdtempSync(path.join(base, 'eio-meta-'))
      t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
      return dir
    } catch {}
  }
  return tmpdir(t)
}

/** An fd closed when the test ends. */
function openFd(t, p, flags = 'r') {
  const fd = fs.openSync(p, flags)
  t.teardown(() => fs.closeSync(fd))
  return fd
}

function file(t, contents = '', dir = tmpdir(t)) {
  const p = path.join(dir, 'f')
  fs.writeFileSync(p, contents)
  return p
}

/** A FIFO opened read-write (which never blocks on Linux). */
function fifo(t) {
  const p = path.join(tmpdir(t), 'fifo')
  execFileSync('mkfifo', [p])
  return openFd(t, p, fs.constants.O_RDWR)
}

/** Runs `source` (an ES module importing eio as `eio`) as uid/gid 65534; returns its stdout. */
function asNobody(t, source) {
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e',
      `import * as eio from ${JSON.stringify(ENTRY)}\n${source}`],
    { encoding: 'utf8', timeout: 30_000 },
  )
  t.is(r.status, 0, r.stderr)
  return r.stdout.trim()
}

const nobodyTest = isRoot && have('setpriv') ? test : test.skip
const wdTest = typeof eio.wd === 'function' ? test : test.skip

// --- sendfile -------------------------------------------------------------------------

test('sendfile copies from an offset, leaves the input position, advances the output', async (t) => {
  const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 13) & 0xff))
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'in'), data)
  const inFd = openFd(t, path.join(dir, 'in'))
  const outFd = openFd(t, path.join(dir, 'out'), 'w')
  fs.readSync(inFd, Buffer.alloc(5)) // input position 5: sendfile must not use or move it
  t.is(await eio.sendfile(outFd, inFd, 100, 1000), 1000)
  t.is(await eio.sendfile({ fd: outFd }, { fd: inFd }, 10n, 50_000n), 50_000)
  t.is(await eio.seek(inFd, 0, C.SEEK_CUR), 5)
  t.is(await eio.seek(outFd, 0, C.SEEK_CUR), 51_000)
  t.deepEqual(fs.readFileSync(path.join(dir, 'out')), Buffer.concat([data.subarray(100, 1100), data.subarray(10, 50_010)]))
})

test('sendfile returns a short count at end of file, 0 past it and for length 0', async (t) => {
  const p = file(t, 'abcdef')
  const inFd = openFd(t, p)
  const out = path.join(path.dirname(p), 'out')
  const outFd = openFd(t, out, 'w')
  t.is(await eio.sendfile(outFd, inFd, 2, 100), 4)
  t.is(await eio.sendfile(outFd, inFd, 6, 100), 0)
  t.is(await eio.sendfile(outFd, inFd, 0, 0), 0)
  t.is(fs.readFileSync(out, 'utf8'), 'cdef')
})

test('sendfile falls back to read/write where the kernel refuses (O_APPEND output)', async (t) => {
  const data = Buffer.alloc(300_000, 'xyz')
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'in'), data)
  fs.writeFileSync(path.join(dir, 'out'), 'head')
  const inFd = openFd(t, path.join(dir, 'in'))
  const outFd = openFd(t, path.join(dir, 'out'), 'a')
  // Native sendfile(2) fails with EINVAL for an O_APPEND output.
  t.is(await eio.sendfile(outFd, inFd, 1, 299_990), 299_990)
  t.deepEqual(fs.readFileSync(path.join(dir, 'out')), Buffer.concat([Buffer.from('head'), data.subarray(1, 299_991)]))
})

test('sendfile loops past the per-call cap of 0x7ffff000 bytes', async (t) => {
  const inFd = openFd(t, '/dev/zero')
  const outFd = openFd(t, '/dev/null', 'w')
  const length = 0x7ffff000 + 8192
  t.is(await eio.sendfile(outFd, inFd, 0, length), length)
})

test('sendfile errors: EBADF, ESPIPE from a pipe, bad arguments', async (t) => {
  const p = file(t, 'abc')
  const fd = openFd(t, p)
  await rejectsWith(t, eio.sendfile(BAD_FD, fd, 0, 3), { code: 'EBADF', syscall: 'sendfile', errno: -9 })
  await rejectsWith(t, eio.sendfile(fd, BAD_FD, 0, 3), { code: 'EBADF', syscall: 'sendfile' })
  // A pipe input cannot be sent from, nor read at an offset by the fallback.
  await rejectsWith(t, eio.sendfile(openFd(t, path.join(path.dirname(p), 'o'), 'w'), fifo(t), 0, 3), { code: 'ESPIPE', syscall: 'sendfile' })
  await rejectsWith(t, eio.sendfile('1', fd, 0, 1), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.sendfile(fd, -1, 0, 1), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.sendfile(fd, fd, -1, 1), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.sendfile(fd, fd, 0, 1.5), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.sendfile(fd, fd, 0, null), { code: 'ERR_INVALID_ARG_TYPE' })
})

// --- readahead ------------------------------------------------------------------------

test('readahead succeeds on a file and leaves its position', async (t) => {
  const fd = openFd(t, file(t, Buffer.alloc(100_000, 1)))
  fs.readSync(fd, Buffer.alloc(7))
  t.is(await eio.readahead(fd, 0, 1 << 20), undefined)
  t.is(await eio.readahead({ fd }, 4096n, 10n), undefined)
  t.is(await eio.seek(fd, 0, C.SEEK_CUR), 7)
})

test('readahead errors: EINVAL on a pipe, EBADF, bad arguments', async (t) => {
  // Without readahead(2) the request reads the range, which a pipe refuses with ESPIPE.
  await rejectsWith(t, eio.readahead(fifo(t), 0, 10), { code: linuxCalls ? 'EINVAL' : 'ESPIPE', syscall: 'readahead' })
  await rejectsWith(t, eio.readahead(BAD_FD, 0, 10), { code: 'EBADF', syscall: 'readahead' })
  await rejectsWith(t, eio.readahead(0, -1, 10), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.readahead(0, 0, '10'), { code: 'ERR_INVALID_ARG_TYPE' })
})

// --- statvfs --------------------------------------------------------------------------

const STATVFS_FIELDS = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax']

test('statvfs of a path and of an fd match fs.statfsSync and stat -f', async (t) => {
  const dir = tmpdir(t)
  const byPath = await eio.statvfs(dir)
  const byFd = await eio.statvfs(openFd(t, dir))
  t.deepEqual(Object.keys(byPath), STATVFS_FIELDS)
  const node = fs.statfsSync(dir)
  for (const s of [byPath, byFd]) {
    t.is(s.bsize, node.bsize)
    t.is(s.blocks, node.blocks)
    t.is(s.files, node.files)
    t.true(s.bavail <= s.bfree && s.bfree <= s.blocks)
    t.true(s.favail <= s.files && s.ffree <= s.files)
  }
  t.is(byFd.fsid, byPath.fsid)
  t.is(byFd.flag, byPath.flag)
  if (process.platform === 'linux' && have('stat')) { // GNU stat's options
    const [namemax, frsize] = execFileSync('stat', ['-f', '-c', '%l %S', dir], { encoding: 'utf8' }).trim().split(' ')
    t.is(byPath.namemax, Number(namemax))
    t.is(byPath.frsize, Number(frsize))
  }
})

test('statvfs fsid and flag match the C library (python os.statvfs)', async (t) => {
  if (!have('python3')) return t.pass('python3 is not installed: nothing to compare with')
  const dir = tmpdir(t)
  const out = execFileSync('python3', ['-c', `import os; s = os.statvfs(${JSON.stringify(dir)}); print(s.f_fsid, s.f_flag, s.f_namemax)`], { encoding: 'utf8' })
  const [fsid, flag, namemax] = out.trim().split(' ').map(BigInt)
  const s = await eio.statvfs(dir)
  t.is(BigInt(s.fsid), fsid)
  t.is(BigInt(s.flag), flag)
  t.is(BigInt(s.namemax), namemax)
})

test('statvfs sees ST_RDONLY on a read-only filesystem', async (t) => {
  if (!procfs) return t.pass('the mounts are read from Linux\'s /proc')
  const ro = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')).find((f) => f.length > 5 && /(^|,)ro(,|$)/.test(f[5]) && fs.existsSync(f[4]))
  if (ro === undefined) return t.pass('no read-only mount to look at')
  t.truthy((await eio.statvfs(ro[4])).flag & C.ST_RDONLY)
  t.falsy((await eio.statvfs(tmpdir(t))).flag & C.ST_RDONLY)
})

test('statvfs errors: ENOENT, ENOTDIR, EBADF, bad arguments', async (t) => {
  const p = file(t)
  await rejectsWith(t, eio.statvfs(p + '-missing'), { code: 'ENOENT', syscall: 'statvfs', path: p + '-missing' })
  await rejectsWith(t, eio.statvfs(path.join(p, 'x')), { code: 'ENOTDIR', syscall: 'statvfs' })
  await rejectsWith(t, eio.statvfs(BAD_FD), { code: 'EBADF', syscall: 'fstatvfs' })
  await rejectsWith(t, eio.statvfs(1.5), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.statvfs(null), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.statvfs('a\0b'), { code: 'ERR_INVALID_ARG_VALUE' })
})

// --- utime ----------------------------------------------------------------------------

function times(p) {
  const s = fs.statSync(p, { bigint: true })
  return [s.atimeNs, s.mtimeNs]
}

test('utime sets seconds with fractions to the nanosecond, by path and by fd', async (t) => {
  const p = file(t)
  await eio.utime(p, 1.5, 1_700_000_000.125)
  t.deepEqual(times(p), [1_500_000_000n, 1_700_000_000_125_000_000n])
  // 1.7 is 1.6999999999999999556 as a double: the nearest nanosecond is 700000000.
  await eio.utime(p, 1.7, 2.000000001)
  t.deepEqual(times(p), [1_700_000_000n, 2_000_000_001n])
  await eio.utime(openFd(t, p), 10.25, 20.75)
  t.deepEqual(times(p), [10_250_000_000n, 20_750_000_000n])
  await eio.utime({ fd: openFd(t, p) }, -1.5, 0)
  t.deepEqual(times(p), [-1_500_000_000n, 0n])
})

test('utime takes Dates and numeric strings, as fs.utimes does', async (t) => {
  const dir = tmpdir(t)
  const a = path.join(dir, 'a')
  const b = path.join(dir, 'b')
  fs.writeFileSync(a, '')
  fs.writeFileSync(b, '')
  const atime = new Date(Date.UTC(2020, 1, 29, 12, 0, 0, 123))
  await eio.utime(a, atime, '1234567890.5')
  fs.utimesSync(b, atime, '1234567890.5')
  t.is(times(a)[1], times(b)[1])
  // Exact to the millisecond of the Date (libuv's double arithmetic can lose a microsecond).
  t.deepEqual(times(a), [BigInt(atime.getTime()) * 1_000_000n, 1_234_567_890_500_000_000n])
})

test('utime with both times null sets now; one alone counts as 0', async (t) => {
  const p = file(t)
  fs.utimesSync(p, 1000, 1000)
  const before = Date.now() - 5000
  await eio.utime(p, null, undefined)
  const s = fs.statSync(p)
  t.true(s.atimeMs >= before && s.mtimeMs >= before)
  await eio.utime(p, 5, null)
  t.deepEqual(times(p), [5_000_000_000n, 0n])
})

test('utime errors: ENOENT (utime), EBADF (futime), bad arguments', async (t) => {
  const p = file(t)
  await rejectsWith(t, eio.utime(p + 'x', 1, 1), { code: 'ENOENT', syscall: 'utime', path: p + 'x' })
  await rejectsWith(t, eio.utime(BAD_FD, 1, 1), { code: 'EBADF', syscall: 'futime' })
  await rejectsWith(t, eio.utime(p, 'soon', 1), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.utime(p, 1, NaN), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.utime(p, 1, Infinity), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.utime(p, new Date(NaN), 1), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.utime(p, 1e300, 1), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.utime(p, {}, 1), { code: 'ERR_INVALID_ARG_TYPE' })
})

test('utime takes bigint nanoseconds, exact to the ns, by path and by fd', async (t) => {
  const p = file(t)
  // Past what a double of seconds holds to the ns (2**53 ns is 104 days).
  const atime = 1_700_000_000_123_456_789n
  const mtime = 1_234_567_890_987_654_321n
  await eio.utime(p, atime, mtime)
  t.deepEqual(times(p), [atime, mtime])
  // What a bigint stat gives back sets the same times again (a copy keeps them exactly).
  const q = file(t, '', tmpdir(t))
  const st = fs.statSync(p, { bigint: true })
  await eio.utime(openFd(t, q), st.atimeNs, st.mtimeNs)
  t.deepEqual(times(q), [atime, mtime])
  // Before the epoch: floor division, as the kernel counts.
  await eio.utime(p, -1n, -1_500_000_000n)
  t.deepEqual(times(p), [-1n, -1_500_000_000n])
  // Mixed with the other forms.
  await eio.utime(p, 5n, new Date(1000))
  t.deepEqual(times(p), [5n, 1_000_000_000n])
  await rejectsWith(t, eio.utime(p, 2n ** 90n, 1n), { code: 'ERR_OUT_OF_RANGE', name: 'RangeError' })
})

/** A symlink's own [atime, mtime] in ns, as fs.lstatSync sees them. */
const linkTimes = (p) => {
  const s = fs.lstatSync(p, { bigint: true })
  return [s.atimeNs, s.mtimeNs]
}

test('lutime sets a symlink\'s own times, never its target\'s, as fs.lutimesSync', async (t) => {
  const dir = tmpdir(t)
  const target = path.join(dir, 'target')
  fs.writeFileSync(target, 'x')
  fs.utimesSync(target, 100, 200)
  const link = path.join(dir, 'link')
  const dangling = path.join(dir, 'dangling')
  fs.symlinkSync('target', link)
  fs.symlinkSync('nowhere', dangling)
  await eio.lutime(link, 1_600_000_000_000_000_001n, 1_600_000_000.5)
  t.deepEqual(linkTimes(link), [1_600_000_000_000_000_001n, 1_600_000_000_500_000_000n])
  t.deepEqual(times(target), [100_000_000_000n, 200_000_000_000n], 'the target is untouched')
  await eio.lutime(dangling, new Date(3000), 4)
  t.deepEqual(linkTimes(dangling), [3_000_000_000n, 4_000_000_000n])
  // The same as Node's lutimes, on a regular file too (no symlink: its own times).
  const other = path.join(dir, 'other')
  fs.symlinkSync('target', other)
  fs.lutimesSync(other, 7.25, 8.5)
  await eio.lutime(target, 7.25, 8.5)
  t.deepEqual(linkTimes(target), linkTimes(other))
  // Both null: now.
  const before = BigInt(Date.now() - 5000) * 1_000_000n
  await eio.lutime(link, null, null)
  t.true(linkTimes(link).every((ns) => ns >= before))
  // Relative to a Wd.
  const wd = await eio.wd(dir)
  await eio.lutime([wd, 'link'], 9n, 10n)
  wd.close()
  t.deepEqual(linkTimes(link), [9n, 10n])
})

test('lutime errors: ENOENT (lutime), bad arguments; an fd is not a path', async (t) => {
  const dir = tmpdir(t)
  const missing = path.join(dir, 'nope')
  await rejectsWith(t, eio.lutime(missing, 1, 1), { code: 'ENOENT', syscall: 'lutime', path: missing })
  await rejectsWith(t, eio.lutime(3, 1, 1), { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' })
  await rejectsWith(t, eio.lutime(dir, 'soon', 1), { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' })
  await rejectsWith(t, eio.lutime(dir, 1, 1, { bogus: 1 }), { code: 'ERR_INVALID_ARG_VALUE', name: 'TypeError' })
})

// --- chown ----------------------------------------------------------------------------

test('chown by path and fd; -1 and null leave an id unchanged', async (t) => {
  const p = file(t)
  const { uid, gid } = fs.statSync(p)
  if (!isRoot) {
    await eio.chown(p, uid, gid)
    return t.deepEqual([fs.statSync(p).uid, fs.statSync(p).gid], [uid, gid])
  }
  await eio.chown(p, 65534, 65534)
  t.deepEqual([fs.statSync(p).uid, fs.statSync(p).gid], [65534, 65534])
  await eio.chown(p, -1, 0)
  t.deepEqual([fs.statSync(p).uid, fs.statSync(p).gid], [65534, 0])
  await eio.chown(openFd(t, p), 0, null)
  t.deepEqual([fs.statSync(p).uid, fs.statSync(p).gid], [0, 0])
  await eio.chown({ fd: openFd(t, p) }, undefined, 65534)
  t.deepEqual([fs.statSync(p).uid, fs.statSync(p).gid], [0, 65534])
  // Follows symlinks, as chown(2) does.
  const link = path.join(path.dirname(p), 'link')
  fs.symlinkSync(p, link)
  await eio.chown(link, 65534, -1)
  t.is(fs.statSync(p).uid, 65534)
  t.is(fs.lstatSync(link).uid, 0)
})

nobodyTest('chown and chmod of a file one does not own fail with EPERM', async (t) => {
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755)
  const p = file(t, 'x', dir)
  const out = asNobody(t, `
    const codes = []
    for (const p of [eio.chown(${JSON.stringify(p)}, 65534, -1), eio.chmod(${JSON.stringify(p)}, 0o777)]) {
      codes.push(await p.then(() => 'ok', (e) => e.code + ' ' + e.syscall))
    }
    console.log(codes.join(','))`)
  t.is(out, 'EPERM chown,EPERM chmod')
  t.is(fs.statSync(p).mode & 0o777, 0o644 & ~process.umask() & 0o777)
})

test('chown errors: ENOENT, EBADF, bad arguments', async (t) => {
  const p = file(t)
  await rejectsWith(t, eio.chown(p + 'x', -1, -1), { code: 'ENOENT', syscall: 'chown', path: p + 'x' })
  await rejectsWith(t, eio.chown(BAD_FD, -1, -1), { code: 'EBADF', syscall: 'fchown' })
  await rejectsWith(t, eio.chown(p, -2, 0), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.chown(p, 0, 2 ** 32), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.chown(p, '0', 0), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.chown(p, 0.5, 0), { code: 'ERR_OUT_OF_RANGE' })
})

// --- chmod ----------------------------------------------------------------------------

test('chmod by path (following symlinks), octal string and fd, as fs.chmodSync', async (t) => {
  const p = file(t)
  await eio.chmod(p, 0o640)
  t.is(fs.statSync(p).mode & 0o7777, 0o640)
  await eio.chmod(p, '4755')
  t.is(fs.statSync(p).mode & 0o7777, 0o4755)
  await eio.chmod(openFd(t, p), 0o600)
  t.is(fs.statSync(p).mode & 0o7777, 0o600)
  const link = path.join(path.dirname(p), 'link')
  fs.symlinkSync(p, link)
  await eio.chmod(link, 0o444)
  t.is(fs.statSync(p).mode & 0o7777, 0o444)
})

test('chmod errors: ENOENT, EBADF, bad modes', async (t) => {
  const p = file(t)
  await rejectsWith(t, eio.chmod(p + 'x', 0o600), { code: 'ENOENT', syscall: 'chmod', path: p + 'x' })
  await rejectsWith(t, eio.chmod(BAD_FD, 0o600), { code: 'EBADF', syscall: 'fchmod' })
  await rejectsWith(t, eio.chmod(p, 'rwx'), { code: 'ERR_INVALID_ARG_VALUE' })
  await rejectsWith(t, eio.chmod(p, -1), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.chmod(p), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.chmod(p, {}), { code: 'ERR_INVALID_ARG_TYPE' })
})

// --- truncate -------------------------------------------------------------------------

test('truncate by path and fd shrinks and extends with zeros, as fs.truncateSync', async (t) => {
  const p = file(t, '0123456789')
  await eio.truncate(p, 4)
  t.is(fs.readFileSync(p, 'utf8'), '0123')
  await eio.truncate(openFd(t, p, 'r+'), 6n)
  t.deepEqual(fs.readFileSync(p), Buffer.from('0123\0\0'))
  await eio.truncate(p)
  t.is(fs.statSync(p).size, 0)
  await eio.truncate({ fd: openFd(t, p, 'r+') }, 2 ** 40)
  t.is(fs.statSync(p).size, 2 ** 40)
})

test('truncate errors: ENOENT, EISDIR, EBADF, EINVAL on a read-only fd, bad lengths', async (t) => {
  const p = file(t, 'abc')
  await rejectsWith(t, eio.truncate(p + 'x', 0), { code: 'ENOENT', syscall: 'truncate', path: p + 'x' })
  await rejectsWith(t, eio.truncate(path.dirname(p), 0), { code: 'EISDIR', syscall: 'truncate' })
  await rejectsWith(t, eio.truncate(BAD_FD, 0), { code: 'EBADF', syscall: 'ftruncate' })
  await rejectsWith(t, eio.truncate(openFd(t, p), 0), { code: 'EINVAL', syscall: 'ftruncate' })
  await rejectsWith(t, eio.truncate(p, -1), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.truncate(p, '1'), { code: 'ERR_INVALID_ARG_TYPE' })
  t.is(fs.readFileSync(p, 'utf8'), 'abc')
})

wdTest('truncate, chmod, utime and statvfs resolve [wd, name] against the directory', async (t) => {
  const dir = tmpdir(t)
  const p = file(t, '0123456789', dir)
  const wd = await eio.wd(dir)
  t.teardown(() => wd.close())
  await eio.truncate([wd, 'f'], 3)
  t.is(fs.readFileSync(p, 'utf8'), '012')
  await eio.chmod([wd, 'f'], 0o604)
  t.is(fs.statSync(p).mode & 0o777, 0o604)
  await eio.utime([wd, 'f'], 3, 4)
  t.deepEqual(times(p), [3_000_000_000n, 4_000_000_000n])
  t.is((await eio.statvfs(wd)).blocks, fs.statfsSync(dir).blocks)
  await rejectsWith(t, eio.truncate([wd, 'missing'], 0), { code: 'ENOENT', syscall: 'truncate' })
})

// --- allocate -------------------------------------------------------------------------

/** A file of `blocks` 4 KiB blocks, block i filled with byte i+1, synced. */
function blocksFile(t, dir, blocks) {
  const p = path.join(dir, `blocks-${blocks}-${Math.random()}`)
  fs.writeFileSync(p, Buffer.concat(Array.from({ length: blocks }, (_, i) => Buffer.alloc(4096, i + 1))))
  const fd = openFd(t, p, 'r+')
  fs.fsyncSync(fd)
  return { p, fd }
}

/**
 * Runs `fallocate` mode `mode`; false (logged) if the filesystem lacks it. Off Linux (and
 * in the portable build) asserts that a mode other than 0 is refused with ENOSYS.
 */
async function allocateOrUnsupported(t, fd, mode, offset, length) {
  if (!linuxCalls && mode !== 0) {
    await rejectsWith(t, eio.allocate(fd, mode, offset, length), { code: 'ENOSYS', syscall: 'fallocate' })
    return false
  }
  try {
    await eio.allocate(fd, mode, offset, length)
    return true
  } catch (err) {
    t.is(err.errno, -EOPNOTSUPP)
    t.is(err.syscall, 'fallocate')
    t.log(`fallocate mode ${mode} is not supported by this filesystem`)
    return false
  }
}

const blocksOf = (p) => fs.statSync(p).blocks

test('allocate mode 0 extends the file; KEEP_SIZE allocates past the end only', async (t) => {
  const dir = diskDir(t)
  const { p, fd } = blocksFile(t, dir, 1)
  if (!calls.allocate) {
    await rejectsWith(t, eio.allocate(fd, 0, 0, 65536), { code: 'ENOSYS', syscall: 'fallocate' })
    return t.is(fs.statSync(p).size, 4096)
  }
  await eio.allocate(fd, 0, 0, 65536)
  t.is(fs.statSync(p).size, 65536)
  t.true(blocksOf(p) >= 128)
  const before = blocksOf(p)
  if (await allocateOrUnsupported(t, fd, FALLOC_FL.KEEP_SIZE, 65536, 65536)) {
    t.is(fs.statSync(p).size, 65536)
    t.true(blocksOf(p) >= before + 128)
  }
})

test('allocate PUNCH_HOLE|KEEP_SIZE and ZERO_RANGE zero a range', async (t) => {
  const dir = diskDir(t)
  const { p, fd } = blocksFile(t, dir, 4)
  const before = blocksOf(p)
  if (await allocateOrUnsupported(t, fd, FALLOC_FL.PUNCH_HOLE | FALLOC_FL.KEEP_SIZE, 4096, 4096)) {
    const b = fs.readFileSync(p)
    t.is(b.length, 16384)
    t.deepEqual(b.subarray(4096, 8192), Buffer.alloc(4096))
    t.is(b[0], 1)
    t.is(b[8192], 3)
    t.true(blocksOf(p) < before)
  }
  if (await allocateOrUnsupported(t, fd, FALLOC_FL.ZERO_RANGE, 8192, 4096)) {
    const b = fs.readFileSync(p)
    t.deepEqual(b.subarray(8192, 12288), Buffer.alloc(4096))
    t.is(b[12288], 4)
  }
  // A hole cannot be punched without KEEP_SIZE.
  const noKeepSize = linuxCalls ? { errno: -EOPNOTSUPP, code: 'ENOTSUP' } : { code: 'ENOSYS' }
  await rejectsWith(t, eio.allocate(fd, FALLOC_FL.PUNCH_HOLE, 0, 4096), { ...noKeepSize, syscall: 'fallocate' })
})

test('allocate COLLAPSE_RANGE and INSERT_RANGE move the data after the range', async (t) => {
  const dir = diskDir(t)
  const bs = fs.statfsSync(dir).bsize
  const { p, fd } = blocksFile(t, dir, 4)
  if (bs === 4096 && (await allocateOrUnsupported(t, fd, FALLOC_FL.COLLAPSE_RANGE, 4096, 4096))) {
    const b = fs.readFileSync(p)
    t.is(b.length, 12288)
    t.deepEqual([b[0], b[4096], b[8192]], [1, 3, 4])
    // Not a multiple of the block size.
    await rejectsWith(t, eio.allocate(fd, FALLOC_FL.COLLAPSE_RANGE, 100, 4096), { code: 'EINVAL' })
  }
  if (bs === 4096 && (await allocateOrUnsupported(t, fd, FALLOC_FL.INSERT_RANGE, 0, 4096))) {
    const b = fs.readFileSync(p)
    t.is(b.length, 16384)
    t.deepEqual(b.subarray(0, 4096), Buffer.alloc(4096))
    t.deepEqual([b[4096], b[8192], b[12288]], [1, 3, 4])
  }
})

test('allocate UNSHARE_RANGE succeeds or says EOPNOTSUPP, leaving the data', async (t) => {
  const dir = diskDir(t)
  const { p, fd } = blocksFile(t, dir, 2)
  await allocateOrUnsupported(t, fd, FALLOC_FL.UNSHARE_RANGE, 0, 8192)
  t.deepEqual([fs.statSync(p).size, fs.readFileSync(p)[4096]], [8192, 2])
})

test('allocate errors: EBADF, EINVAL for length 0, ESPIPE on a pipe, bad arguments', async (t) => {
  const fd = openFd(t, file(t), 'r+')
  // darwin has no fallocate at all: every valid request is ENOSYS.
  const or = (code) => (calls.allocate ? code : 'ENOSYS')
  await rejectsWith(t, eio.allocate(BAD_FD, 0, 0, 10), { code: or('EBADF'), syscall: 'fallocate' })
  await rejectsWith(t, eio.allocate(fd, 0, 0, 0), { code: or('EINVAL'), syscall: 'fallocate' })
  await rejectsWith(t, eio.allocate(fifo(t), 0, 0, 10), { code: or('ESPIPE'), syscall: 'fallocate' })
  await rejectsWith(t, eio.allocate(fd, -1, 0, 10), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.allocate(fd, 0, -1, 10), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.allocate(fd, '0', 0, 10), { code: 'ERR_INVALID_ARG_TYPE' })
  t.is(fs.fstatSync(fd).size, 0)
})

// --- the sync family ------------------------------------------------------------------

test('fsync, fdatasync, syncfs and syncFileRange succeed on files, read-only ones too', async (t) => {
  const p = file(t, 'data')
  for (const fd of [openFd(t, p, 'r+'), openFd(t, p)]) {
    t.is(await eio.fsync(fd), undefined)
    t.is(await eio.fdatasync({ fd }), undefined)
    // Without syncfs, IO::AIO's syncfs syncs everything and still says ENOSYS.
    if (linuxCalls) t.is(await eio.syncfs(fd), undefined)
    else await rejectsWith(t, eio.syncfs(fd), { code: 'ENOSYS', syscall: 'syncfs' })
    const all = C.SYNC_FILE_RANGE_WAIT_BEFORE | C.SYNC_FILE_RANGE_WRITE | C.SYNC_FILE_RANGE_WAIT_AFTER
    t.is(await eio.syncFileRange(fd, 0, 0, all), undefined)
    t.is(await eio.syncFileRange(fd, 2n, 1n, C.SYNC_FILE_RANGE_WRITE), undefined)
  }
})

test('sync resolves', async (t) => {
  t.is(await eio.sync(), undefined)
  await rejectsWith(t, eio.sync({ priority: 9 }), { code: 'ERR_OUT_OF_RANGE' })
})

test('sync family errors: EBADF, EINVAL, ESPIPE, bad arguments', async (t) => {
  const fd = openFd(t, file(t, 'x'))
  await rejectsWith(t, eio.fsync(BAD_FD), { code: 'EBADF', syscall: 'fsync' })
  await rejectsWith(t, eio.fdatasync(BAD_FD), { code: 'EBADF', syscall: 'fdatasync' })
  await rejectsWith(t, eio.syncfs(BAD_FD), { code: linuxCalls ? 'EBADF' : 'ENOSYS', syscall: 'syncfs' })
  await rejectsWith(t, eio.syncFileRange(BAD_FD, 0, 0, 0), { code: 'EBADF', syscall: 'sync_file_range' })
  // fsync of a pipe is EINVAL; sync_file_range of one ESPIPE; unknown flags EINVAL.
  const pipe = fifo(t)
  await rejectsWith(t, eio.fsync(pipe), { code: 'EINVAL', syscall: 'fsync' })
  // Without sync_file_range the request syncs the whole file, which a pipe refuses with EINVAL.
  await rejectsWith(t, eio.syncFileRange(pipe, 0, 0, 0), { code: linuxCalls ? 'ESPIPE' : 'EINVAL', syscall: 'sync_file_range' })
  // fdatasync in its place ignores sync_file_range's flags (IO::AIO's substitute).
  if (linuxCalls) await rejectsWith(t, eio.syncFileRange(fd, 0, 0, 8), { code: 'EINVAL', syscall: 'sync_file_range' })
  else t.is(await eio.syncFileRange(fd, 0, 0, 8), undefined)
  await rejectsWith(t, eio.fsync('3'), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.fdatasync(-1), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.syncfs({ fd: 'x' }), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.syncFileRange(fd, -1, 0, 0), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.syncFileRange(fd, 0, 0, -1), { code: 'ERR_OUT_OF_RANGE' })
})

// --- pathsync -------------------------------------------------------------------------

test('pathsync syncs directories and files', async (t) => {
  const p = file(t, 'x')
  t.is(await eio.pathsync(path.dirname(p)), undefined)
  t.is(await eio.pathsync(p), undefined)
  t.is(await eio.pathsync(Buffer.from(p)), undefined)
})

test('pathsync errors name the failing step: open', async (t) => {
  const p = file(t)
  await rejectsWith(t, eio.pathsync(p + 'x'), { code: 'ENOENT', syscall: 'open', path: p + 'x' })
  await rejectsWith(t, eio.pathsync(path.join(p, 'x')), { code: 'ENOTDIR', syscall: 'open' })
  await rejectsWith(t, eio.pathsync(3), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.pathsync(''), { code: 'ENOENT', syscall: 'open' })
})

nobodyTest('pathsync of an unreadable file fails in open with EACCES', async (t) => {
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755)
  const p = file(t, 'x', dir)
  fs.chmodSync(p, 0o200)
  const out = asNobody(t, `console.log(await eio.pathsync(${JSON.stringify(p)}).then(() => 'ok', (e) => e.code + ' ' + e.syscall))`)
  t.is(out, 'EACCES open')
})

// --- fiemap ---------------------------------------------------------------------------

const STRIDE = 65536
const EXTENTS = 100

/**
 * A sparse file of EXTENTS separate 4 KiB extents, STRIDE bytes apart, synced; null (with
 * the reason logged) where the filesystem has no FIEMAP.
 */
async function sparseFile(t) {
  const dir = diskDir(t)
  const p = path.join(dir, 'sparse')
  const fd = openFd(t, p, 'w+')
  for (let i = 0; i < EXTENTS; i++) fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, i * STRIDE)
  fs.fsyncSync(fd)
  if (!linuxCalls) {
    // FS_IOC_FIEMAP is Linux's.
    await rejectsWith(t, eio.fiemap(fd, 0, null, 0, 0), { code: 'ENOSYS', syscall: 'ioctl' })
    await rejectsWith(t, eio.fiemap(fd, 0, null, 0, null), { code: 'ENOSYS', syscall: 'ioctl' })
    return null
  }
  try {
    await eio.fiemap(fd, 0, null, 0, 0)
  } catch (err) {
    if (err.errno !== -EOPNOTSUPP) throw err
    t.log(`FIEMAP is not supported on ${dir}: skipped`)
    return null
  }
  return { p, fd }
}

test('fiemap with count null returns every extent, as one large call and filefrag see them', async (t) => {
  const f = await sparseFile(t)
  if (f === null) return t.pass()
  const all = await eio.fiemap(f.fd, 0, null, 0, null)
  t.is(all.length, EXTENTS)
  t.deepEqual(all.map((e) => e.logical), Array.from({ length: EXTENTS }, (_, i) => i * STRIDE))
  for (const e of all) {
    t.is(e.length, 4096)
    t.is(typeof e.physical, 'number')
  }
  t.truthy(all.at(-1).flags & C.FIEMAP_EXTENT_LAST)
  t.falsy(all[0].flags & C.FIEMAP_EXTENT_LAST)
  t.deepEqual(all, await eio.fiemap(f.fd, 0, null, 0, 1000))
  if (have('filefrag')) {
    const lines = execFileSync('filefrag', ['-v', '-b1', f.p], { encoding: 'utf8' }).split('\n')
    const frag = lines.map((l) => /^\s*\d+:\s+(\d+)\.\.\s*\d+:\s+(\d+)\.\.\s*\d+:\s+(\d+):/.exec(l)).filter(Boolean)
    t.deepEqual(all.map((e) => [e.logical, e.physical, e.length]), frag.map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]))
  }
})

test('fiemap count 0 counts, count N makes one call of N, ranges include the crossing extent', async (t) => {
  const f = await sparseFile(t)
  if (f === null) return t.pass()
  t.is(await eio.fiemap(f.fd, 0, null, 0, 0), EXTENTS)
  const five = await eio.fiemap({ fd: f.fd }, 0, null, 0, 5)
  t.deepEqual(five.map((e) => e.logical), [0, 1, 2, 3, 4].map((i) => i * STRIDE))
  // [0, 9*STRIDE + 100) ends inside the tenth extent, which is included.
  const part = await eio.fiemap(f.fd, 0, 9 * STRIDE + 100, 0, null)
  t.deepEqual(part.map((e) => e.logical), Array.from({ length: 10 }, (_, i) => i * STRIDE))
  const tail = await eio.fiemap(f.fd, 95n * BigInt(STRIDE), null, 0, null)
  t.deepEqual(tail.map((e) => e.logical), [95, 96, 97, 98, 99].map((i) => i * STRIDE))
  t.deepEqual(await eio.fiemap(f.fd, EXTENTS * STRIDE, null, 0, null), [])
  // FIEMAP_FLAG_SYNC flushes first: a fresh write shows up as a real extent.
  fs.writeSync(f.fd, Buffer.alloc(4096, 1), 0, 4096, EXTENTS * STRIDE)
  const synced = await eio.fiemap(f.fd, EXTENTS * STRIDE, null, C.FIEMAP_FLAG_SYNC, null)
  t.is(synced.length, 1)
  t.falsy(synced[0].flags & C.FIEMAP_EXTENT_DELALLOC)
})

test('fiemap errors: EBADR for bad flags, EBADF, bad arguments', async (t) => {
  const fd = openFd(t, file(t, 'x'))
  await rejectsWith(t, eio.fiemap(BAD_FD, 0, null, 0, null), { code: linuxCalls ? 'EBADF' : 'ENOSYS', syscall: 'ioctl' })
  const f = await sparseFile(t)
  if (f !== null) {
    const err = await rejectsWith(t, eio.fiemap(f.fd, 0, null, 0x100, null), { code: 'EBADR', syscall: 'ioctl' })
    t.is(-err.errno, C.EBADR)
  }
  await rejectsWith(t, eio.fiemap(fd, -1, null, 0, null), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.fiemap(fd, 0, -1, 0, null), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.fiemap(fd, 0, null, -1, null), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.fiemap(fd, 0, null, 0, -1), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.fiemap(fd, 0, null, 0, 2 ** 32), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.fiemap(fd, 0, null, 0, '1'), { code: 'ERR_INVALID_ARG_TYPE' })
})

test.serial('requests that open a path internally (statvfs, pathsync, truncate) close it again', async (t) => {
  const p = file(t, 'abc')
  const before = fdCount()
  for (let i = 0; i < 20; i++) {
    await Promise.allSettled([eio.statvfs(p), eio.pathsync(p), eio.pathsync(p + 'x'), eio.statvfs(p + 'x'), eio.truncate(p, 3)])
  }
  t.is(fdCount(), before)
})

// --- options --------------------------------------------------------------------------

test('an aborted signal rejects before anything runs', async (t) => {
  const p = file(t, 'abc')
  const signal = AbortSignal.abort()
  await rejectsWith(t, eio.truncate(p, 0, { signal }), { name: 'AbortError', code: 'ABORT_ERR' })
  await rejectsWith(t, eio.chmod(p, 0o600, { signal }), { name: 'AbortError' })
  t.is(fs.readFileSync(p, 'utf8'), 'abc')
})

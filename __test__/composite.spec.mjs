// load, copy, move, scandir: real files, compared with node:fs.

import { createHash, randomBytes } from 'node:crypto'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, fdCount, have, procfs, rejectsWith, tmpdir } from './helpers.mjs'

const GiB = 1024 ** 3
const MiB = 1024 ** 2

function sha(buf) {
  return createHash('sha256').update(buf).digest('hex')
}

/** `length` bytes of the file at `position`. */
function readAt(file, position, length) {
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(length)
    const n = fs.readSync(fd, buf, 0, length, position)
    return buf.subarray(0, n)
  } finally {
    fs.closeSync(fd)
  }
}

// ---- load

test('load returns the whole file', async (t) => {
  const dir = tmpdir(t)
  const data = randomBytes(3 * MiB + 17)
  fs.writeFileSync(path.join(dir, 'f'), data)
  fs.writeFileSync(path.join(dir, 'empty'), '')
  t.true((await eio.load(path.join(dir, 'f'))).equals(data))
  t.is((await eio.load(path.join(dir, 'empty'))).length, 0)
  t.true(Buffer.isBuffer(await eio.load(Buffer.from(path.join(dir, 'f')))))
})

test('load reads procfs files, whose size is 0, to their end', async (t) => {
  if (!procfs) return t.pass('no Linux procfs here')
  t.is(fs.statSync('/proc/self/status').size, 0)
  const text = (await eio.load('/proc/self/status')).toString()
  t.regex(text, /^Name:\t/)
  t.regex(text, /\nPid:\t\d+\n/)
  t.true(text.endsWith('\n'))
})

test('load errors', async (t) => {
  const dir = tmpdir(t)
  await rejectsWith(t, eio.load(path.join(dir, 'nope')), { code: 'ENOENT', syscall: 'open', errno: -2 })
  await rejectsWith(t, eio.load(dir), { code: 'EISDIR' })
  await rejectsWith(t, eio.load('a\u0000b'), { code: 'ERR_INVALID_ARG_VALUE' })
  await rejectsWith(t, eio.load(42), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.load('/etc/hostname', { priority: 9 }), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.load('/etc/hostname', { signal: AbortSignal.abort() }), { name: 'AbortError', code: 'ABORT_ERR' })
})

// ---- copy

test('copy restores contents, mode and times with nanoseconds', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const dst = path.join(dir, 'dst')
  const data = randomBytes(MiB + 3)
  fs.writeFileSync(src, data)
  fs.chmodSync(src, 0o4751)
  // node:fs rounds times to microseconds; touch sets nanoseconds.
  execFileSync('touch', ['-m', '-d', '@1600000000.987654321', src])
  execFileSync('touch', ['-a', '-d', '@1500000000.123456789', src])
  // Reading updates atimes (relatime), so stat the source before the copy reads it and
  // the destination before this test does.
  const s = fs.statSync(src, { bigint: true })
  await eio.copy(src, dst)
  const d = fs.statSync(dst, { bigint: true })
  t.true(fs.readFileSync(dst).equals(data))
  t.is(d.mode, s.mode)
  t.is(d.mtimeNs, s.mtimeNs)
  t.is(d.atimeNs, s.atimeNs)
  t.is(d.mtimeNs, 1600000000987654321n, 'nanoseconds kept')
  t.is(d.uid, s.uid)
})

// Serial: the other tests' synchronous writes would stall this one's event loop.
test.serial('copy replaces an existing destination whole: a failure leaves the old one as it was', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const dst = path.join(dir, 'dst')
  fs.writeFileSync(src, 'short')
  fs.writeFileSync(dst, 'a much longer old content')
  await eio.copy(src, dst)
  t.is(fs.readFileSync(dst, 'utf8'), 'short', 'replaced and shrunk')
  // Aborted in the middle of a large copy: the old destination is intact, and the
  // temporary file the copy was writing beside it is gone.
  const chunk = randomBytes(16 * MiB)
  const fd = fs.openSync(src, 'w')
  for (let i = 0; i < 32; i++) fs.writeSync(fd, chunk)
  fs.closeSync(fd)
  fs.writeFileSync(dst, 'old')
  const ac = new AbortController()
  const p = eio.copy(src, dst, { signal: ac.signal })
  while (fs.readdirSync(dir).length < 3) await new Promise((resolve) => setImmediate(resolve))
  ac.abort()
  await rejectsWith(t, p, { name: 'AbortError' })
  await eio.flush()
  t.is(fs.readFileSync(dst, 'utf8'), 'old')
  t.deepEqual(fs.readdirSync(dir).sort(), ['dst', 'src'])
})

test('copy onto itself (same path, hardlink, symlink) fails and leaves it intact', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const data = randomBytes(64 * 1024)
  fs.writeFileSync(src, data)
  fs.linkSync(src, path.join(dir, 'hard'))
  fs.symlinkSync(src, path.join(dir, 'sym'))
  fs.symlinkSync('src', path.join(dir, 'relsym'))
  for (const dst of [src, path.join(dir, 'hard'), path.join(dir, 'sym'), path.join(dir, 'relsym'), `${dir}/./src`]) {
    const err = await rejectsWith(t, eio.copy(src, dst), { code: 'EINVAL', path: src, dest: dst })
    t.is(err.syscall, 'copy')
    t.true(fs.readFileSync(src).equals(data), dst)
  }
})

test('copy of a procfs file copies what read returns, not st_size', async (t) => {
  if (!procfs) return t.pass('no Linux procfs here')
  const dir = tmpdir(t)
  const dst = path.join(dir, 'status')
  await eio.copy('/proc/self/status', dst)
  const text = fs.readFileSync(dst, 'utf8')
  t.regex(text, /^Name:\t/)
  t.true(text.length > 100)
})

test('copy errors remove nothing but what the copy created', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.writeFileSync(src, 'data')
  // A directory as the source: EISDIR, no destination.
  await rejectsWith(t, eio.copy(dir, path.join(dir, 'x')), { code: 'EISDIR', path: dir })
  t.false(fs.existsSync(path.join(dir, 'x')))
  // A missing source: no destination created.
  await rejectsWith(t, eio.copy(path.join(dir, 'nope'), path.join(dir, 'y')), { code: 'ENOENT', syscall: 'open' })
  t.false(fs.existsSync(path.join(dir, 'y')))
  // A destination in a missing directory, or that is a directory.
  await rejectsWith(t, eio.copy(src, path.join(dir, 'no/dst')), { code: 'ENOENT' })
  fs.mkdirSync(path.join(dir, 'sub'))
  await rejectsWith(t, eio.copy(src, path.join(dir, 'sub')), { code: 'EISDIR' })
  // A dangling symlink as the destination: ENOENT, the link left as it was.
  fs.symlinkSync('no/where', path.join(dir, 'dangling'))
  await rejectsWith(t, eio.copy(src, path.join(dir, 'dangling')), { code: 'ENOENT', syscall: 'open' })
  t.is(fs.readlinkSync(path.join(dir, 'dangling')), 'no/where')
  t.true(fs.statSync(path.join(dir, 'sub')).isDirectory())
  t.is(fs.readFileSync(src, 'utf8'), 'data')
  // Bad arguments.
  await rejectsWith(t, eio.copy(src), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.copy(src, 'x\u0000'), { code: 'ERR_INVALID_ARG_VALUE' })
})

test('copy of a 5 GiB sparse file keeps its holes and its far end', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'sparse')
  const dst = path.join(dir, 'copy')
  const head = randomBytes(MiB)
  const tail = randomBytes(4 * MiB)
  const size = 5 * GiB
  const fd = fs.openSync(src, 'w')
  fs.writeSync(fd, head, 0, head.length, 0)
  fs.writeSync(fd, tail, 0, tail.length, size - 8 * MiB) // then a 4 MiB trailing hole
  fs.ftruncateSync(fd, size)
  fs.closeSync(fd)
  await eio.copy(src, dst)
  const st = fs.statSync(dst)
  t.is(st.size, size)
  t.true(st.blocks * 512 < 64 * MiB, `holes kept (${st.blocks} blocks)`)
  t.is(sha(readAt(dst, 0, MiB)), sha(head))
  t.is(sha(readAt(dst, size - 8 * MiB, 8 * MiB)), sha(readAt(src, size - 8 * MiB, 8 * MiB)))
  t.true(readAt(dst, 2.5 * GiB, MiB).equals(Buffer.alloc(MiB)), 'the middle reads as zeros')
  t.true(readAt(dst, size - 4 * MiB, 4 * MiB).equals(Buffer.alloc(4 * MiB)), 'the trailing hole reads as zeros')
})

test.serial('copy leaks no fd, on success or on failure', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.writeFileSync(src, 'data')
  fs.mkdirSync(path.join(dir, 'sub'))
  const before = fdCount()
  for (let i = 0; i < 20; i++) {
    await eio.copy(src, path.join(dir, `ok${i}`))
    await t.throwsAsync(eio.copy(src, src))
    await t.throwsAsync(eio.copy(src, path.join(dir, 'sub')))
    await t.throwsAsync(eio.copy(dir, path.join(dir, `bad${i}`)))
  }
  t.true(fdCount() <= before, `${fdCount()} fds open, ${before} before`)
})

test('abort in the middle of a 1 GiB copy leaves no destination', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'big')
  const dst = path.join(dir, 'dst')
  const chunk = randomBytes(16 * MiB)
  const fd = fs.openSync(src, 'w')
  for (let i = 0; i < 64; i++) fs.writeSync(fd, chunk)
  fs.closeSync(fd)
  // The destination appears when the copy has started; abort then, long before 1 GiB is
  // done. On a loaded machine this thread may not look again before the copy finished:
  // then the copy is whole (checked) and the test tries again.
  let aborted = 0
  for (let attempt = 0; attempt < 5 && aborted === 0; attempt++) {
    const ac = new AbortController()
    const p = eio.copy(src, dst, { signal: ac.signal })
    let settled = false
    p.then(() => (settled = true), () => (settled = true))
    while (!fs.existsSync(dst) && !settled) await new Promise((resolve) => setImmediate(resolve))
    ac.abort()
    const outcome = await p.then(() => undefined, (err) => err)
    await eio.flush()
    if (outcome === undefined) {
      t.is(fs.statSync(dst).size, GiB, 'a copy that finished before the abort is whole')
      fs.unlinkSync(dst)
      continue
    }
    t.like(outcome, { name: 'AbortError', code: 'ABORT_ERR' })
    t.false(fs.existsSync(dst))
    aborted++
  }
  t.is(aborted, 1, 'one copy was aborted in the middle')
  t.is(fs.statSync(src).size, GiB)
})

test('copy drops setuid/setgid when it cannot keep the owner (unprivileged)', async (t) => {
  if (process.getuid() !== 0 || !have('setpriv')) return t.pass(console.log('skipped: needs root and setpriv to drop privileges'))
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755)
  const out = path.join(dir, 'out')
  fs.mkdirSync(out, { mode: 0o777 })
  fs.chmodSync(out, 0o777)
  for (const [name, mode] of [['suid', 0o4755], ['sgid', 0o2755], ['plain', 0o640]]) {
    fs.writeFileSync(path.join(dir, name), name)
    fs.chmodSync(path.join(dir, name), mode)
  }
  fs.chmodSync(path.join(dir, 'plain'), 0o644)
  const src = `
    import * as eio from ${JSON.stringify(ENTRY)}
    for (const n of ['suid', 'sgid', 'plain']) await eio.copy(${JSON.stringify(dir)} + '/' + n, ${JSON.stringify(out)} + '/' + n)
  `
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', src], { encoding: 'utf8', timeout: 30_000 })
  t.is(r.status, 0, r.stderr)
  for (const [name, mode] of [['suid', 0o755], ['sgid', 0o755], ['plain', 0o644]]) {
    const st = fs.statSync(path.join(out, name))
    t.is(st.mode & 0o7777, mode, name)
    t.is(st.uid, 65534, name)
    t.is(fs.readFileSync(path.join(out, name), 'utf8'), name)
  }
})

// ---- move

test('move renames within a filesystem', async (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'a'), 'a')
  fs.mkdirSync(path.join(dir, 'd'))
  await eio.move(path.join(dir, 'a'), path.join(dir, 'b'))
  await eio.move(path.join(dir, 'd'), path.join(dir, 'e'))
  t.deepEqual(fs.readdirSync(dir).sort(), ['b', 'e'])
  // Two names of one inode: rename succeeds and changes nothing.
  fs.linkSync(path.join(dir, 'b'), path.join(dir, 'c'))
  await eio.move(path.join(dir, 'b'), path.join(dir, 'c'))
  t.is(fs.readFileSync(path.join(dir, 'c'), 'utf8'), 'a')
  await rejectsWith(t, eio.move(path.join(dir, 'nope'), path.join(dir, 'x')), { code: 'ENOENT', syscall: 'rename', errno: -2 })
})

test('move across filesystems copies, then unlinks the source', async (t) => {
  const shm = '/dev/shm'
  if (!fs.existsSync(shm) || fs.statSync(shm).dev === fs.statSync(os.tmpdir()).dev) {
    return t.pass(console.log(`skipped: ${shm} and ${os.tmpdir()} are not two filesystems`))
  }
  const dir = tmpdir(t)
  const other = fs.mkdtempSync(path.join(shm, 'eio-test-'))
  t.teardown(() => fs.rmSync(other, { recursive: true, force: true }))
  const src = path.join(dir, 'f')
  const data = randomBytes(2 * MiB)
  fs.writeFileSync(src, data)
  fs.chmodSync(src, 0o640)
  fs.utimesSync(src, 1_000_000_000.5, 1_200_000_000.25)
  const mtimeNs = fs.statSync(src, { bigint: true }).mtimeNs
  const dst = path.join(other, 'f')
  await eio.move(src, dst)
  t.false(fs.existsSync(src))
  t.true(fs.readFileSync(dst).equals(data))
  t.is(fs.statSync(dst).mode & 0o7777, 0o640)
  t.is(fs.statSync(dst, { bigint: true }).mtimeNs, mtimeNs)

  // A directory and a symlink move across filesystems too (see tree.spec.mjs).
  fs.mkdirSync(path.join(dir, 'd'))
  fs.writeFileSync(path.join(dir, 'd', 'x'), 'x')
  fs.symlinkSync('d', path.join(dir, 'l'))
  for (const name of ['d', 'l']) await eio.move(path.join(dir, name), path.join(other, name))
  t.is(fs.readFileSync(path.join(other, 'd', 'x'), 'utf8'), 'x')
  t.is(fs.readlinkSync(path.join(other, 'l')), 'd')
  t.false(fs.existsSync(path.join(dir, 'd')))
  t.false(fs.existsSync(path.join(dir, 'l')))
})

// ---- scandir

test('scandir splits dirs from nondirs; symlinks to dirs are nondirs', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'd1'))
  fs.mkdirSync(path.join(dir, 'd2'))
  fs.writeFileSync(path.join(dir, 'f'), '')
  fs.symlinkSync('d1', path.join(dir, 'link-to-dir'))
  fs.symlinkSync('f', path.join(dir, 'link-to-file'))
  fs.symlinkSync('nowhere', path.join(dir, 'dangling'))
  const r = await eio.scandir(dir)
  t.deepEqual(r.dirs.sort(), ['d1', 'd2'])
  t.deepEqual(r.nondirs.sort(), ['dangling', 'f', 'link-to-dir', 'link-to-file'])
  t.deepEqual([...r.dirs, ...r.nondirs].sort(), fs.readdirSync(dir).sort())
  t.deepEqual(await eio.scandir(path.join(dir, 'd1'), 4), { dirs: [], nondirs: [] })
})

test('scandir with encoding buffer keeps non-UTF-8 names', async (t) => {
  const dir = tmpdir(t)
  const raw = Buffer.from([0x66, 0xff, 0xfe])
  fs.mkdirSync(Buffer.concat([Buffer.from(dir + '/'), raw]))
  fs.writeFileSync(path.join(dir, 'plain'), '')
  const r = await eio.scandir(dir, 0, { encoding: 'buffer' })
  t.is(r.dirs.length, 1)
  t.true(Buffer.isBuffer(r.dirs[0]) && r.dirs[0].equals(raw))
  t.deepEqual(r.nondirs.map(String), ['plain'])
})

test('scandir errors', async (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'f'), '')
  await rejectsWith(t, eio.scandir(path.join(dir, 'nope')), { code: 'ENOENT', syscall: 'scandir' })
  await rejectsWith(t, eio.scandir(path.join(dir, 'f')), { code: 'ENOTDIR', syscall: 'scandir' })
  await rejectsWith(t, eio.scandir(dir, 'x'), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.scandir(dir, 1.5), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.scandir(dir, 0, { encoding: 'latin2' }), { code: 'ERR_INVALID_ARG_VALUE' })
})

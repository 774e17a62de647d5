// Whole-tree copy and move, and mkdir -p: compared with GNU cp -a and Node's fs, on the
// real kernel (ns times, holes, hard links, special files, sysfs, FIFOs, tmpfs mounts).

import { createHash, randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, fdCount, have, rejectsWith, tmpdir } from './helpers.mjs'

const isRoot = process.getuid?.() === 0
const linux = process.platform === 'linux'

/** Runs a shell command, failing the test setup if it fails. */
function sh(cmd) {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`)
  return r.stdout
}

/**
 * A tree with one of everything cp -a keeps: odd modes (a read-only and a setgid
 * directory, a setuid file), other owners (root only), nanosecond times, a sparse file
 * with a trailing hole, hard links across directories, relative, absolute and dangling
 * symlinks, a FIFO, a socket and (root only) a device.
 */
async function richTree(root) {
  fs.mkdirSync(path.join(root, 'a', 'b', 'c'), { recursive: true })
  fs.mkdirSync(path.join(root, 'empty'))
  fs.writeFileSync(path.join(root, 'a', 'small'), 'hello\n')
  fs.writeFileSync(path.join(root, 'a', 'empty-file'), '')
  fs.writeFileSync(path.join(root, 'a', 'b', 'random'), randomBytes(3 * 1024 * 1024 + 7))
  const sparse = path.join(root, 'a', 'sparse')
  const fd = fs.openSync(sparse, 'w')
  fs.writeSync(fd, 'data at 1 MiB', 1024 * 1024)
  fs.ftruncateSync(fd, 64 * 1024 * 1024) // a trailing hole
  fs.closeSync(fd)
  fs.linkSync(path.join(root, 'a', 'small'), path.join(root, 'a', 'b', 'c', 'hard1'))
  fs.linkSync(path.join(root, 'a', 'small'), path.join(root, 'hard2'))
  fs.symlinkSync('../small', path.join(root, 'a', 'b', 'rel-link'))
  fs.symlinkSync('/etc/hostname', path.join(root, 'abs-link'))
  fs.symlinkSync('no/where', path.join(root, 'dangling'))
  fs.symlinkSync('a/b', path.join(root, 'dir-link'))
  sh(`mkfifo ${JSON.stringify(path.join(root, 'a', 'fifo'))}`)
  const server = net.createServer()
  await new Promise((resolve) => server.listen(path.join(root, 'sock'), resolve))
  await new Promise((resolve) => server.close(resolve))
  fs.chmodSync(path.join(root, 'a', 'small'), 0o4755)
  fs.chmodSync(path.join(root, 'a', 'b', 'c'), 0o2750)
  if (isRoot) {
    sh(`mknod ${JSON.stringify(path.join(root, 'null-dev'))} c 1 3`)
    fs.chownSync(path.join(root, 'a', 'b', 'random'), 1234, 5678)
    fs.lchownSync(path.join(root, 'a', 'b', 'rel-link'), 4321, 8765)
    fs.chownSync(path.join(root, 'a', 'b'), 1111, 2222)
  }
  // Times with nanoseconds, on a file, a symlink itself and a directory (set last: its
  // entries are all made).
  sh(`touch -h -d '2001-02-03 04:05:06.123456789' ${JSON.stringify(path.join(root, 'a', 'b', 'rel-link'))}`)
  sh(`touch -d '1999-12-31 23:59:59.987654321' ${JSON.stringify(path.join(root, 'a', 'b', 'random'))}`)
  sh(`touch -d '2010-10-10 10:10:10.101010101' ${JSON.stringify(path.join(root, 'a', 'b', 'c'))}`)
  fs.chmodSync(path.join(root, 'empty'), 0o555) // read-only: its copy must still be made
}

/**
 * Every entry below `root` (itself as ''), with what cp -a keeps of it. All entries are
 * stated before any file is read: reading one name of a hard-linked file changes the
 * access time the other names show.
 */
function snapshot(root) {
  const out = new Map()
  const visit = (rel) => {
    const p = rel === '' ? root : path.join(root, rel)
    const st = fs.lstatSync(p, { bigint: true })
    out.set(rel, {
      type: st.mode & 0o170000n,
      mode: st.mode & 0o7777n,
      uid: st.uid,
      gid: st.gid,
      mtimeNs: st.mtimeNs,
      atimeNs: st.atimeNs,
      ino: st.ino,
      nlink: st.nlink,
      rdev: st.rdev,
      blocks: st.blocks,
      size: st.isFile() ? st.size : undefined,
      target: st.isSymbolicLink() ? fs.readlinkSync(p) : undefined,
    })
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) visit(rel === '' ? name : `${rel}/${name}`)
  }
  visit('')
  for (const [rel, e] of out) {
    if (e.type === 0o100000n) e.hash = createHash('sha256').update(fs.readFileSync(path.join(root, rel))).digest('hex')
  }
  return out
}

/**
 * Asserts that `got` (a snapshot of a copy) holds what `want` (of the source, or of cp -a's
 * copy) holds: the same entries, types, contents, modes, owners, ns modification times,
 * symlink targets, device numbers, no more blocks (holes kept), and the same hard link
 * groups. Access times only when `atimes` (reading the source changes them).
 */
function assertSameTree(t, got, want, { atimes = false } = {}) {
  t.deepEqual([...got.keys()], [...want.keys()], 'the same entries')
  const groups = (snap) => {
    const byIno = new Map()
    for (const [rel, e] of snap) if (e.type !== 0o040000n && e.nlink > 1n) byIno.set(e.ino, [...(byIno.get(e.ino) ?? []), rel])
    return [...byIno.values()].map((g) => g.sort().join(',')).sort()
  }
  for (const [rel, w] of want) {
    const g = got.get(rel)
    if (g === undefined) continue
    const what = rel === '' ? 'the root' : rel
    t.is(g.type, w.type, `${what}: type`)
    t.is(g.mode, w.mode, `${what}: mode`)
    t.is(g.uid, w.uid, `${what}: uid`)
    t.is(g.gid, w.gid, `${what}: gid`)
    t.is(g.mtimeNs, w.mtimeNs, `${what}: mtime`)
    if (atimes && w.type !== 0o120000n) t.is(g.atimeNs, w.atimeNs, `${what}: atime`)
    t.is(g.hash, w.hash, `${what}: contents`)
    t.is(g.size, w.size, `${what}: size`)
    t.is(g.target, w.target, `${what}: symlink target`)
    t.is(g.rdev, w.rdev, `${what}: device`)
    if (w.type === 0o100000n) t.true(g.blocks <= w.blocks + 8n, `${what}: ${g.blocks} blocks for ${w.blocks} (holes filled)`)
  }
  t.deepEqual(groups(got), groups(want), 'the same hard links')
}

test('a tree copy keeps what cp -a keeps: contents, modes, owners, ns times, holes, links, special files', async (t) => {
  if (!linux || !have('cp')) return t.pass(console.log('skipped: needs Linux and GNU cp'))
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  await richTree(src)
  // Reading the new tree once sets its access times (relatime); from then on they hold.
  snapshot(src)
  const before = snapshot(src)
  const result = await eio.copy(src, path.join(dir, 'eio'), { recursive: true })
  // Against the source as it was before, access times included: the copy keeps them, and
  // reads the source without changing them (O_NOATIME) ...
  const copied = snapshot(path.join(dir, 'eio'))
  assertSameTree(t, copied, before, { atimes: true })
  assertSameTree(t, snapshot(src), before, { atimes: true })
  // ... then against GNU cp -a's own copy.
  sh(`cp -a ${JSON.stringify(src)} ${JSON.stringify(path.join(dir, 'cp'))}`)
  assertSameTree(t, copied, snapshot(path.join(dir, 'cp')))
  // Counted: every entry once (a hard link is an entry of its own); the bytes of the
  // regular files' data (the sparse file's data only, not its holes).
  t.is(result.entries, before.size)
  const dataBytes = 6 + 0 + 3 * 1024 * 1024 + 7
  t.true(result.bytes >= dataBytes && result.bytes <= dataBytes + 64 * 1024 * 1024, `${result.bytes} bytes`)
})

test('a tree copy merges into an existing directory; overwrite false keeps what is there', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const dst = path.join(dir, 'dst')
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true })
  for (const f of ['one', 'two', 'sub/three']) fs.writeFileSync(path.join(src, f), `new ${f}`)
  fs.mkdirSync(path.join(dst, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(dst, 'one'), 'old one')
  fs.writeFileSync(path.join(dst, 'sub', 'three'), 'old three')
  fs.writeFileSync(path.join(dst, 'mine'), 'mine')
  const kept = await eio.copy(src, dst, { recursive: true, overwrite: false })
  t.is(fs.readFileSync(path.join(dst, 'one'), 'utf8'), 'old one')
  t.is(fs.readFileSync(path.join(dst, 'two'), 'utf8'), 'new two')
  t.is(fs.readFileSync(path.join(dst, 'sub', 'three'), 'utf8'), 'old three')
  t.is(fs.readFileSync(path.join(dst, 'mine'), 'utf8'), 'mine', 'entries only in dst stay')
  t.is(kept.entries, 3, 'the two directories (merged) and the one file copied')
  // Two entries exist: whichever is met first is reported.
  const exists = await rejectsWith(t, eio.copy(src, dst, { recursive: true, overwrite: false, errorOnExist: true }), { code: 'EEXIST' })
  t.true(['one', 'sub/three'].some((f) => exists.path === path.join(src, f) && exists.dest === path.join(dst, f)), exists.message)
  await eio.copy(src, dst, { recursive: true })
  t.is(fs.readFileSync(path.join(dst, 'one'), 'utf8'), 'new one', 'overwrite (the default) replaces')
  t.is(fs.readFileSync(path.join(dst, 'sub', 'three'), 'utf8'), 'new sub/three')
  // A directory onto a file, a file onto a directory.
  fs.writeFileSync(path.join(dir, 'file'), 'f')
  await rejectsWith(t, eio.copy(src, path.join(dir, 'file'), { recursive: true }), { code: 'ENOTDIR' })
  await rejectsWith(t, eio.copy(path.join(dir, 'file'), dst, { recursive: true }), { code: 'EISDIR' })
})

test('a copy into itself is refused; the parent of dst must exist', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true })
  fs.symlinkSync(src, path.join(dir, 'alias'))
  for (const dst of [src, path.join(src, 'copy'), path.join(src, 'sub', 'copy'), path.join(dir, 'alias', 'sub', 'x')]) {
    await rejectsWith(t, eio.copy(src, dst, { recursive: true }), { code: 'EINVAL', syscall: 'copy' })
  }
  t.deepEqual(fs.readdirSync(src), ['sub'], 'nothing was made')
  await rejectsWith(t, eio.copy(src, path.join(dir, 'no', 'such', 'dst'), { recursive: true }), { code: 'ENOENT', syscall: 'mkdir' })
})

test('dereference copies what symlinks point to, and a loop is refused', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.mkdirSync(path.join(dir, 'elsewhere'))
  fs.writeFileSync(path.join(dir, 'elsewhere', 'f'), 'far')
  fs.mkdirSync(src)
  fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(src, 'to-dir'))
  fs.symlinkSync(path.join(dir, 'elsewhere', 'f'), path.join(src, 'to-file'))
  await eio.copy(src, path.join(dir, 'deref'), { recursive: true, dereference: true })
  t.true(fs.lstatSync(path.join(dir, 'deref', 'to-dir')).isDirectory())
  t.is(fs.readFileSync(path.join(dir, 'deref', 'to-dir', 'f'), 'utf8'), 'far')
  t.true(fs.lstatSync(path.join(dir, 'deref', 'to-file')).isFile())
  await eio.copy(src, path.join(dir, 'links'), { recursive: true })
  t.is(fs.readlinkSync(path.join(dir, 'links', 'to-dir')), path.join(dir, 'elsewhere'), 'not followed by default')
  fs.symlinkSync('.', path.join(src, 'self'))
  await rejectsWith(t, eio.copy(src, path.join(dir, 'loop'), { recursive: true, dereference: true }), {
    code: 'ELOOP',
    path: path.join(src, 'self'),
  })
})

test('a destination that is a dangling symlink is refused; one to a file is written through', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.writeFileSync(src, 'data')
  fs.symlinkSync('no/where', path.join(dir, 'dangling'))
  fs.writeFileSync(path.join(dir, 'target'), 'old')
  fs.symlinkSync('target', path.join(dir, 'link'))
  for (const recursive of [false, true]) {
    await rejectsWith(t, eio.copy(src, path.join(dir, 'dangling'), { recursive }), { code: 'ENOENT', dest: path.join(dir, 'dangling') })
    t.is(fs.readlinkSync(path.join(dir, 'dangling')), 'no/where')
    t.false(fs.existsSync(path.join(dir, 'no')))
  }
  await eio.copy(src, path.join(dir, 'link'))
  t.is(fs.readlinkSync(path.join(dir, 'link')), 'target', 'the link stays a link')
  t.is(fs.readFileSync(path.join(dir, 'target'), 'utf8'), 'data', 'its target got the contents')
})

test.serial('a FIFO, socket or device as the source of a plain copy rejects at once with EINVAL', async (t) => {
  const dir = tmpdir(t)
  const fifo = path.join(dir, 'fifo')
  sh(`mkfifo ${JSON.stringify(fifo)}`)
  // With one thread, a copy blocked in open() on the FIFO would hold the pool: the nop
  // after it would never run.
  eio.configure({ maxParallel: 1 })
  t.teardown(() => eio.configure({ maxParallel: 8 }))
  await rejectsWith(t, eio.copy(fifo, path.join(dir, 'x')), { code: 'EINVAL', path: fifo })
  await eio.nop()
  t.false(fs.existsSync(path.join(dir, 'x')))
  if (fs.existsSync('/dev/null')) await rejectsWith(t, eio.copy('/dev/null', path.join(dir, 'y')), { code: 'EINVAL' })
  // With recursive, a FIFO is recreated, never opened.
  await eio.copy(fifo, path.join(dir, 'fifo-copy'), { recursive: true })
  t.true(fs.lstatSync(path.join(dir, 'fifo-copy')).isFIFO())
})

test('a sysfs file copies exactly its bytes, not st_size padded with zeros', async (t) => {
  const sysfs = '/sys/class/net/lo/address'
  if (!fs.existsSync(sysfs)) return t.pass(console.log(`skipped: no ${sysfs}`))
  const want = fs.readFileSync(sysfs)
  t.true(fs.statSync(sysfs).size > want.length, 'sysfs reports more than the file holds')
  const dir = tmpdir(t)
  for (const recursive of [false, true]) {
    const dst = path.join(dir, `address-${recursive}`)
    const { bytes } = await eio.copy(sysfs, dst, { recursive })
    t.true(fs.readFileSync(dst).equals(want), `recursive ${recursive}`)
    t.is(bytes, want.length)
  }
})

test('filter: Node fs.cp semantics, sync or async, the root first; a refused directory is skipped whole', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const dst = path.join(dir, 'dst')
  fs.mkdirSync(path.join(src, 'keep', 'deep'), { recursive: true })
  fs.mkdirSync(path.join(src, 'node_modules', 'pkg'), { recursive: true })
  for (const f of ['a.js', 'b.tmp', 'keep/c.js', 'keep/deep/d.tmp', 'node_modules/pkg/e.js']) fs.writeFileSync(path.join(src, f), f)
  const calls = []
  const result = await eio.copy(src, dst, {
    recursive: true,
    filter: async (s, d) => {
      calls.push([path.relative(src, s), path.relative(dst, d)])
      await new Promise((resolve) => setImmediate(resolve))
      return !s.endsWith('.tmp') && path.basename(s) !== 'node_modules'
    },
  })
  t.deepEqual(calls[0], ['', ''], 'the root is asked first, with the paths as given')
  t.deepEqual(calls.map(([s]) => s).sort(), ['', 'a.js', 'b.tmp', 'keep', 'keep/c.js', 'keep/deep', 'keep/deep/d.tmp', 'node_modules'])
  for (const [s, d] of calls) t.is(s, d, 'the same relative path on both sides')
  t.deepEqual(fs.readdirSync(dst).sort(), ['a.js', 'keep'])
  t.deepEqual(fs.readdirSync(path.join(dst, 'keep', 'deep')), [])
  t.is(result.entries, 5, 'dst, a.js, keep, keep/c.js, keep/deep')
  // A synchronous filter refusing the root copies nothing.
  t.deepEqual({ ...(await eio.copy(src, path.join(dir, 'none'), { recursive: true, filter: () => false })) }, { entries: 0, bytes: 0 })
  t.false(fs.existsSync(path.join(dir, 'none')))
})

test('filter that throws or rejects stops the copy with its error', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(src, 'sub', 'f'), 'x')
  const boom = new Error('boom')
  const thrown = await t.throwsAsync(eio.copy(src, path.join(dir, 'a'), { recursive: true, filter: (s) => { if (s.endsWith('f')) throw boom; return true } }))
  t.is(thrown, boom)
  const rejected = await t.throwsAsync(eio.copy(src, path.join(dir, 'b'), { recursive: true, filter: async (s) => { if (s.endsWith('sub')) throw boom; return true } }))
  t.is(rejected, boom)
  t.false(fs.existsSync(path.join(dir, 'b', 'sub')))
})

test.serial('a filter that itself uses eio does not deadlock the pool, even with one thread', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.mkdirSync(path.join(src, 'd1', 'd2'), { recursive: true })
  for (const f of ['x', 'd1/y', 'd1/d2/z']) fs.writeFileSync(path.join(src, f), f)
  eio.configure({ maxParallel: 1 })
  t.teardown(() => eio.configure({ maxParallel: 8 }))
  const result = await eio.copy(src, path.join(dir, 'dst'), {
    recursive: true,
    filter: async (s) => (await eio.lstat(s)).size >= 0,
  })
  t.is(result.entries, 6)
})

test('a failed copy leaves no partial file behind, reports the entry, and never touches the source', async (t) => {
  if (!linux || !isRoot || !have('unshare')) return t.pass(console.log('skipped: needs root and unshare on Linux'))
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(src, 'small'), 'small')
  fs.writeFileSync(path.join(src, 'sub', 'big'), randomBytes(4 * 1024 * 1024))
  const before = snapshot(src)
  const mnt = path.join(dir, 'mnt')
  fs.mkdirSync(mnt)
  // A 1 MiB tmpfs: the big file cannot fit (ENOSPC).
  const child = `
    import fs from 'node:fs'
    import { execFileSync } from 'node:child_process'
    import * as eio from ${JSON.stringify(ENTRY)}
    const [src, mnt] = process.argv.slice(1)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'none', mnt])
    const out = {}
    try { await eio.copy(src, mnt + '/dst', { recursive: true }) } catch (e) { out.err = { code: e.code, path: e.path, dest: e.dest } }
    const list = (d) => fs.readdirSync(d).sort().flatMap((n) => fs.statSync(d + '/' + n).isDirectory() ? [n, ...list(d + '/' + n).map((m) => n + '/' + m)] : [n])
    out.left = list(mnt + '/dst')
    execFileSync('umount', [mnt])
    console.log(JSON.stringify(out))
  `
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, '--input-type=module', '-e', child, src, mnt], { encoding: 'utf8', timeout: 60_000 })
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.deepEqual(out.err, { code: 'ENOSPC', path: path.join(src, 'sub', 'big'), dest: path.join(mnt, 'dst', 'sub', 'big') })
  // The partial tree stays (reported); the file being written does not, nor a temporary.
  t.false(out.left.includes('sub/big'), `left: ${out.left}`)
  t.true(out.left.every((n) => !n.includes('.eio-')), `left: ${out.left}`)
  assertSameTree(t, snapshot(src), before)
})

// Serial: the other tests' synchronous setup would stall this one's event loop.
test.serial('an abort stops a tree copy: no partial file, no fd left open', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const big = randomBytes(64 * 1024 * 1024)
  for (let d = 0; d < 16; d++) {
    fs.mkdirSync(path.join(src, `d${d}`), { recursive: true })
    fs.writeFileSync(path.join(src, `d${d}`, 'big'), big)
  }
  const fds = fdCount()
  const ac = new AbortController()
  const p = eio.copy(src, path.join(dir, 'dst'), { recursive: true, signal: ac.signal })
  // Abort once the copy has visibly started, long before 1 GiB is copied.
  while (!fs.existsSync(path.join(dir, 'dst', 'd0'))) await new Promise((resolve) => setImmediate(resolve))
  ac.abort()
  await rejectsWith(t, p, { name: 'AbortError' })
  await eio.flush()
  for (const d of fs.existsSync(path.join(dir, 'dst')) ? fs.readdirSync(path.join(dir, 'dst')) : []) {
    for (const f of fs.readdirSync(path.join(dir, 'dst', d))) {
      t.is(f, 'big')
      t.is(fs.statSync(path.join(dir, 'dst', d, f)).size, big.length, 'no half-written file')
    }
  }
  t.is(fdCount(), fds)
})

test.serial('a tree copy spreads over the pool, never beyond maxParallel', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  for (let d = 0; d < 30; d++) {
    fs.mkdirSync(path.join(src, `d${d}`), { recursive: true })
    for (let f = 0; f < 40; f++) fs.writeFileSync(path.join(src, `d${d}`, `f${f}`), randomBytes(8192))
  }
  for (const maxParallel of [1, 2]) {
    eio.configure({ maxParallel })
    // Threads beyond the new limit leave as they notice it.
    while (eio.nthreads() > maxParallel) await new Promise((resolve) => setTimeout(resolve, 10))
    let most = 0
    const timer = setInterval(() => { most = Math.max(most, eio.nthreads()) }, 1)
    const result = await eio.copy(src, path.join(dir, `dst${maxParallel}`), { recursive: true })
    clearInterval(timer)
    t.is(result.entries, 1 + 30 + 30 * 40)
    t.true(most <= maxParallel, `${most} threads with maxParallel ${maxParallel}`)
  }
  eio.configure({ maxParallel: 8 })
})

// Serial: the other tests' synchronous setup would stall this one's timer.
test.serial('copy onProgress: growing counts, the final counts once, nothing after settling', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const data = randomBytes(1024 * 1024)
  // Six levels, each asked about after the one above it is read.
  let level = src
  for (let d = 0; d < 6; d++) {
    level = path.join(level, `d${d}`)
    fs.mkdirSync(level, { recursive: true })
    for (let f = 0; f < 4; f++) fs.writeFileSync(path.join(level, `f${f}`), data)
  }
  const calls = []
  let settled = false
  const started = Date.now()
  const result = await eio.copy(src, path.join(dir, 'dst'), {
    recursive: true,
    // A slow filter makes the copy last several progress intervals on any machine.
    filter: (s) => new Promise((resolve) => setTimeout(() => resolve(true), path.basename(s).startsWith('d') ? 150 : 0)),
    onProgress: (p) => {
      t.false(settled, 'called after settling')
      calls.push({ ...p })
    },
  }).finally(() => { settled = true })
  const elapsed = Date.now() - started
  t.log(`${calls.length} calls in ${elapsed} ms`)
  t.deepEqual({ ...result }, { entries: 1 + 6 + 24, bytes: 24 * data.length })
  t.deepEqual(calls.at(-1), { ...result }, 'the last call has the final counts')
  t.true(calls.length >= 3, 'called while it ran')
  for (let i = 1; i < calls.length; i++) {
    t.true(calls[i].bytes >= calls[i - 1].bytes && calls[i].entries >= calls[i - 1].entries, 'counts grow')
    t.notDeepEqual(calls[i], calls[i - 1], 'called only when the counts changed, or at the end')
  }
  t.true(calls.length <= Math.floor(elapsed / 100) + 2, `${calls.length} calls in ${elapsed} ms`)
  const atSettle = calls.length
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.is(calls.length, atSettle, 'no call after settling')
})

test('copy and move options are validated the Node way', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  fs.writeFileSync(src, 'x')
  for (const [options, code] of [
    [{ force: true }, 'ERR_INVALID_ARG_VALUE'], // fs.cp's name for overwrite
    [{ preserveTimestamps: true }, 'ERR_INVALID_ARG_VALUE'],
    [{ recursive: 1 }, 'ERR_INVALID_ARG_TYPE'],
    [{ overwrite: 'no' }, 'ERR_INVALID_ARG_TYPE'],
    [{ filter: true }, 'ERR_INVALID_ARG_TYPE'],
    [{ onProgress: {} }, 'ERR_INVALID_ARG_TYPE'],
    [{ priority: 9 }, 'ERR_OUT_OF_RANGE'],
  ]) {
    await rejectsWith(t, eio.copy(src, path.join(dir, 'dst'), options), { code })
  }
  await rejectsWith(t, eio.move(src, path.join(dir, 'dst'), { recursive: true }), { code: 'ERR_INVALID_ARG_VALUE' })
  await rejectsWith(t, eio.move(src, path.join(dir, 'dst'), { overwrite: 0 }), { code: 'ERR_INVALID_ARG_TYPE' })
  t.false(fs.existsSync(path.join(dir, 'dst')), 'nothing ran')
})

test('move within a filesystem renames; overwrite false refuses an existing destination', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'a', 'sub'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'b'), 'b')
  t.deepEqual({ ...(await eio.move(path.join(dir, 'a'), path.join(dir, 'c'))) }, { entries: 1, bytes: 0 })
  t.true(fs.existsSync(path.join(dir, 'c', 'sub')))
  fs.writeFileSync(path.join(dir, 'd'), 'd')
  await rejectsWith(t, eio.move(path.join(dir, 'b'), path.join(dir, 'd'), { overwrite: false }), { code: 'EEXIST', syscall: 'rename' })
  t.is(fs.readFileSync(path.join(dir, 'd'), 'utf8'), 'd')
  await eio.move(path.join(dir, 'b'), path.join(dir, 'd'))
  t.is(fs.readFileSync(path.join(dir, 'd'), 'utf8'), 'b')
})

// In a private mount namespace with a tmpfs: a directory tree moved from the temp dir's
// filesystem to the tmpfs, and a move that cannot fit.
const MOVE_CHILD = `
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'
import * as eio from ${JSON.stringify(ENTRY)}
const [src, big, mnt] = process.argv.slice(1)
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'none', mnt])
const out = {}
const calls = []
out.result = await eio.move(src, mnt + '/moved', { onProgress: (p) => calls.push(p) })
out.progress = calls.at(-1)
out.srcGone = !fs.existsSync(src)
try { await eio.move(big, mnt + '/big') } catch (e) { out.bigErr = { code: e.code } }
out.bigKept = fs.existsSync(big + '/file')
out.bigLeft = fs.existsSync(mnt + '/big')
fs.mkdirSync(mnt + '/taken')
fs.writeFileSync(mnt + '/taken/x', 'x')
try { await eio.move(mnt + '/moved', src) } catch (e) { out.backErr = e.code }
out.movedBack = fs.existsSync(src) && !fs.existsSync(mnt + '/moved')
try { await eio.move(src, mnt + '/taken') } catch (e) { out.takenErr = e.code }
execFileSync('umount', [mnt])
console.log(JSON.stringify(out))
`

test('move of a directory across filesystems: copied whole, then the source removed; a failed copy leaves the source', async (t) => {
  if (!linux || !isRoot || !have('unshare')) return t.pass(console.log('skipped: needs root and unshare on Linux'))
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  await richTree(src)
  fs.rmSync(path.join(src, 'a', 'sparse')) // the tmpfs is small
  fs.writeFileSync(path.join(src, 'a', 'b', 'random'), randomBytes(64 * 1024))
  sh(`touch -d '1999-12-31 23:59:59.987654321' ${JSON.stringify(path.join(src, 'a', 'b', 'random'))}`)
  sh(`touch -d '2010-10-10 10:10:10.101010101' ${JSON.stringify(path.join(src, 'a', 'b'))}`)
  const before = snapshot(src)
  const big = path.join(dir, 'big')
  fs.mkdirSync(big)
  fs.writeFileSync(path.join(big, 'file'), randomBytes(3 * 1024 * 1024))
  const mnt = path.join(dir, 'mnt')
  fs.mkdirSync(mnt)
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, '--input-type=module', '-e', MOVE_CHILD, src, big, mnt], { encoding: 'utf8', timeout: 60_000 })
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.is(out.result.entries, before.size)
  t.deepEqual(out.progress, out.result, 'onProgress ends with the result')
  t.true(out.srcGone)
  // Moved back (across filesystems again) for a look: the tree as it was.
  t.is(out.backErr, undefined)
  t.true(out.movedBack)
  assertSameTree(t, snapshot(src), before)
  t.is(out.bigErr.code, 'ENOSPC')
  t.true(out.bigKept, 'the source stays when the copy fails')
  t.false(out.bigLeft, 'the partial copy is removed')
  t.is(out.takenErr, 'ENOTEMPTY', 'a non-empty directory is not replaced, as rename says')
})

test('mkdir recursive does what fs.mkdir recursive does', async (t) => {
  const dir = tmpdir(t)
  const ours = path.join(dir, 'ours')
  const node = path.join(dir, 'node')
  for (const base of [ours, node]) {
    fs.mkdirSync(base)
    fs.writeFileSync(path.join(base, 'file'), 'x')
    fs.symlinkSync('nowhere', path.join(base, 'dangling'))
    fs.symlinkSync('a', path.join(base, 'to-a'))
  }
  const cases = ['a/b/c', 'a/b/c', 'a/./x//y/', 'to-a/q', 'a', 'file', 'file/g/h', 'dangling', 'dangling/q']
  for (const rel of cases) {
    let want
    try {
      want = { ok: fs.mkdirSync(path.join(node, rel), { recursive: true, mode: 0o755 }) }
    } catch (e) {
      want = { code: e.code, syscall: e.syscall }
    }
    let got
    try {
      got = { ok: await eio.mkdir(path.join(ours, rel), 0o755, { recursive: true }) }
    } catch (e) {
      got = { code: e.code, syscall: e.syscall }
    }
    if (typeof want.ok === 'string') want.ok = path.relative(node, want.ok)
    if (typeof got.ok === 'string') got.ok = path.relative(ours, got.ok)
    t.deepEqual(got, want, rel)
  }
  t.is(fs.statSync(path.join(ours, 'a', 'b')).mode & 0o777, fs.statSync(path.join(node, 'a', 'b')).mode & 0o777)
  t.is(await eio.mkdir(path.join(ours, 'plain')), undefined, 'without recursive: as before')
  await rejectsWith(t, eio.mkdir(path.join(ours, 'p', 'q')), { code: 'ENOENT' })
  await rejectsWith(t, eio.mkdir(path.join(ours, 'r'), 0o777, { recursive: 'yes' }), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.mkdir(path.join(ours, 'r'), 0o777, { mode: 0o700 }), { code: 'ERR_INVALID_ARG_VALUE' })
})

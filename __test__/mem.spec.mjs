// mmap/munmap Buffers and the memory requests (msync, mtouch, mlock, mlockall), checked
// against the kernel's own accounts in /proc/self/smaps, maps and status.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'

import * as eio from '../index.js'
import { ENTRY, ROOT, have, linuxCalls, procfs, rejectsWith, runNode, tmpdir } from './helpers.mjs'

const C = eio.constants
const PAGE = C.PAGESIZE
const RW = C.PROT_READ | C.PROT_WRITE
const ANON = C.MAP_PRIVATE | C.MAP_ANONYMOUS

/** A file of `pages` pages filled with `byte`, opened read-write; closed after the test. */
function pagesFile(t, pages, byte = 7) {
  const file = path.join(tmpdir(t), 'data')
  fs.writeFileSync(file, Buffer.alloc(pages * PAGE, byte))
  const fd = fs.openSync(file, 'r+')
  t.teardown(() => fs.closeSync(fd))
  return { file, fd }
}

/**
 * The kB counters of /proc/self/smaps summed over the mappings of `file`. Only Linux has
 * them: elsewhere the tests check what the process itself can see (contents, errors).
 */
function smaps(file) {
  const sum = { mappings: 0 }
  let ours = false
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      ours = line.endsWith(` ${file}`)
      if (ours) sum.mappings++
      continue
    }
    const m = ours && /^(\w+):\s+(\d+) kB/.exec(line)
    if (m) sum[m[1]] = (sum[m[1]] ?? 0) + Number(m[2])
  }
  return sum
}

const kB = (pages) => (pages * PAGE) / 1024

/**
 * mtouch populates with MADV_POPULATE_*, which is Linux's: elsewhere (and in the portable
 * build) it rejects with ENOSYS, after the same argument checks. Resolves as mtouch does
 * on Linux; asserts the rejection elsewhere.
 */
async function mtouch(t, ...args) {
  if (linuxCalls) return eio.mtouch(...args)
  await rejectsWith(t, eio.mtouch(...args), { code: 'ENOSYS', syscall: 'mtouch' })
}

/** The code mtouch rejects with where Linux says `code`. */
const touchCode = (code) => (linuxCalls ? code : 'ENOSYS')

// Serial tests run before the concurrent ones, so pausing the pool here stalls no other test.
test.serial('a request holds its mapping: munmap detaches at once, the pages go when the request ends', async (t) => {
  const { file, fd } = pagesFile(t, 4)
  const buf = eio.mmap(4 * PAGE, C.PROT_READ, C.MAP_SHARED, fd)
  const view = buf.subarray(PAGE)
  eio.configure({ maxParallel: 0 })
  let touched
  try {
    touched = eio.mtouch(buf)
    eio.munmap(buf)
    t.is(buf.byteLength, 0)
    t.is(view.byteLength, 0, 'views of the mapping are detached too')
    if (procfs) t.is(smaps(file).mappings, 1, 'still mapped for the queued request')
  } finally {
    eio.configure({ maxParallel: 8 })
  }
  if (linuxCalls) await touched
  else await rejectsWith(t, touched, { code: 'ENOSYS', syscall: 'mtouch' })
  if (procfs) t.is(smaps(file).mappings, 0)
})

test.serial('mlock and munlock on a plain Buffer change the locked total', async (t) => {
  const vmLck = () => Number(/VmLck:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1])
  const buf = Buffer.alloc(64 * PAGE, 3)
  const before = procfs && vmLck()
  await eio.mlock(buf)
  if (procfs) t.true(vmLck() >= before + kB(64))
  eio.munlock(buf)
  if (procfs) t.is(vmLck(), before)
  t.true(buf.every((b) => b === 3))
})

test('mmap maps a file: the Buffer reads its bytes', (t) => {
  const file = path.join(tmpdir(t), 'text')
  const text = Buffer.from('0123456789'.repeat(1000))
  fs.writeFileSync(file, text)
  const fd = fs.openSync(file, 'r')
  t.teardown(() => fs.closeSync(fd))
  const buf = eio.mmap(text.length, C.PROT_READ, C.MAP_SHARED, fd)
  t.true(Buffer.isBuffer(buf))
  t.is(buf.length, text.length)
  t.true(buf.equals(fs.readFileSync(file)))
  if (procfs) t.is(smaps(file).mappings, 1)
  // An offset (a multiple of the page size) maps from there; a bigint works too.
  const tail = eio.mmap(text.length - PAGE, C.PROT_READ, C.MAP_SHARED, { fd }, BigInt(PAGE))
  t.true(tail.equals(text.subarray(PAGE)))
  eio.munmap(buf)
  eio.munmap(tail)
  if (procfs) t.is(smaps(file).mappings, 0)
})

test('MAP_SHARED writes reach the file, MAP_PRIVATE ones do not', (t) => {
  const { file, fd } = pagesFile(t, 2)
  const shared = eio.mmap(2 * PAGE, RW, C.MAP_SHARED, fd)
  shared.write('shared', 10)
  t.is(fs.readFileSync(file).toString('latin1', 10, 16), 'shared')
  const priv = eio.mmap(2 * PAGE, RW, C.MAP_PRIVATE, fd)
  t.is(priv.toString('latin1', 10, 16), 'shared')
  priv.write('secret', 10)
  t.is(fs.readFileSync(file).toString('latin1', 10, 16), 'shared')
  eio.munmap(shared)
  eio.munmap(priv)
})

test('anonymous mappings are zeroed and writable', (t) => {
  const buf = eio.mmap(3 * PAGE + 5, RW, ANON)
  t.is(buf.length, 3 * PAGE + 5)
  t.true(buf.every((b) => b === 0))
  buf.fill(0xab)
  t.is(buf[3 * PAGE + 4], 0xab)
  eio.munmap(buf)
  eio.munmap(buf) // a second munmap is a no-op
  t.is(buf.length, 0)
})

test('mmap errors are Node errors', (t) => {
  const { fd } = pagesFile(t, 1)
  const cases = [
    [() => eio.mmap(PAGE, C.PROT_READ, C.MAP_SHARED, fd, 1), 'EINVAL'], // unaligned offset
    [() => eio.mmap(PAGE, C.PROT_READ, C.MAP_SHARED), 'EBADF'], // no fd, not anonymous
    [() => eio.mmap(PAGE, C.PROT_READ, C.MAP_SHARED, 999_999), 'EBADF'],
    [() => eio.mmap(PAGE, C.PROT_READ, ANON | C.MAP_FIXED), 'EINVAL'], // eio takes no address
    [() => eio.mmap(PAGE, C.PROT_READ, 0, fd), 'EINVAL'], // neither shared nor private
  ]
  for (const [call, code] of cases) {
    const err = t.throws(call)
    t.like(err, { code, syscall: 'mmap', errno: -(code === 'EBADF' ? 9 : 22) })
    t.is(err.name, 'Error')
  }
  // A writable shared mapping of a file opened read-only.
  const { file } = pagesFile(t, 1)
  const ro = fs.openSync(file, 'r')
  t.teardown(() => fs.closeSync(ro))
  t.like(t.throws(() => eio.mmap(PAGE, RW, C.MAP_SHARED, ro)), { code: 'EACCES', syscall: 'mmap' })
})

test('mmap and munmap check their arguments', (t) => {
  const bad = [
    [() => eio.mmap(0, C.PROT_READ, ANON), 'ERR_OUT_OF_RANGE'],
    [() => eio.mmap(1.5, C.PROT_READ, ANON), 'ERR_OUT_OF_RANGE'],
    [() => eio.mmap(2 ** 53, C.PROT_READ, ANON), 'ERR_OUT_OF_RANGE'],
    [() => eio.mmap('1', C.PROT_READ, ANON), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.mmap(PAGE, '1', ANON), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.mmap(PAGE, C.PROT_READ, ANON, -1), 'ERR_OUT_OF_RANGE'],
    [() => eio.mmap(PAGE, C.PROT_READ, ANON, 'x'), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.mmap(PAGE, C.PROT_READ, ANON, null, -1), 'ERR_OUT_OF_RANGE'],
    [() => eio.munmap('x'), 'ERR_INVALID_ARG_TYPE'],
    [() => eio.munmap(Buffer.alloc(16)), 'ERR_INVALID_ARG_VALUE'],
    [() => eio.munmap(Buffer.allocUnsafeSlow(PAGE)), 'ERR_INVALID_ARG_VALUE'],
  ]
  for (const [call, code] of bad) t.is(t.throws(call).code, code)
})

test('a copy of a mapped Buffer is no mapping; any view of the mapping unmaps it', (t) => {
  const buf = eio.mmap(2 * PAGE, RW, ANON)
  buf.fill(1)
  t.throws(() => eio.munmap(Buffer.from(buf)), { code: 'ERR_INVALID_ARG_VALUE' })
  t.is(buf.length, 2 * PAGE)
  t.is(buf[PAGE], 1)
  eio.munmap(new DataView(buf.buffer, PAGE, 1))
  t.is(buf.length, 0)
})

test('garbage collection unmaps, and a finalizer after munmap never unmaps a newer mapping', (t) => {
  if (!procfs) return t.pass('the mappings are read from Linux\'s /proc')
  const dir = tmpdir(t)
  const [a, b] = ['a', 'b'].map((n) => path.join(dir, n))
  fs.writeFileSync(a, Buffer.alloc(2 * PAGE, 'a'))
  fs.writeFileSync(b, Buffer.alloc(2 * PAGE, 'b'))
  const r = runNode(`
    import * as eio from './index.js'
    import fs from 'node:fs'
import os from 'node:os'
    import { setImmediate as tick } from 'node:timers/promises'
    const C = eio.constants
    const lines = (f) => fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.endsWith(' ' + f))
    const mapped = (f) => lines(f).length
    const start = (f) => lines(f)[0].split('-')[0]
    const settle = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await tick() } }
    const fa = fs.openSync(${JSON.stringify(a)}, 'r'), fb = fs.openSync(${JSON.stringify(b)}, 'r')
    let x = eio.mmap(2 * C.PAGESIZE, C.PROT_READ, C.MAP_SHARED, fa)
    const xStart = start(${JSON.stringify(a)})
    eio.munmap(x)
    // The kernel hands the hole just freed to the next mapping of its size.
    const y = eio.mmap(2 * C.PAGESIZE, C.PROT_READ, C.MAP_SHARED, fb)
    const sameAddress = start(${JSON.stringify(b)}) === xStart
    x = null
    await settle() // x's finalizer runs now
    const yAlive = mapped(${JSON.stringify(b)}) === 1 && y[C.PAGESIZE] === 98
    let z = eio.mmap(2 * C.PAGESIZE, C.PROT_READ, C.MAP_SHARED, fa)
    const zMapped = mapped(${JSON.stringify(a)})
    z = null
    await settle()
    console.log(JSON.stringify({ sameAddress, yAlive, zMapped, zAfterGc: mapped(${JSON.stringify(a)}) }))
  `, { args: ['--expose-gc'] })
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), { sameAddress: true, yAlive: true, zMapped: 1, zAfterGc: 0 })
})

test('mtouch faults the pages in; MT_MODIFY copies private pages without changing a byte', async (t) => {
  const { file, fd } = pagesFile(t, 64)
  const shared = eio.mmap(64 * PAGE, C.PROT_READ, C.MAP_SHARED, fd)
  if (!linuxCalls) {
    await mtouch(t, shared, PAGE, 2 * PAGE)
    await mtouch(t, shared, 0, null, C.MT_MODIFY)
    t.true(shared.every((b) => b === 7))
    return eio.munmap(shared)
  }
  t.is(smaps(file).Rss, 0)
  await eio.mtouch(shared, PAGE, 2 * PAGE)
  t.true(smaps(file).Rss >= kB(2)) // the kernel may map neighbours in the page cache too
  await eio.mtouch(shared)
  t.is(smaps(file).Rss, kB(64))
  t.is(smaps(file).Anonymous, 0)
  eio.munmap(shared)

  // Copy-on-write goes page by page: exactly the touched pages become private copies.
  const priv = eio.mmap(64 * PAGE, RW, C.MAP_PRIVATE, fd)
  await eio.mtouch(priv, PAGE + 1, 2 * PAGE, C.MT_MODIFY) // widened to whole pages: 3
  t.is(smaps(file).Anonymous, kB(3))
  await eio.mtouch(priv, 0, null, C.MT_MODIFY)
  t.is(smaps(file).Anonymous, kB(64))
  t.true(priv.every((b) => b === 7))
  eio.munmap(priv)
})

test('mtouch rejects where a real access would kill the process', async (t) => {
  const { fd } = pagesFile(t, 1)
  // Three pages of a one-page file: touching past the end would be SIGBUS.
  const long = eio.mmap(3 * PAGE, C.PROT_READ, C.MAP_SHARED, fd)
  await rejectsWith(t, eio.mtouch(long), { code: touchCode('EFAULT'), syscall: 'mtouch', errno: linuxCalls ? -14 : -os.constants.errno.ENOSYS })
  await mtouch(t, long, 0, PAGE)
  // Writing to a read-only mapping would be SIGSEGV.
  await rejectsWith(t, eio.mtouch(long, 0, PAGE, C.MT_MODIFY), { code: touchCode('EINVAL'), syscall: 'mtouch' })
  eio.mprotect(long, 0, PAGE, C.PROT_NONE)
  await rejectsWith(t, eio.mtouch(long, 0, PAGE), { code: touchCode('EINVAL'), syscall: 'mtouch' })
  eio.munmap(long)
})

test('mtouch on plain buffers and other views', async (t) => {
  const buf = Buffer.alloc(100_000, 5)
  await mtouch(t, buf)
  await mtouch(t, buf, -10, null, C.MT_MODIFY)
  t.true(buf.every((b) => b === 5))
  await mtouch(t, new Float64Array(1000), 8, -8)
  await mtouch(t, new DataView(new ArrayBuffer(10)))
  await eio.mtouch(Buffer.alloc(0)) // nothing to touch: resolves everywhere
  const f64 = new Float64Array(eio.mmap(2 * PAGE, RW, ANON).buffer)
  await mtouch(t, f64, PAGE, PAGE, C.MT_MODIFY) // offsets are in bytes
  t.is(f64[0], 0)
})

test('msync writes dirty pages back; its default is MS_SYNC', async (t) => {
  const { file, fd } = pagesFile(t, 8)
  fs.fsyncSync(fd)
  const buf = eio.mmap(8 * PAGE, RW, C.MAP_SHARED, fd)
  const dirty = () => smaps(file).Private_Dirty + smaps(file).Shared_Dirty
  if (procfs) t.is(dirty(), 0)
  buf[PAGE] = 9
  if (procfs) t.true(dirty() > 0)
  await eio.msync(buf, 0, undefined, C.MS_ASYNC) // a no-op on Linux
  if (procfs) t.true(dirty() > 0)
  await eio.msync(buf, PAGE, 1)
  if (procfs) t.is(dirty(), 0)
  buf[0] = 9
  if (procfs) t.true(dirty() > 0)
  await eio.msync(buf)
  if (procfs) t.is(dirty(), 0)
  t.is(fs.readFileSync(file)[PAGE], 9)
  await eio.msync(buf, 0, undefined, C.MS_ASYNC | C.MS_INVALIDATE)
  await rejectsWith(t, eio.msync(buf, 0, undefined, C.MS_SYNC | C.MS_ASYNC), { code: 'EINVAL', syscall: 'msync' })
  await rejectsWith(t, eio.msync(buf, 0, undefined, 0x4000), { code: 'EINVAL', syscall: 'msync' })
  // Anonymous memory has nothing to write back: fine.
  await eio.msync(Buffer.alloc(10))
  eio.munmap(buf)
})

test('mlock locks the pages of a mapping, munlock unlocks them', async (t) => {
  const { file, fd } = pagesFile(t, 8)
  const buf = eio.mmap(8 * PAGE, C.PROT_READ, C.MAP_SHARED, fd)
  await eio.mlock(buf, PAGE + 1, 2 * PAGE) // widened to whole pages: 3
  if (procfs) t.is(smaps(file).Locked, kB(3))
  await eio.mlock(buf)
  if (procfs) t.is(smaps(file).Locked, kB(8))
  eio.munlock(buf, 0, -PAGE)
  if (procfs) t.is(smaps(file).Locked, kB(1))
  eio.munlock(buf)
  if (procfs) t.is(smaps(file).Locked, 0)
  eio.mprotect(buf, 0, undefined, C.PROT_NONE)
  await rejectsWith(t, eio.mlock(buf), { code: 'ENOMEM', syscall: 'mlock' })
  eio.munmap(buf)
})

test('mlockall: bad flags are EINVAL', async (t) => {
  await rejectsWith(t, eio.mlockall(0), { code: 'EINVAL', syscall: 'mlockall', errno: -22 })
  await rejectsWith(t, eio.mlockall(0x100), { code: 'EINVAL', syscall: 'mlockall' })
  await t.throwsAsync(eio.mlockall('1'), { code: 'ERR_INVALID_ARG_TYPE' })
})

test('mlockall(MCL_FUTURE) locks new mappings until munlockall', (t) => {
  if (!procfs) return t.pass('the locked mappings are read from Linux\'s /proc')
  const r = runNode(`
    import * as eio from './index.js'
    import fs from 'node:fs'
import os from 'node:os'
    const C = eio.constants
    const lockedMappings = () => fs.readFileSync('/proc/self/smaps', 'utf8').split('\\n').filter((l) => l.startsWith('VmFlags') && / lo( |$)/.test(l)).length
    const before = lockedMappings()
    await eio.mlockall(C.MCL_FUTURE)
    const a = eio.mmap(4 * C.PAGESIZE, C.PROT_READ | C.PROT_WRITE, C.MAP_PRIVATE | C.MAP_ANONYMOUS)
    const during = lockedMappings()
    eio.munlockall()
    const b = eio.mmap(4 * C.PAGESIZE, C.PROT_READ | C.PROT_WRITE, C.MAP_PRIVATE | C.MAP_ANONYMOUS)
    console.log(JSON.stringify({ before, lockedAfterMlockall: during > before, after: lockedMappings() }))
  `)
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), { before: 0, lockedAfterMlockall: true, after: 0 })
})

test('mlockall without the privilege to lock is EPERM', (t) => {
  if (process.getuid() !== 0 || !have('setpriv') || !have('prlimit')) return t.pass('needs root, setpriv and prlimit')
  const src = `
    import * as eio from './index.js'
    try { await eio.mlockall(eio.constants.MCL_CURRENT); console.log('locked') }
    catch (e) { console.log(e.code, e.syscall) }
  `
  const unprivileged = ['prlimit', '--memlock=0:0', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
  const r = spawnSync(unprivileged[0], [...unprivileged.slice(1), process.execPath, '--input-type=module', '-e', src], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  })
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout.trim(), 'EPERM mlockall')
})

test('madvise: any advice on a mapping, only hints on other buffers', (t) => {
  const buf = eio.mmap(4 * PAGE, RW, ANON)
  buf.fill(1)
  eio.madvise(buf, PAGE, PAGE, C.MADV_DONTNEED) // private anonymous pages: zero again
  t.is(buf[PAGE - 1], 1)
  t.is(buf[PAGE], 0)
  t.is(buf[2 * PAGE - 1], 0)
  t.is(buf[2 * PAGE], 1)
  eio.madvise(buf, 0, null, C.MADV_SEQUENTIAL)
  t.like(t.throws(() => eio.madvise(buf, 0, null, 12345)), { code: 'EINVAL', syscall: 'madvise', errno: -22 })
  eio.munmap(buf)

  const plain = Buffer.alloc(10 * PAGE, 1)
  for (const advice of [C.MADV_NORMAL, C.MADV_RANDOM, C.MADV_SEQUENTIAL, C.MADV_WILLNEED]) {
    eio.madvise(plain, 0, undefined, advice)
  }
  for (const advice of [C.MADV_DONTNEED, C.MADV_FREE, C.MADV_REMOVE, C.MADV_DONTFORK]) {
    t.is(t.throws(() => eio.madvise(plain, 0, undefined, advice)).code, 'ERR_INVALID_ARG_VALUE')
  }
  t.true(plain.every((b) => b === 1))
})

test('mprotect changes a mapping\'s protection and refuses other buffers', async (t) => {
  const buf = eio.mmap(2 * PAGE, RW, ANON)
  eio.mprotect(buf, 0, PAGE, C.PROT_READ)
  await rejectsWith(t, eio.mtouch(buf, 0, PAGE, C.MT_MODIFY), { code: touchCode('EINVAL') })
  await mtouch(t, buf, PAGE, PAGE, C.MT_MODIFY)
  eio.mprotect(buf, 0, undefined, RW)
  await mtouch(t, buf, 0, undefined, C.MT_MODIFY)
  buf.fill(1) // writable again (a protection left read-only would kill the process here)
  t.like(t.throws(() => eio.mprotect(buf, 0, undefined, 0x7fffffff)), { code: 'EINVAL', syscall: 'mprotect' })
  t.is(t.throws(() => eio.mprotect(Buffer.alloc(PAGE), 0, undefined, C.PROT_READ)).code, 'ERR_INVALID_ARG_VALUE')
  eio.munmap(buf)
})

test('ranges: offsets from the end, lengths to the end, nothing outside the buffer', async (t) => {
  const buf = Buffer.alloc(100)
  // Valid: offset, negative offset, negative length, bigints, null for the defaults.
  for (const [off, len, empty] of [[0, 100], [100, 0, true], [-100, null], [-1, 1], [10, -10], [50n, 50n], [null, undefined], [0, -100, true]]) {
    // An empty range has nothing to touch: it resolves everywhere.
    await (empty ? eio.mtouch(buf, off, len) : mtouch(t, buf, off, len))
    eio.munlock(buf, off, len)
  }
  const outOfRange = [[101, null], [-101, null], [0, 101], [10, -91], [1.5, null], [0, 2 ** 53], [2n ** 64n, null]]
  for (const [off, len] of outOfRange) {
    await rejectsWith(t, eio.msync(buf, off, len), { code: 'ERR_OUT_OF_RANGE' })
    t.is(t.throws(() => eio.madvise(buf, off, len, C.MADV_NORMAL)).code, 'ERR_OUT_OF_RANGE')
  }
  for (const [off, len] of [['1', null], [0, '1'], [{}, null]]) {
    await rejectsWith(t, eio.mlock(buf, off, len), { code: 'ERR_INVALID_ARG_TYPE' })
  }
})

test('bad buffers and flags reject, never throw', async (t) => {
  for (const fn of [eio.msync, eio.mtouch, eio.mlock]) {
    await rejectsWith(t, fn('x'), { code: 'ERR_INVALID_ARG_TYPE' })
    await rejectsWith(t, fn([1, 2]), { code: 'ERR_INVALID_ARG_TYPE' })
  }
  const buf = eio.mmap(PAGE, RW, ANON)
  eio.munmap(buf)
  for (const fn of [eio.msync, eio.mtouch, eio.mlock]) await rejectsWith(t, fn(buf), { code: 'ERR_INVALID_STATE' })
  t.is(t.throws(() => eio.madvise(buf, 0, 0, C.MADV_NORMAL)).code, 'ERR_INVALID_STATE')
  await rejectsWith(t, eio.mtouch(Buffer.alloc(1), 0, 1, 2), { code: 'ERR_INVALID_ARG_VALUE' })
  await rejectsWith(t, eio.mtouch(Buffer.alloc(1), 0, 1, 'x'), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.msync(Buffer.alloc(1), 0, 1, 1.5), { code: 'ERR_OUT_OF_RANGE' })
  await rejectsWith(t, eio.mlock(Buffer.alloc(1), 0, 1, { priority: 9 }), { code: 'ERR_OUT_OF_RANGE' })
})

test('an aborted signal rejects with AbortError and submits nothing', async (t) => {
  const buf = Buffer.alloc(10)
  const signal = AbortSignal.abort()
  for (const p of [
    eio.mtouch(buf, 0, null, 0, { signal }),
    eio.msync(buf, 0, null, undefined, { signal }),
    eio.mlock(buf, 0, null, { signal }),
    eio.mlockall(C.MCL_FUTURE, { signal }),
  ]) {
    await rejectsWith(t, p, { name: 'AbortError', code: 'ABORT_ERR' })
  }
})

test('a worker\'s mappings go when the worker ends', async (t) => {
  const { file } = pagesFile(t, 2)
  const worker = new Worker(`
    const eio = require(${JSON.stringify(ENTRY)})
    const fs = require('node:fs')
    const { parentPort } = require('node:worker_threads')
    const fd = fs.openSync(${JSON.stringify(file)}, 'r')
    globalThis.kept = eio.mmap(2 * eio.constants.PAGESIZE, eio.constants.PROT_READ, eio.constants.MAP_SHARED, fd)
    const done = (code) => parentPort.postMessage([globalThis.kept[0], code])
    eio.mtouch(globalThis.kept).then(() => done(null), (e) => done(e.code))
    parentPort.on('message', () => {}) // stay alive until terminated
  `, { eval: true })
  t.deepEqual(await once(worker, 'message').then(([m]) => m), [7, linuxCalls ? null : 'ENOSYS'])
  if (procfs) t.is(smaps(file).mappings, 1)
  await worker.terminate()
  if (procfs) t.is(smaps(file).mappings, 0)
})

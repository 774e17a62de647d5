// read under load: reads go through bounce buffers that eio reuses (crates/eio-node/src/
// bounce.rs) and a raw Node-API function (requests/read.rs). Nothing of one read may show
// in another read's buffer, short reads copy only what was read, and a buffer detached
// while its read is in flight is never written.

import fs from 'node:fs'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, linuxCalls, rejectsWith, runNode, tmpdir } from './helpers.mjs'

const BLOCK = 4096

/** A file of `blocks` blocks, block i filled with the byte (i * 7 + 1) & 0xff. */
function blockFile(t, blocks) {
  const data = Buffer.alloc(blocks * BLOCK)
  for (let i = 0; i < blocks; i++) data.fill((i * 7 + 1) & 0xff, i * BLOCK, (i + 1) * BLOCK)
  const p = path.join(tmpdir(t), 'blocks')
  fs.writeFileSync(p, data)
  const fd = fs.openSync(p, 'r')
  t.teardown(() => fs.closeSync(fd))
  return { fd, data }
}

test('many reads in flight each get their own block, whatever buffers eio reuses', async (t) => {
  const { fd, data } = blockFile(t, 64)
  for (let round = 0; round < 4; round++) {
    const bufs = Array.from({ length: 256 }, () => Buffer.alloc(BLOCK, 0xee))
    const blocks = bufs.map((_, i) => (i * 37 + round) % 64)
    const counts = await Promise.all(bufs.map((b, i) => eio.read(fd, blocks[i] * BLOCK, BLOCK, b)))
    t.true(counts.every((n) => n === BLOCK))
    for (let i = 0; i < bufs.length; i++) {
      const want = data.subarray(blocks[i] * BLOCK, (blocks[i] + 1) * BLOCK)
      if (!bufs[i].equals(want)) t.fail(`round ${round}, read ${i}: another block's bytes`)
    }
  }
  t.pass()
})

test('a short read copies only the bytes read; the rest of the buffer keeps its contents', async (t) => {
  const { fd, data } = blockFile(t, 4)
  // Full reads first, so that the next reads get buffers that held those bytes.
  await Promise.all(Array.from({ length: 32 }, () => eio.read(fd, 0, BLOCK, Buffer.alloc(BLOCK))))
  const size = data.length
  for (const [offset, want] of [
    [size - 100, 100], // ends at EOF
    [size - 1, 1],
    [size, 0], // at EOF
    [size + BLOCK, 0], // beyond EOF
  ]) {
    const buf = Buffer.alloc(BLOCK, 0xab)
    t.is(await eio.read(fd, offset, BLOCK, buf), want, `read at ${offset}`)
    t.true(buf.subarray(0, want).equals(data.subarray(offset, offset + want)))
    t.true(
      buf.subarray(want).every((b) => b === 0xab),
      `bytes past the ${want} read are untouched`,
    )
  }
  // Lengths that vary from read to read, also past the sizes eio keeps for reuse.
  for (const len of [1, BLOCK * 3, 10, 70 * 1024, 5, BLOCK]) {
    const buf = Buffer.alloc(len + 8, 0xcd)
    const n = await eio.read(fd, 0, len, buf, 8)
    t.is(n, Math.min(len, size))
    t.true(buf.subarray(0, 8).every((b) => b === 0xcd), 'nothing before bufferOffset')
    t.true(buf.subarray(8, 8 + n).equals(data.subarray(0, n)))
    t.true(buf.subarray(8 + n).every((b) => b === 0xcd), 'nothing past the count read')
  }
})

test('a buffer detached while its read is in flight rejects; the reads after it are intact', async (t) => {
  const { fd, data } = blockFile(t, 8)
  const abs = Array.from({ length: 16 }, () => new ArrayBuffer(BLOCK))
  const reads = abs.map((ab, i) => eio.read(fd, (i % 8) * BLOCK, BLOCK, new Uint8Array(ab)))
  const moved = abs.map((ab) => structuredClone(ab, { transfer: [ab] }))
  for (const r of reads) await rejectsWith(t, r, { code: 'ERR_INVALID_STATE', name: 'Error' })
  t.true(
    moved.every((ab) => new Uint8Array(ab).every((b) => b === 0)),
    'the new owners were not written to',
  )
  // Their bounce buffers went back for reuse: later reads still see only their own block.
  const bufs = Array.from({ length: 16 }, () => Buffer.alloc(BLOCK))
  await Promise.all(bufs.map((b, i) => eio.read(fd, (7 - (i % 8)) * BLOCK, BLOCK, b)))
  bufs.forEach((b, i) => t.true(b.equals(data.subarray((7 - (i % 8)) * BLOCK, (8 - (i % 8)) * BLOCK))))
})

test('positions as numbers, bigints and -1 reach the native read unchanged', async (t) => {
  const { fd, data } = blockFile(t, 2)
  const buf = Buffer.alloc(16)
  t.is(await eio.read(fd, BLOCK + 3, 16, buf), 16)
  t.true(buf.equals(data.subarray(BLOCK + 3, BLOCK + 19)))
  t.is(await eio.read(fd, BigInt(BLOCK * 2 - 4), 16, buf), 4)
  t.is(await eio.read(fd, 2n ** 62n, 16, buf), 0)
  fs.readSync(fd, Buffer.alloc(5), 0, 5, null) // the file position is now 5
  t.is(await eio.read(fd, -1, 4, buf), 4)
  t.true(buf.subarray(0, 4).equals(data.subarray(5, 9)))
  t.is(await eio.read(fd, -1n, 4, buf), 4)
  t.true(buf.subarray(0, 4).equals(data.subarray(9, 13)))
})

test('views over a resizable buffer that shrank below the range while in flight are never written', async (t) => {
  const { fd } = blockFile(t, 2)
  const rab = new ArrayBuffer(1 << 20, { maxByteLength: 1 << 22 })
  const reads = [
    eio.read(fd, 0, BLOCK, new DataView(rab, 512 * 1024, BLOCK)),
    eio.read(fd, 0, BLOCK, new Uint8Array(rab, 512 * 1024, BLOCK)),
    eio.read(fd, 0, BLOCK, new Uint8Array(rab), 512 * 1024), // length-tracking
    eio.read(fd, 0, 0, new Uint8Array(rab, 512 * 1024, BLOCK)), // nothing to write
  ]
  rab.resize(BLOCK)
  for (const r of reads.slice(0, 3)) await rejectsWith(t, r, { code: 'ERR_INVALID_STATE' })
  t.is(await reads[3], 0, 'a read of nothing into a view out of bounds still fulfils with 0')
  t.true(new Uint8Array(rab).every((b) => b === 0))
})

test('eio holds a read buffer only until its read settles: done, failed, aborted, withdrawn or refused', (t) => {
  // In a child with --expose-gc: each buffer must be collectable once its promise settled,
  // checked before any later read takes its slot.
  const src = `
    import fs from 'node:fs'
    import * as eio from ${JSON.stringify(ENTRY)}
    const fd = fs.openSync(process.execPath, 'r')
    const collected = new Set()
    const inTime = []
    const registry = new FinalizationRegistry((name) => collected.add(name))
    async function check(name, start) {
      let buf = Buffer.alloc(4096)
      registry.register(buf, name)
      await start(buf).catch(() => {})
      buf = undefined
      for (let i = 0; i < 10 && !collected.has(name); i++) {
        globalThis.gc()
        await new Promise((r) => setTimeout(r, 5))
      }
      if (collected.has(name)) inTime.push(name)
    }
    await check('done', (b) => eio.read(fd, 0, 4096, b))
    await check('failed', (b) => eio.read(999999, 0, 4096, b))
    eio.configure({ maxParallel: 0 }) // queued until aborted
    const ac = new AbortController()
    await check('aborted', (b) => { const p = eio.read(fd, 0, 4096, b, 0, { signal: ac.signal }); ac.abort(); return p })
    eio.configure({ maxParallel: 4 })
    await check('withdrawn', (b) => eio.read(fd, 0, 4096, b, 0, { signal: AbortSignal.abort() }))
    const hostile = new AbortController().signal
    hostile.addEventListener = () => { throw new Error('hostile') }
    await check('refused', (b) => eio.read(fd, 0, 4096, b, 0, { signal: hostile }))
    console.log(inTime.sort().join(','))
  `
  const r = runNode(src, { args: ['--expose-gc'] })
  t.is(r.stderr, '')
  t.is(r.stdout.trim(), 'aborted,done,failed,refused,withdrawn')
})

// Cached reads run on the JS thread at the end of the JS job that made them
// (requests/read.rs `run_ready`), but never ahead of a request still in the pool, and
// never while the pool is paused.

test.serial('a read never overtakes a request of its environment that is still queued', async (t) => {
  const p = path.join(tmpdir(t), 'f')
  fs.writeFileSync(p, 'old')
  const fd = fs.openSync(p, 'r+')
  t.teardown(() => fs.closeSync(fd))
  eio.configure({ maxParallel: 1 }) // one thread: the pool runs requests in order
  t.teardown(() => eio.configure({ maxParallel: 8 }))
  const busy = eio.busy(0.05) // holds the thread, so that the write stays queued
  const write = eio.write(fd, 0, 3, 'new')
  await null // a later JS job: the write is in the pool by now
  const buf = Buffer.alloc(3)
  const read = eio.read(fd, 0, 3, buf)
  await Promise.all([busy, write, read])
  t.is(buf.toString(), 'new', 'the read waited for the write queued before it')
  // Within one JS job the order holds too: the write goes first, the read after it.
  const busy2 = eio.busy(0.05)
  const write2 = eio.write(fd, 0, 3, 'NEW')
  const read2 = eio.read(fd, 0, 3, buf)
  await Promise.all([busy2, write2, read2])
  t.is(buf.toString(), 'NEW')
})

test.serial('a paused pool holds cached reads too', async (t) => {
  const { fd, data } = blockFile(t, 1)
  eio.configure({ maxParallel: 0 })
  t.teardown(() => eio.configure({ maxParallel: 8 }))
  const buf = Buffer.alloc(16)
  let done = false
  const read = eio.read(fd, 0, 16, buf).then((n) => (done = n))
  await new Promise((r) => setTimeout(r, 20))
  t.is(done, false)
  t.is(eio.nready(), 1, 'queued, not run')
  eio.configure({ maxParallel: 8 })
  await read
  t.is(done, 16)
  t.true(buf.equals(data.subarray(0, 16)))
})

test('a batch reads at most 1 MiB of cached data on the JS thread; the rest goes to the pool', (t) => {
  if (!linuxCalls) return t.pass(console.log('skipped: cached reads on the JS thread are Linux\'s'))
  const file = path.join(tmpdir(t), 'cached')
  fs.writeFileSync(file, Buffer.alloc(4 << 20, 1)) // just written: in the page cache
  const r = runNode(`
    import fs from 'node:fs'
    import * as eio from ${JSON.stringify(ENTRY)}
    const fd = fs.openSync(${JSON.stringify(file)}, 'r')
    const batch = (n, size) => Promise.all(Array.from({ length: n }, (_, i) => eio.read(fd, i * size, size, Buffer.alloc(size))))
    const small = await batch(16, 4096)
    const threadsAfterSmall = eio.nthreads()
    const big = await batch(64, 65536)
    const counts = [...small, ...big]
    console.log(JSON.stringify({ threadsAfterSmall, threadsAfterBig: eio.nthreads(), whole: counts.every((n, i) => n === (i < 16 ? 4096 : 65536)) }))
  `)
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.true(out.whole, 'every read is whole')
  t.is(out.threadsAfterSmall, 0, '64 KiB of cached reads ran on the JS thread')
  t.true(out.threadsAfterBig > 0, '4 MiB in one batch used the pool')
})

// Load and lifecycle: many requests in a row and at once, aborts at random moments,
// priorities under load. Memory, fds and counters must come back to where they were.

import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

import * as eio from '../../index.js'
import { fdCount, tmpdir } from '../helpers.mjs'

test.serial('1M sequential requests and 100k outstanding at once: memory plateaus, counters return', async (t) => {
  const lane = async (n) => {
    for (let i = 0; i < n; i++) await eio.nop()
  }
  // 1M in total, 64 lanes, measured after a first quarter has warmed everything up.
  await Promise.all(Array.from({ length: 64 }, () => lane(250_000 / 64)))
  global.gc?.()
  const rss1 = process.memoryUsage().rss
  await Promise.all(Array.from({ length: 64 }, () => lane(750_000 / 64)))
  global.gc?.()
  const rss2 = process.memoryUsage().rss
  t.is(eio.nreqs(), 0)
  t.true(rss2 - rss1 < 64 << 20, `RSS grew by ${((rss2 - rss1) >> 20)} MiB over 750k requests`)

  const fds = fdCount()
  await Promise.all(Array.from({ length: 100_000 }, () => eio.nop()))
  t.is(eio.nreqs(), 0)
  t.is(eio.nready(), 0)
  t.is(eio.npending(), 0)
  t.is(fdCount(), fds)
})

test.serial('10k opens aborted at random moments: each settles, no fd is left open', async (t) => {
  const dir = tmpdir(t)
  const file = path.join(dir, 'f')
  fs.writeFileSync(file, 'x')
  const before = fdCount()
  const outcomes = await Promise.all(
    Array.from({ length: 10_000 }, async (_, i) => {
      const ac = new AbortController()
      const p = eio.open(file, 'r', 0, { signal: ac.signal })
      // Abort at once, after a microtask, after a macrotask, or not at all.
      const when = i % 4
      if (when === 0) ac.abort()
      else if (when === 1) queueMicrotask(() => ac.abort())
      else if (when === 2) setImmediate(() => ac.abort())
      try {
        const fd = await p
        await eio.close(fd)
        return 'opened'
      } catch (err) {
        t.is(err.name, 'AbortError')
        t.is(err.code, 'ABORT_ERR')
        return 'aborted'
      }
    }),
  )
  t.true(outcomes.includes('aborted') && outcomes.includes('opened'))
  await eio.flush()
  t.is(fdCount(), before, 'every fd an aborted open got was closed')
  t.is(eio.nreqs(), 0)
})

test.serial('priority under load: a high-priority stat overtakes 10k queued low-priority reads', async (t) => {
  const dir = tmpdir(t)
  const file = path.join(dir, 'f')
  fs.writeFileSync(file, Buffer.alloc(4096))
  const fd = fs.openSync(file, 'r')
  t.teardown(() => fs.closeSync(fd))
  // Queue the reads while paused, let one thread start on them, then queue the stat.
  eio.configure({ maxParallel: 0 })
  t.teardown(() => eio.configure({ maxParallel: 8 }))
  let readsDone = 0
  const buf = Buffer.alloc(4096)
  const reads = Array.from({ length: 10_000 }, () =>
    eio.read(fd, 0, 4096, buf, 0, { priority: -4 }).then(() => readsDone++),
  )
  await new Promise((resolve) => setImmediate(resolve)) // the reads are in the queue now
  t.is(eio.nready(), 10_000)
  eio.configure({ maxParallel: 1 })
  const statDoneAfter = await eio.stat(dir, { priority: 4 }).then(() => readsDone)
  await Promise.all(reads)
  // Once queued, the stat runs next: only reads that the thread took meanwhile go first.
  t.true(statDoneAfter < 5000, `the stat waited for ${statDoneAfter} reads`)
})

test.serial('buffer offsets beyond 4 GiB address the right bytes', async (t) => {
  let big
  try {
    big = new Uint8Array(2 ** 32 + 64) // untouched pages cost nothing
  } catch {
    return t.pass('this Node cannot allocate a buffer over 4 GiB')
  }
  const file = path.join(tmpdir(t), 'f')
  fs.writeFileSync(file, 'ABCDWXYZ')
  const fd = fs.openSync(file, 'r+')
  t.teardown(() => fs.closeSync(fd))
  const at = 2 ** 32 + 8
  t.is(await eio.read(fd, 4, 4, big, at), 4)
  t.is(Buffer.from(big.subarray(at, at + 4)).toString(), 'WXYZ')
  t.is(big[8], 0, 'nothing landed at the offset modulo 2**32')
  big.set(Buffer.from('1234'), at + 16)
  t.is(await eio.write(fd, 0, 4, big, at + 16), 4)
  t.is(fs.readFileSync(file, 'utf8'), '1234WXYZ')
})

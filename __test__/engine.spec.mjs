// The engine and the bridge: priorities, pausing, counters, cancellation through
// AbortSignal (before submit, while queued, while executing), the batched drain and its
// bounds, flush(), and the process's life (the event loop, exit with requests in flight).
//
// Serial: the pool's settings are process-wide, and the counters are per environment.

import { execFileSync } from 'node:child_process'
import { getEventListeners } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, fdCount, have, rejectsWith, runNode, tmpdir } from './helpers.mjs'

const { constants: C } = eio
const DEFAULT_PARALLEL = 8

/** One turn of the event loop (timers, I/O and immediates get to run). */
const turn = () => new Promise((resolve) => setImmediate(resolve))

/** Waits until `cond()` holds, giving the loop turns; fails after a generous bound. */
async function until(cond, what, bound = 20_000) {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > bound) throw new Error(`never happened: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/**
 * Blocks this thread (no event loop) until `cond()` holds. Requests enter the pool when
 * the JS job that made them ends: `await null` after making them, before spinning.
 */
function spinUntil(cond, what, bound = 20_000) {
  const cell = new Int32Array(new SharedArrayBuffer(4))
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > bound) throw new Error(`never happened: ${what}`)
    Atomics.wait(cell, 0, 0, 1)
  }
}

/** Tracks whether a promise settled, without awaiting it. */
function watch(promise) {
  const w = { settled: false, value: undefined, error: undefined }
  w.done = promise.then(
    (v) => {
      w.settled = true
      w.value = v
    },
    (e) => {
      w.settled = true
      w.error = e
    },
  )
  return w
}

function counters() {
  // Requests move from nready to npending on pool threads: reading npending first means
  // no request is counted in both (nreqs only changes on this thread).
  const npending = eio.npending()
  const nready = eio.nready()
  return { nreqs: eio.nreqs(), nready, npending }
}

test.afterEach.always(async () => {
  eio.configure({ maxParallel: DEFAULT_PARALLEL, maxPollReqs: 0, maxPollTime: 0 })
  await eio.flush()
})

// ---- configure ------------------------------------------------------------------------------

test.serial('configure: bad options throw Node errors synchronously', (t) => {
  const bad = [
    [undefined, 'ERR_INVALID_ARG_TYPE'],
    [1, 'ERR_INVALID_ARG_TYPE'],
    [null, 'ERR_INVALID_ARG_TYPE'],
    [{ maxParallel: -1 }, 'ERR_OUT_OF_RANGE'],
    [{ maxParallel: 1.5 }, 'ERR_OUT_OF_RANGE'],
    [{ maxParallel: NaN }, 'ERR_OUT_OF_RANGE'],
    [{ maxParallel: 100_000 }, 'ERR_OUT_OF_RANGE'],
    [{ maxParallel: '1' }, 'ERR_INVALID_ARG_TYPE'],
    [{ minParallel: -1 }, 'ERR_OUT_OF_RANGE'],
    [{ maxIdle: 0.5 }, 'ERR_OUT_OF_RANGE'],
    [{ idleTimeout: -1 }, 'ERR_OUT_OF_RANGE'],
    [{ idleTimeout: NaN }, 'ERR_OUT_OF_RANGE'],
    [{ idleTimeout: Infinity }, 'ERR_OUT_OF_RANGE'],
    [{ idleTimeout: '1' }, 'ERR_INVALID_ARG_TYPE'],
    [{ maxPollReqs: -1 }, 'ERR_OUT_OF_RANGE'],
    [{ maxPollReqs: 2 ** 32 }, 'ERR_OUT_OF_RANGE'],
    [{ maxPollTime: -0.1 }, 'ERR_OUT_OF_RANGE'],
    [{ maxPollTime: true }, 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [options, code] of bad) {
    t.throws(() => eio.configure(options), { code }, JSON.stringify(options))
  }
  t.notThrows(() => eio.configure({}))
})

// ---- priorities and pausing ------------------------------------------------------------------

test.serial('maxParallel 0 pauses: requests queue, nready counts them, raising runs them', async (t) => {
  eio.configure({ maxParallel: 0 })
  const ws = Array.from({ length: 5 }, () => watch(eio.nop()))
  t.deepEqual(counters(), { nreqs: 5, nready: 5, npending: 0 })
  for (let i = 0; i < 20; i++) await turn()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.false(ws.some((w) => w.settled), 'nothing ran while paused')
  t.deepEqual(counters(), { nreqs: 5, nready: 5, npending: 0 })
  eio.configure({ maxParallel: 2 })
  await Promise.all(ws.map((w) => w.done))
  t.true(ws.every((w) => w.settled && w.error === undefined))
  t.deepEqual(counters(), { nreqs: 0, nready: 0, npending: 0 })
})

test.serial('with maxParallel 1, requests complete in priority order, FIFO within one', async (t) => {
  eio.configure({ maxParallel: 0 })
  const order = []
  const submitted = []
  const pris = [0, -4, 4, 1, 1, -1, 4, 0, 3, -4, 2, 0, -2, 4, -3, 1]
  const ps = pris.map((priority, i) => {
    submitted.push({ priority, i })
    return eio.nop({ priority }).then(() => order.push(i))
  })
  // default priority is 0, and sits among the 0s in FIFO order
  ps.push(eio.nop().then(() => order.push(pris.length)))
  submitted.push({ priority: 0, i: pris.length })
  t.is(eio.nready(), submitted.length)
  eio.configure({ maxParallel: 1 })
  await Promise.all(ps)
  const expected = [...submitted].sort((a, b) => b.priority - a.priority || a.i - b.i).map((x) => x.i)
  t.deepEqual(order, expected)
})

test.serial('priorities across request kinds, with a running request occupying the thread', async (t) => {
  eio.configure({ maxParallel: 1 })
  const dir = tmpdir(t)
  const order = []
  const blocker = eio.busy(0.05)
  await until(() => eio.nready() === 0, 'the busy request started')
  const ps = [
    eio.stat(dir, { priority: -1 }).then(() => order.push('stat-1')),
    eio.readdir(dir, { priority: 2 }).then(() => order.push('readdir2')),
    eio.mkdir(path.join(dir, 'd'), 0o777, { priority: 0 }).then(() => order.push('mkdir0')),
    // A success: a failure's promise rejects a few microtask ticks later than a success
    // delivered in the same batch (its error is built in a reaction, for the caller's
    // stack), so callback order would not show the order of completion.
    eio.open(dir, 'r', 0o666, { priority: 4 }).then((fd) => {
      fs.closeSync(fd)
      order.push('open4')
    }),
  ]
  await blocker
  await Promise.all(ps)
  t.deepEqual(order, ['open4', 'readdir2', 'mkdir0', 'stat-1'])
})

test.serial('nthreads never exceeds maxParallel; idle threads exit after idleTimeout', async (t) => {
  eio.configure({ maxParallel: 2 })
  await until(() => eio.nthreads() <= 2, 'surplus threads exited')
  let most = 0
  const ps = Array.from({ length: 8 }, () => eio.busy(0.01).then(() => (most = Math.max(most, eio.nthreads()))))
  while (eio.nreqs() > 0) {
    most = Math.max(most, eio.nthreads())
    await turn()
  }
  await Promise.all(ps)
  t.true(most >= 1 && most <= 2, `nthreads reached ${most}`)
  eio.configure({ maxParallel: 3, maxIdle: 0, idleTimeout: 0.01 })
  await until(() => eio.nthreads() === 0, 'idle threads exited')
  t.is(eio.nthreads(), 0)
  eio.configure({ maxIdle: 4, idleTimeout: 10 })
  t.is(await eio.nop(), undefined, 'threads start again on demand')
})

// ---- counters --------------------------------------------------------------------------------

test.serial('counters stay consistent under a mixed flood and return to 0', async (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x')
  const samples = []
  const sample = () => samples.push(counters())
  const ac = new AbortController()
  const ps = []
  for (let i = 0; i < 3000; i++) {
    const opts = i % 3 === 0 ? { signal: ac.signal, priority: (i % 9) - 4 } : { priority: (i % 9) - 4 }
    const p = [
      () => eio.nop(opts),
      () => eio.stat(f, opts),
      () => eio.stat(path.join(dir, 'nope'), opts),
      () => eio.readdir(dir, opts),
      () => eio.busy(0.0001, opts),
    ][i % 5]()
    ps.push(p.then(sample, sample))
    if (i === 1500) ac.abort()
    if (i % 100 === 0) sample()
  }
  const ticker = setInterval(sample, 0)
  await Promise.all(ps)
  clearInterval(ticker)
  t.true(samples.length > 3000)
  for (const s of samples) {
    t.true(s.nreqs >= 0 && s.nreqs <= 3000, `nreqs ${s.nreqs}`)
    t.true(s.nready >= 0 && s.npending >= 0, JSON.stringify(s))
    if (!(s.nready + s.npending <= s.nreqs)) t.fail(`more queued or pending than outstanding: ${JSON.stringify(s)}`)
  }
  t.deepEqual(counters(), { nreqs: 0, nready: 0, npending: 0 })
})

test.serial('npending counts executed requests whose promises are not settled yet', async (t) => {
  const n = 50
  const ws = Array.from({ length: n }, () => watch(eio.nop()))
  await null // let the staged requests enter the pool
  spinUntil(() => eio.npending() === n, 'all executed')
  t.deepEqual(counters(), { nreqs: n, nready: 0, npending: n })
  t.false(ws.some((w) => w.settled))
  await Promise.all(ws.map((w) => w.done))
  t.deepEqual(counters(), { nreqs: 0, nready: 0, npending: 0 })
})

// ---- AbortSignal -----------------------------------------------------------------------------

test.serial('abort before submit: rejects AbortError at once and submits nothing', async (t) => {
  eio.configure({ maxParallel: 0 })
  const reason = new Error('stop')
  const signal = AbortSignal.abort(reason)
  const dir = tmpdir(t)
  const p = eio.open(path.join(dir, 'created'), 'w', 0o666, { signal })
  t.deepEqual(counters(), { nreqs: 0, nready: 0, npending: 0 })
  const err = await rejectsWith(t, p, { name: 'AbortError', code: 'ABORT_ERR' })
  t.true(err instanceof Error)
  t.is(err.cause, reason)
  t.true(err instanceof eio.AbortError)
  eio.configure({ maxParallel: DEFAULT_PARALLEL })
  await eio.nop()
  t.false(fs.existsSync(path.join(dir, 'created')), 'the open never ran')
})

test.serial('abort while queued: rejects at once, never runs, frees its counters', async (t) => {
  eio.configure({ maxParallel: 0 })
  const dir = tmpdir(t)
  const ac = new AbortController()
  const target = path.join(dir, 'never')
  const fds = fdCount()
  const ws = [
    watch(eio.open(target, 'w', 0o666, { signal: ac.signal })),
    watch(eio.mkdir(path.join(dir, 'nodir'), 0o777, { signal: ac.signal })),
    watch(eio.nop({ signal: ac.signal })),
  ]
  const other = watch(eio.nop())
  t.is(eio.nready(), 4)
  ac.abort()
  await turn()
  for (const w of ws) {
    t.true(w.settled, 'rejected while the pool is still paused')
    t.is(w.error?.name, 'AbortError')
    t.is(w.error?.code, 'ABORT_ERR')
  }
  t.false(other.settled)
  t.deepEqual(counters(), { nreqs: 1, nready: 1, npending: 0 })
  eio.configure({ maxParallel: DEFAULT_PARALLEL })
  await other.done
  await eio.flush()
  t.deepEqual(fs.readdirSync(dir), [], 'no aborted request ran')
  t.is(fdCount(), fds)
})

test.serial('abort while executing: busy rejects with AbortError at once; it counts in nreqs until it ends', async (t) => {
  const ac = new AbortController()
  const w = watch(eio.busy(2, { signal: ac.signal }))
  await until(() => eio.nready() === 0, 'busy started')
  ac.abort()
  t.false(w.settled, 'rejected as an abort reaction, not inside abort()')
  await w.done
  t.is(w.error?.name, 'AbortError')
  t.is(w.error?.code, 'ABORT_ERR')
  // Still on its thread (2 s): IO::AIO counts a cancelled request until it leaves the pool.
  t.is(eio.nreqs(), 1)
  await eio.flush() // waits for it to return
  t.deepEqual(counters(), { nreqs: 0, nready: 0, npending: 0 })
})

test.serial('abort of a request that never returns: the promise rejects while its syscall is still blocked; the fd it returns later is closed', async (t) => {
  if (!have('mkfifo')) return t.pass('no mkfifo')
  const dir = tmpdir(t)
  const threads = 3
  eio.configure({ maxParallel: threads })
  const fifos = Array.from({ length: threads }, (_, i) => path.join(dir, `fifo${i}`))
  for (const fifo of fifos) execFileSync('mkfifo', [fifo])
  const before = fdCount()
  // Every thread of the pool blocks in an open of a FIFO that has no writer.
  const acs = fifos.map(() => new AbortController())
  const ws = fifos.map((fifo, i) => watch(eio.open(fifo, 'r', 0o666, { signal: acs[i].signal })))
  const writers = []
  const openWriter = (fifo) => {
    try {
      writers.push(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK))
      return true
    } catch (err) {
      if (err.code !== 'ENXIO') throw err // ENXIO: no reader in open() yet
      return false
    }
  }
  // A reader is in open() once a non-blocking writer can open the FIFO: probe with the
  // last one only, so that the others stay blocked.
  await until(() => eio.nready() === 0 && eio.nthreads() >= threads, 'every thread took an open')
  acs[0].abort()
  // Before, the promise waited for the syscall, forever here: a generous bound, so that
  // the test fails (then unblocks the opens) instead of hanging.
  let timer
  const bound = new Promise((resolve) => (timer = setTimeout(resolve, 10_000, 'still pending')))
  t.is(await Promise.race([ws[0].done.then(() => 'settled'), bound]), 'settled')
  clearTimeout(timer)
  t.is(ws[0].error?.name, 'AbortError', 'rejected while the open is still blocked')
  t.true(ws.slice(1).every((w) => !w.settled), 'the others still wait')
  t.is(eio.nreqs(), threads, 'the aborted open still holds its thread')
  // Writers come: every open returns; the aborted one's fd is closed by eio.
  for (const fifo of fifos) await until(() => openWriter(fifo), `a reader in open(${fifo})`)
  await Promise.all(ws.map((w) => w.done))
  for (const w of ws.slice(1)) fs.closeSync(w.value)
  await eio.flush() // and the aborted open returned
  t.is(eio.nreqs(), 0)
  for (const fd of writers) fs.closeSync(fd)
  t.is(fdCount(), before, 'no fd leaked')
})

test.serial('abort while executing an open: the fd it returns is closed, none leaks', async (t) => {
  if (!have('mkfifo')) return t.pass('no mkfifo')
  const dir = tmpdir(t)
  const fifo = path.join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  for (let round = 0; round < 5; round++) {
    const before = fdCount()
    const ac = new AbortController()
    // Opening a FIFO for reading blocks until a writer comes: the request is stuck in
    // the syscall when it is aborted.
    const w = watch(eio.open(fifo, 'r', 0o666, { signal: ac.signal }))
    await until(() => eio.nready() === 0, 'the open started')
    ac.abort()
    await turn()
    let writer
    await until(() => {
      try {
        writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)
        return true
      } catch (err) {
        if (err.code !== 'ENXIO') throw err // ENXIO: the reader is not in open() yet
        return false
      }
    }, 'the reader blocked in open')
    await w.done
    t.is(w.error?.name, 'AbortError')
    await eio.flush() // the open returned
    fs.closeSync(writer)
    t.is(fdCount(), before, `round ${round}: no fd leaked`)
  }
})

test.serial('abort after completion but before delivery: an opened fd is closed', async (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x')
  const before = fdCount()
  const acs = Array.from({ length: 100 }, () => new AbortController())
  const ws = acs.map((ac) => watch(eio.open(f, 'r', 0o666, { signal: ac.signal })))
  await null // let the staged requests enter the pool
  spinUntil(() => eio.npending() === 100, 'all opened')
  t.is(fdCount(), before + 100)
  for (const ac of acs) ac.abort()
  await Promise.all(ws.map((w) => w.done))
  t.true(ws.every((w) => w.error?.name === 'AbortError'))
  await eio.flush() // their completions were delivered, and the fds closed
  t.is(fdCount(), before)
})

test.serial('one AbortSignal shared by 100k requests leaves no listeners behind', async (t) => {
  const ac = new AbortController()
  const n = 100_000
  const ps = Array.from({ length: n }, () => eio.nop({ signal: ac.signal }))
  t.true(getEventListeners(ac.signal, 'abort').length <= 1, 'one listener for all of them')
  await Promise.all(ps)
  t.is(getEventListeners(ac.signal, 'abort').length, 0, 'after completion')

  // The same, aborted while they are queued.
  eio.configure({ maxParallel: 0 })
  const ps2 = Array.from({ length: n }, () => eio.nop({ signal: ac.signal }).catch((e) => e))
  const ac2 = new AbortController()
  const ps3 = Array.from({ length: n }, () => eio.stat('/', { signal: ac2.signal }).catch((e) => e))
  ac2.abort()
  const errs = await Promise.all(ps3)
  t.true(errs.every((e) => e.name === 'AbortError'))
  t.is(getEventListeners(ac2.signal, 'abort').length, 0, 'after abort')
  t.deepEqual(counters(), { nreqs: n, nready: n, npending: 0 })
  eio.configure({ maxParallel: DEFAULT_PARALLEL })
  t.true((await Promise.all(ps2)).every((v) => v === undefined))
  t.is(getEventListeners(ac.signal, 'abort').length, 0)
  t.deepEqual(counters(), { nreqs: 0, nready: 0, npending: 0 })
})

test.serial('sharing one signal among many requests prints no MaxListenersExceededWarning', async (t) => {
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  const ac = new AbortController()
  await Promise.all(Array.from({ length: 100 }, () => eio.nop({ signal: ac.signal })))
  await turn()
  t.deepEqual(warnings.map((w) => w.name), [])
})

test.serial('a throwing signal-like object fails its own request only; the batch goes on', async (t) => {
  // Signals are duck-typed (as in Node); whatever their methods do, the other requests
  // delivered in the same batch must settle.
  const boom = new Error('boom')
  const signal = { aborted: false, addEventListener() {}, removeEventListener() { throw boom } }
  const before = Array.from({ length: 100 }, () => watch(eio.nop()))
  const bad = watch(eio.nop({ signal }))
  const after = Array.from({ length: 100 }, () => watch(eio.nop()))
  await null // let the staged requests enter the pool
  spinUntil(() => eio.npending() === 201, 'all executed')
  await turn()
  await turn()
  t.true([...before, ...after].every((w) => w.settled && w.error === undefined), 'the others settled')
  t.true(bad.settled)
  t.is(bad.error, boom)
  await eio.flush()
  t.is(eio.nreqs(), 0)
})

test.serial('a signal-like object whose addEventListener throws: that error, no orphan, no fd', async (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x')
  const before = fdCount()
  const refusal = new Error('no listeners here')
  const signal = { aborted: false, addEventListener() { throw refusal }, removeEventListener() {} }
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => process.off('unhandledRejection', onUnhandled))
  for (let i = 0; i < 20; i++) {
    const err = await t.throwsAsync(eio.open(f, 'r', 0o666, { signal }))
    t.is(err, refusal)
  }
  await eio.flush()
  await turn()
  t.deepEqual(unhandled, [])
  t.is(eio.nreqs(), 0)
  t.is(fdCount(), before, 'the opens were taken back and their fds closed')
})

test.serial('a group that refuses the member (a finished group): that error, no orphan, no fd', async (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x')
  const before = fdCount()
  const refusal = new Error('the group has finished')
  const group = { add() { throw refusal } }
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => process.off('unhandledRejection', onUnhandled))
  const ac = new AbortController()
  const calls = [
    () => eio.open(f, 'r', 0o666, { group }),
    () => eio.open(path.join(dir, 'nope'), 'r', 0o666, { group }),
    () => eio.open(f, 'r', 0o666, { group, signal: ac.signal }),
    () => eio.stat(path.join(dir, 'nope'), { group, signal: AbortSignal.abort() }),
  ]
  for (let i = 0; i < 10; i++) {
    for (const call of calls) t.is(await t.throwsAsync(call()), refusal)
  }
  await eio.flush()
  await turn()
  await turn()
  t.deepEqual(unhandled, [], 'no orphaned promise rejected unhandled')
  t.is(eio.nreqs(), 0)
  t.is(getEventListeners(ac.signal, 'abort').length, 0)
  t.is(fdCount(), before, 'the opens were taken back and their fds closed')
})

test.serial('abort of completions waiting in a chunked drain: rejected, fds closed', async (t) => {
  eio.configure({ maxPollReqs: 1 })
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x')
  const before = fdCount()
  const ac = new AbortController()
  const ws = Array.from({ length: 50 }, () => watch(eio.open(f, 'r', 0o666, { signal: ac.signal })))
  await null // let the staged requests enter the pool
  spinUntil(() => eio.npending() === 50, 'all executed')
  // One is delivered; the next chunk waits for an immediate, the others in the backlog.
  await Promise.race(ws.map((w) => w.done))
  t.is(ws.filter((w) => w.settled).length, 1)
  ac.abort()
  await Promise.all(ws.map((w) => w.done))
  const fds = ws.filter((w) => w.error === undefined).map((w) => w.value)
  for (const fd of fds) fs.closeSync(fd) // delivered before the abort: ours to close
  t.true(ws.every((w) => w.error === undefined || w.error.name === 'AbortError'))
  t.true(ws.some((w) => w.error?.name === 'AbortError'))
  await eio.flush() // the aborted ones' completions, whose fds eio closes
  t.is(fdCount(), before)
})

// ---- the drain -------------------------------------------------------------------------------

/**
 * Queues `n` completions, then lets them be delivered while a setImmediate and a
 * setTimeout chain record how many had settled each time they ran.
 */
async function observeDelivery(n) {
  let settled = 0
  const ps = Array.from({ length: n }, () => eio.nop().then(() => settled++))
  // Every completion is waiting before the first drain starts.
  await null // let the staged requests enter the pool
  spinUntil(() => eio.npending() === n, 'all executed')
  const seenByImmediate = []
  const seenByTimer = []
  let running = true
  const tick = () => {
    seenByImmediate.push(settled)
    if (running) setImmediate(tick)
  }
  const timer = () => {
    seenByTimer.push(settled)
    if (running) setTimeout(timer, 0)
  }
  setImmediate(tick)
  setTimeout(timer, 0)
  await Promise.all(ps)
  running = false
  await new Promise((resolve) => setTimeout(resolve, 2))
  const between = (list) => list.filter((s) => s > 0 && s < n).length
  return { immediates: between(seenByImmediate), timers: between(seenByTimer), settled }
}

test.serial('maxPollReqs bounds a drain: immediates and timers run between chunks', async (t) => {
  eio.configure({ maxPollReqs: 8 })
  const seen = await observeDelivery(20_000)
  t.is(seen.settled, 20_000)
  t.true(seen.immediates > 0, 'an immediate ran in the middle of the flood')
  t.true(seen.timers > 0, 'a timer ran in the middle of the flood')
  t.deepEqual(counters(), { nreqs: 0, nready: 0, npending: 0 })
})

test.serial('maxPollTime bounds a drain too', async (t) => {
  eio.configure({ maxPollTime: 1e-6 })
  const seen = await observeDelivery(20_000)
  t.is(seen.settled, 20_000)
  t.true(seen.immediates > 0, 'an immediate ran in the middle of the flood')
})

test.serial('without limits, waiting completions are delivered in one go', async (t) => {
  eio.configure({ maxPollReqs: 0, maxPollTime: 0 })
  const seen = await observeDelivery(20_000)
  t.is(seen.immediates, 0)
  t.is(seen.timers, 0)
})

test.serial('a chunked drain delivers every result correctly, successes and failures each in completion order', async (t) => {
  eio.configure({ maxPollReqs: 3, maxParallel: 1 })
  const dir = tmpdir(t)
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, `f${i}`), 'x'.repeat(i))
  const order = []
  const ps = []
  for (let i = 0; i < 20; i++) {
    ps.push(eio.stat(path.join(dir, `f${i}`)).then((st) => order.push(st.size)))
    ps.push(eio.open(path.join(dir, `none${i}`)).catch((e) => order.push(e.path)))
  }
  await Promise.all(ps)
  // Successes and failures each settle in completion order (a failure's promise rejects a
  // few microtask ticks after the successes of its batch: its error is built in a reaction,
  // for the caller's stack).
  const sizes = order.filter((x) => typeof x === 'number')
  const paths = order.filter((x) => typeof x === 'string')
  t.deepEqual(sizes, Array.from({ length: 20 }, (_, i) => i))
  t.deepEqual(paths, Array.from({ length: 20 }, (_, i) => path.join(dir, `none${i}`)))
})

// ---- errors ----------------------------------------------------------------------------------

test.serial("a failed request's error names the caller's async functions, as fs.promises' do", async (t) => {
  const dir = tmpdir(t)
  const missing = path.join(dir, 'missing')
  async function statOfTheCaller() {
    return await eio.stat(missing)
  }
  async function openOfTheCaller() {
    await eio.open(missing, 'r')
  }
  async function outerCaller(f) {
    return await f()
  }
  for (const [f, syscall] of [[statOfTheCaller, 'stat'], [openOfTheCaller, 'open']]) {
    const err = await outerCaller(f).catch((e) => e)
    t.true(err instanceof Error)
    t.like(err, { code: 'ENOENT', errno: -2, syscall, path: missing })
    t.true(err.stack.startsWith(`Error: ENOENT: no such file or directory, ${syscall} '${missing}'\n`), err.stack)
    t.regex(err.stack, new RegExp(`at async ${f.name} `), 'the function that awaited the request')
    t.regex(err.stack, /at async outerCaller /, 'and the one that awaited it')
    t.notRegex(err.stack, /dispatch|settle/, "none of the drain's frames")
  }
})

test.serial('a failed request nobody handles is one unhandled rejection, of its own promise', (t) => {
  const out = runChild(t, `
    const seen = []
    process.on('unhandledRejection', (err, p) => seen.push([err.code, p === promise]))
    const promise = eio.stat('/nonexistent/eio')
    await eio.flush()
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    console.log(JSON.stringify(seen))
  `, 'unhandled')
  t.is(out, '[["ENOENT",true]]\n')
})

// ---- flush -----------------------------------------------------------------------------------

test.serial('flush: fulfils at once when idle', async (t) => {
  t.is(eio.nreqs(), 0)
  const w = watch(eio.flush())
  await turn()
  t.true(w.settled)
  t.is(w.value, undefined)
})

test.serial('flush: waits for every outstanding request, including later ones and failures', async (t) => {
  eio.configure({ maxParallel: 0 })
  const first = watch(eio.nop())
  const failing = watch(eio.stat('/nonexistent/eio'))
  const f = watch(eio.flush())
  const late = watch(eio.nop())
  await turn()
  await new Promise((resolve) => setTimeout(resolve, 10))
  t.false(f.settled, 'flush waits while requests are queued')
  eio.configure({ maxParallel: DEFAULT_PARALLEL })
  await f.done
  t.true(first.settled && failing.settled && late.settled, 'all settled before flush')
  t.is(failing.error?.code, 'ENOENT')
  t.is(f.error, undefined, 'flush fulfils even when requests failed')
  t.is(eio.nreqs(), 0)
})

test.serial('flush: fulfils when the last outstanding requests are aborted while queued', async (t) => {
  eio.configure({ maxParallel: 0 })
  const ac = new AbortController()
  const ws = Array.from({ length: 3 }, () => watch(eio.nop({ signal: ac.signal })))
  const f = watch(eio.flush())
  await turn()
  t.false(f.settled)
  ac.abort()
  await f.done
  t.true(ws.every((w) => w.error?.name === 'AbortError'))
  t.is(eio.nreqs(), 0)
})

// ---- the process's life ----------------------------------------------------------------------

const IMPORT = `import * as eio from ${JSON.stringify(ENTRY)}`

function runChild(t, source, what, options) {
  const r = runNode(`${IMPORT}\n${source}`, { timeout: 20_000, ...options })
  t.is(r.error, undefined, `${what}: ${r.error}`)
  t.is(r.signal, null, `${what}: killed by ${r.signal}; stderr: ${r.stderr}`)
  t.is(r.status, 0, `${what}: stderr: ${r.stderr}`)
  t.is(r.stderr, '', what)
  return r.stdout
}

test.serial('event loop: outstanding requests keep the process alive until they finish', (t) => {
  const out = runChild(t, `
    eio.busy(0.2).then(() => console.log('busy done'))
    eio.configure({ maxParallel: 1 })
    eio.stat('/').then((st) => console.log('stat done', st.isDirectory()))
  `, 'busy')
  t.is(out, 'busy done\nstat done true\n')
})

test.serial('event loop: an idle process exits promptly, also after aborts and errors', (t) => {
  const out = runChild(t, `
    await eio.nop()
    await eio.stat('/nonexistent').catch(() => {})
    eio.configure({ maxParallel: 0 })
    const ac = new AbortController()
    const queued = eio.nop({ signal: ac.signal }).catch((e) => e.name)
    ac.abort()
    console.log(await queued)
    eio.configure({ maxParallel: 2 })
    const ac2 = new AbortController()
    const running = eio.busy(0.05, { signal: ac2.signal }).catch((e) => e.name)
    while (eio.nready() > 0) await new Promise((r) => setImmediate(r))
    ac2.abort()
    console.log(await running)
    await eio.flush() // the busy request returned
    // Idle worker threads stay (maxIdle) but must not hold the process.
    console.log('idle', eio.nreqs(), eio.nthreads() > 0)
  `, 'idle')
  t.is(out, 'AbortError\nAbortError\nidle 0 true\n')
})

test.serial('event loop: a process with a paused pool and nothing queued still exits', (t) => {
  const out = runChild(t, `
    eio.configure({ maxParallel: 0 })
    console.log('paused', eio.nreqs())
  `, 'paused')
  t.is(out, 'paused 0\n')
})

test.serial('process.exit(0) with 10k requests in flight exits with status 0, no crash', (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'f'), 'data')
  const sources = [
    // exit right after submitting
    `for (let i = 0; i < 10000; i++) eio.stat('/')
     process.exit(0)`,
    // exit with every thread busy and opens queued and running
    `for (let i = 0; i < 16; i++) eio.busy(0.2)
     for (let i = 0; i < 10000; i++) eio.open(${JSON.stringify(path.join(dir, 'f'))})
     await new Promise((r) => setTimeout(r, 5))
     process.exit(0)`,
    // exit from inside a drain, with completions still being delivered
    `let n = 0
     eio.configure({ maxPollReqs: 100 })
     for (let i = 0; i < 10000; i++) eio.nop().then(() => { if (++n === 5000) process.exit(0) })`,
    // exit while reads into JS buffers are in flight
    `const fd = await eio.open(${JSON.stringify(path.join(dir, 'f'))})
     for (let i = 0; i < 10000; i++) eio.read(fd, 0, 4, Buffer.alloc(4))
     setImmediate(() => process.exit(0))`,
  ]
  for (let round = 0; round < 3; round++) {
    for (const [i, source] of sources.entries()) {
      runChild(t, source, `source ${i}, round ${round}`)
    }
  }
})

test.serial('an uncaught exception with requests in flight ends the process normally', (t) => {
  const r = runNode(`${IMPORT}
    for (let i = 0; i < 1000; i++) eio.busy(0.001)
    setTimeout(() => { throw new Error('deliberate') }, 1)
  `)
  t.is(r.signal, null, r.stderr)
  t.is(r.status, 1)
  t.regex(r.stderr, /deliberate/)
})

test.serial('an already-aborted signal does not hide bad arguments, and still runs nothing', async (t) => {
  const ac = new AbortController()
  ac.abort()
  const bad = await eio.seek(0, 0, -0.999, { signal: ac.signal }).catch((e) => e)
  t.is(bad.code, 'ERR_OUT_OF_RANGE')
  const dir = tmpdir(t)
  const good = await eio.mkdir(path.join(dir, 'x'), 0o755, { signal: ac.signal }).catch((e) => e)
  t.is(good.name, 'AbortError')
  await eio.flush()
  t.false(fs.existsSync(path.join(dir, 'x')), 'the aborted mkdir never ran')
  t.is(eio.nreqs(), 0)
})

// AsyncGroup (IO::AIO's aio_group): membership, outcome, feeder and limit, cancellation,
// nesting, disposal, unhandled rejections and memory of a million fed requests.

import fs from 'node:fs'
import path from 'node:path'

import test from 'ava'

import { AsyncGroup, busy, constants, flush, group, nop, nreqs, open, stat } from '../index.js'
import { ENTRY, rejectsWith, runNode, tmpdir } from './helpers.mjs'

const ABORT = { name: 'AbortError', code: 'ABORT_ERR' }

/** A promise with its resolvers, to settle members in a chosen order. */
function deferred() {
  let resolve, reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Whether `promise` has settled, observed through a flag. */
function track(promise) {
  const state = { settled: false }
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

/** A few event-loop turns, for unhandled-rejection events and late finishing to happen. */
async function turns(n = 3) {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

// ---------------------------------------------------------------- unhandled rejections

test.serial('members rejections never surface as unhandled rejections of their own', async (t) => {
  const unhandled = []
  const listener = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', listener)
  t.teardown(() => process.off('unhandledRejection', listener))

  // Failing requests joined through { group } and add(), never handled by the caller.
  const g1 = group()
  stat('/nonexistent/eio-group', { group: g1 })
  const plain = new Error('plain')
  g1.add(stat('/nonexistent/eio-group-2'), Promise.reject(plain))
  t.is(await t.throwsAsync(g1), plain, 'the first to fail')

  // A group nobody awaits, whose member's error its caller took.
  const g2 = group()
  stat('/nonexistent/eio-group', { group: g2 }).catch(() => {})
  // A cancelled group, never awaited, with members cancelled by it.
  const g3 = group()
  busy(0.01, { group: g3 })
  nop({ group: g3 })
  g3.cancel()
  // A request joining a cancelled group, and one with its own aborted signal.
  stat('/', { group: g3 })
  stat('/', { group: group(), signal: AbortSignal.abort() }).catch(() => {})
  // Nested: the inner group's failure, the outer group decided by result().
  const outer = group()
  const inner = group()
  outer.add(inner)
  stat('/nonexistent/eio-group', { group: inner })
  outer.result('fine')
  t.is(await outer, 'fine')
  // An aborted request joining a finished group: it rejects with ERR_INVALID_STATE, and
  // its would-be AbortError promise is never made.
  await rejectsWith(t, stat('/', { group: g1, signal: AbortSignal.abort() }), { code: 'ERR_INVALID_STATE' })
  // cancelSubs over failing members.
  const g4 = group()
  stat('/nonexistent/eio-group', { group: g4 })
  busy(0.01, { group: g4 })
  g4.cancelSubs()
  await new Promise((r) => setTimeout(r, 100))
  await turns()
  t.deepEqual(unhandled, [])
})

// ------------------------------------------------------------------------- basics

test('an empty group settles with undefined, on a later turn (t/06)', async (t) => {
  const grp = group()
  t.true(grp instanceof AsyncGroup)
  t.is(Object.prototype.toString.call(grp), '[object AsyncGroup]')
  let settled = false
  grp.then(() => (settled = true))
  await Promise.resolve()
  t.false(settled, 'not before members could be added')
  t.is(await grp, undefined)
  t.is(await grp, undefined, 'awaiting twice gives the same outcome')
})

test('busy(0) and nop settle, alone and in a group (t/06)', async (t) => {
  t.is(await busy(0), undefined)
  t.is(await nop(), undefined)
  const grp = group()
  const [a, b] = grp.add(busy(0), nop())
  t.is(await grp, undefined)
  t.is(await a, undefined)
  t.is(await b, undefined)
})

test('await waits for every member, requests and plain promises', async (t) => {
  const grp = group()
  const late = deferred()
  const states = [busy(0.02, { group: grp }), nop({ group: grp }), stat('/', { group: grp })].map(track)
  grp.add(late.promise)
  const lateState = track(late.promise)
  setTimeout(() => late.resolve('x'), 30)
  await grp
  t.true(states.every((s) => s.settled))
  t.true(lateState.settled)
})

test('add returns its arguments, the same objects', (t) => {
  const grp = group()
  const a = nop()
  const b = Promise.resolve(1)
  const inner = group()
  const out = grp.add(a, b, inner)
  t.deepEqual(out, [a, b, inner])
  t.is(out[0], a)
  t.is(out[2], inner)
  t.deepEqual(grp.add(), [])
})

test('add accepts thenables, and a thenable whose then throws is a failing member', async (t) => {
  const grp = group()
  grp.add({ then: (ok) => setTimeout(() => ok(1), 5) })
  await grp
  const boom = new Error('then threw')
  const bad = group()
  bad.add({
    then() {
      throw boom
    },
  })
  t.is(await t.throwsAsync(bad), boom)
})

test('add rejects non-thenables with ERR_INVALID_ARG_TYPE, adding none of the arguments', async (t) => {
  const grp = group()
  const never = new Promise(() => {})
  for (const bad of [42, 'x', null, undefined, {}, { then: 1 }]) {
    t.throws(() => grp.add(never, bad), { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' })
  }
  // `never` was not added: the group finishes.
  t.is(await grp, undefined)
})

test('a group cannot contain itself, directly or through nesting', (t) => {
  const a = group()
  const b = group()
  const c = group()
  t.throws(() => a.add(a), { code: 'ERR_INVALID_ARG_VALUE' })
  a.add(b)
  b.add(c)
  t.throws(() => c.add(a), { code: 'ERR_INVALID_ARG_VALUE' })
  t.throws(() => b.add(a), { code: 'ERR_INVALID_ARG_VALUE' })
  a.cancel()
})

test('adding to a finished group throws ERR_INVALID_STATE; a request joining it is not submitted', async (t) => {
  const dir = tmpdir(t)
  const grp = group()
  grp.add(nop())
  await grp
  t.throws(() => grp.add(nop()), { code: 'ERR_INVALID_STATE' })
  t.throws(() => grp.add(), { code: 'ERR_INVALID_STATE' })
  t.throws(() => grp.feed(() => {}), { code: 'ERR_INVALID_STATE' })
  const file = path.join(dir, 'never')
  await rejectsWith(t, open(file, 'wx', 0o644, { group: grp }), { code: 'ERR_INVALID_STATE' })
  t.false(fs.existsSync(file), 'nothing was submitted')
})

test('bad options throw Node errors', (t) => {
  const type = { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' }
  const range = { code: 'ERR_OUT_OF_RANGE', name: 'RangeError' }
  t.throws(() => group(1), type)
  t.throws(() => group('x'), type)
  t.throws(() => group({ limit: '2' }), type)
  t.throws(() => group({ limit: -1 }), range)
  t.throws(() => group({ limit: 1.5 }), range)
  t.throws(() => group({ feed: 1 }), type)
  t.throws(() => group({ signal: {} }), type)
  t.throws(() => group({ priority: '1' }), type)
  t.throws(() => group({ priority: 5 }), range)
  t.throws(() => group({ priority: -5 }), range)
  t.throws(() => group({ priority: 0.5 }), range)
  const grp = group()
  t.throws(() => (grp.limit = -1), range)
  t.throws(() => (grp.limit = 'x'), type)
  t.throws(() => grp.feed('x'), type)
  t.is(group({ priority: -4 }).priority, -4)
  t.is(group().priority, 0)
  t.is(group().limit, 0)
  t.is(group(null).limit, 0, 'null options, as requests take them')
})

// ------------------------------------------------------------------------ outcome

test('a feeder that handles each member error itself gets a group that fulfils (the README example)', async (t) => {
  const dir = tmpdir(t)
  const files = ['a', 'missing-1', 'b', 'missing-2'].map((name) => path.join(dir, name))
  for (const name of ['a', 'b']) fs.writeFileSync(path.join(dir, name), name)
  const sizes = new Map()
  const failed = []
  const grp = group({
    limit: 2,
    feed: (g) => {
      const file = files.pop()
      if (file === undefined) return
      stat(file, { group: g }).then((st) => sizes.set(file, st.size), (err) => failed.push(err))
    },
  })
  t.is(await grp, undefined)
  t.is(sizes.size, 2)
  t.deepEqual(failed.map((e) => e.code), ['ENOENT', 'ENOENT'])
})

test('every way of taking a member hands its error to the caller: catch, await, Promise.allSettled, finally', async (t) => {
  const missing = '/nonexistent/eio-group'
  const grp = group()
  const caught = stat(missing, { group: grp }).catch((err) => err.code)
  const awaited = (async () => {
    try {
      await stat(missing, { group: grp })
    } catch (err) {
      return err.code
    }
  })()
  const settled = Promise.allSettled([stat(missing, { group: grp })])
  const finalized = stat(missing, { group: grp })
    .finally(() => {})
    .catch((err) => err.code)
  t.is(await grp, undefined)
  t.is(await caught, 'ENOENT')
  t.is(await awaited, 'ENOENT')
  t.is((await settled)[0].reason.code, 'ENOENT')
  t.is(await finalized, 'ENOENT')
})

test('an error nobody took still rejects the group, even after taken ones failed', async (t) => {
  const grp = group()
  const taken = stat('/nonexistent/taken', { group: grp }).catch(() => 'handled')
  await taken
  const untaken = stat('/nonexistent/untaken', { group: grp })
  stat('/nonexistent/taken-too', { group: grp }).then(
    () => {},
    () => {},
  )
  const err = await rejectsWith(t, grp, { code: 'ENOENT' })
  t.is(err.path, '/nonexistent/untaken')
  await rejectsWith(t, untaken, { code: 'ENOENT' })
})

test('an aborted signal at the call: the AbortError is the caller\'s if taken, else the group\'s', async (t) => {
  const g1 = group()
  stat('/', { group: g1, signal: AbortSignal.abort() }).catch(() => {})
  t.is(await g1, undefined)
  const g2 = group()
  stat('/', { group: g2, signal: AbortSignal.abort() })
  await rejectsWith(t, g2, ABORT)
})

test('a nested group the caller awaits hands its error to the caller, not to the outer group', async (t) => {
  const outer = group()
  const inner = group()
  outer.add(inner)
  stat('/nonexistent/eio-group', { group: inner })
  const [innerErr] = await Promise.all([rejectsWith(t, inner, { code: 'ENOENT' }), outer])
  t.is(innerErr.code, 'ENOENT')
})

test('plain promises added to a group count as not taken', async (t) => {
  const grp = group()
  const plain = Promise.reject(new Error('plain'))
  plain.catch(() => {})
  grp.add(plain)
  t.is((await t.throwsAsync(grp)).message, 'plain')
})

test('a rejecting group nobody awaits is an unhandled rejection; a cancelled one is not', (t) => {
  const r = runNode(`
    import { group, stat, busy } from ${JSON.stringify(ENTRY)}
    const unhandled = []
    process.on('unhandledRejection', (reason) => unhandled.push(reason.code ?? reason.message))
    stat('/nonexistent/eio-group', { group: group() })
    group({ feed: () => { throw new Error('feeder') } })
    const cancelled = group()
    busy(0.01, { group: cancelled }).catch(() => {})
    cancelled.cancel()
    const taken = group()
    stat('/nonexistent/eio-group', { group: taken }).catch(() => {})
    setTimeout(() => console.log(JSON.stringify(unhandled.sort())), 200)
  `)
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), ['ENOENT', 'feeder'])
})

// ------------------------------------------------------------- groups as requests

test.serial('an empty group is one request until it has settled (t/06)', async (t) => {
  await flush()
  t.is(nreqs(), 0)
  const grp = group()
  t.is(nreqs(), 1)
  const member = busy(0.01, { group: grp })
  t.is(nreqs(), 2, 'the group and its member')
  await member
  await grp
  t.is(nreqs(), 0)
  const cancelled = group()
  t.is(nreqs(), 1)
  cancelled.cancel()
  t.is(nreqs(), 0, 'a cancelled group has settled')
})

test.serial('flush() waits for groups, and for what settling groups start', async (t) => {
  const gate = deferred()
  const grp = group()
  grp.add(gate.promise)
  const grpState = track(grp)
  let flushed = false
  const flushing = flush().then(() => (flushed = true))
  await turns(5)
  t.false(flushed, 'a group with an outstanding member holds flush()')
  // The member's continuation starts a request once the group could have finished.
  let late
  gate.promise.then(() => setImmediate(() => (late = track(busy(0.02)))))
  gate.resolve()
  await flushing
  t.true(grpState.settled, 'flush() fulfilled after the group settled')
  t.true(late.settled, 'and after the request its continuation made')
  t.is(nreqs(), 0)
})


test('result() decides the value, even over failing members (t/06)', async (t) => {
  const grp = group()
  grp.result([1, 2, 3])
  grp.add(stat('/nonexistent/eio-group'), nop())
  t.deepEqual(await grp, [1, 2, 3])
})

test('a member cancelled through its own signal does not stop the group (t/06)', async (t) => {
  const grp = group()
  grp.result([1, 2, 3])
  const ac = new AbortController()
  const [a, b] = grp.add(stat('/nonexistent/2'), stat('/nonexistent/3', { signal: ac.signal }))
  ac.abort()
  t.deepEqual(await grp, [1, 2, 3])
  await rejectsWith(t, a, { code: 'ENOENT' })
  await rejectsWith(t, b, ABORT)
})

test('result() with no value clears an earlier result (t/06)', async (t) => {
  const grp = group()
  grp.result([4, 5, 6])
  grp.result()
  nop({ group: grp })
  t.is(await grp, undefined)
})

test('error() decides the rejection; the last of result()/error() wins', async (t) => {
  const e = new Error('decided')
  const g1 = group()
  g1.add(nop())
  g1.error(e)
  t.is(await t.throwsAsync(g1), e)

  const g2 = group()
  g2.error(e)
  g2.result('after all')
  g2.add(stat('/nonexistent/eio-group'))
  t.is(await g2, 'after all')

  const g3 = group()
  g3.result('no')
  g3.error(e)
  t.is(await t.throwsAsync(g3), e)
})

test('result()/error() after the group settled are ignored', async (t) => {
  const grp = group()
  grp.result(1)
  await grp
  grp.result(2)
  grp.error(new Error('late'))
  t.is(await grp, 1)
})

test('undecided, the group rejects with the first error to occur, after every member settled', async (t) => {
  const grp = group()
  const first = deferred()
  const second = deferred()
  grp.add(second.promise, first.promise)
  const slow = track(busy(0.03, { group: grp }))
  const e1 = new Error('first')
  first.reject(e1)
  await Promise.resolve()
  second.reject(new Error('second'))
  const err = await t.throwsAsync(grp)
  t.is(err, e1)
  t.true(slow.settled, 'after the slow member')
})

test('members of different kinds: an eio failure carries its fs error shape', async (t) => {
  const grp = group()
  stat('/nonexistent/eio-group', { group: grp })
  nop({ group: grp })
  await rejectsWith(t, grp, { code: 'ENOENT', syscall: 'stat', errno: -2 })
})

test('then/catch/finally behave as a promise', async (t) => {
  const g1 = group()
  g1.result(7)
  t.is(await g1.then((v) => v * 2), 14)
  let ran = false
  t.is(
    await g1.finally(() => {
      ran = true
    }),
    7,
  )
  t.true(ran)
  const g2 = group()
  stat('/nonexistent/eio-group', { group: g2 })
  t.is((await g2.catch((e) => e)).code, 'ENOENT')
  t.deepEqual(await Promise.all([group(), Promise.resolve(1)]), [undefined, 1])
})

// ----------------------------------------------- adding from members' continuations

test('member continuations may add more members (IO::AIO member callbacks)', async (t) => {
  const grp = group()
  const seen = []
  stat('/', { group: grp }).then(() => {
    seen.push('stat')
    nop({ group: grp }).then(() => seen.push('nop'))
  })
  ;(async () => {
    await busy(0.005, { group: grp })
    await Promise.resolve()
    seen.push('busy')
    nop({ group: grp }).then(() => seen.push('nop2'))
  })()
  await grp
  t.deepEqual(seen.sort(), ['busy', 'nop', 'nop2', 'stat'])
})

// ------------------------------------------------------------------ feeder and limit

test('feeder: limit 5 calls it 5 times synchronously, 10 items all complete (t/07)', async (t) => {
  const grp = group({ limit: 5 })
  t.is(grp.limit, 5)
  let fed = 0
  let done = 0
  grp.feed((g) => {
    t.is(g, grp)
    if (fed >= 10) return
    fed++
    // IO::AIO raised aioreq_pri up to 10 (clamped); eio's range ends at PRI_MAX.
    busy(0, { group: g, priority: Math.min(fed, constants.PRI_MAX) }).then(() => done++)
  })
  t.is(fed, 5)
  t.is(done, 0)
  await grp
  t.is(fed, 10)
  t.is(done, 10)
})

test('feeder: peak concurrency equals limit', async (t) => {
  for (const limit of [1, 3, 8]) {
    let fed = 0
    let inFlight = 0
    let peak = 0
    await group({
      limit,
      feed: (g) => {
        if (fed === 40) return
        fed++
        inFlight++
        peak = Math.max(peak, inFlight)
        busy(0.001, { group: g }).then(() => inFlight--)
      },
    })
    t.is(fed, 40)
    t.is(peak, limit, `limit ${limit}`)
  }
})

test('feeder: a call that adds nothing removes it', async (t) => {
  let calls = 0
  const items = ['/', '/tmp', '/dev']
  const grp = group({
    limit: 2,
    feed: (g) => {
      calls++
      const p = items.pop()
      if (p !== undefined) stat(p, { group: g })
    },
  })
  await grp
  t.is(calls, 4, 'three adds, then the call that removed it')
})

test('feeder: setting one bumps limit 0 to 2, and keeps another limit', async (t) => {
  const g1 = group()
  let n1 = 0
  g1.feed((g) => n1++ < 5 && nop({ group: g }))
  t.is(g1.limit, 2)
  t.is(n1, 2)
  const g2 = group({ limit: 3 })
  let n2 = 0
  g2.feed((g) => n2++ < 5 && nop({ group: g }))
  t.is(g2.limit, 3)
  t.is(n2, 3)
  await Promise.all([g1, g2])
  t.is(n1, 6)
  t.is(n2, 6)
})

test('limit: raising it feeds at once; 0 pauses, and the group still finishes with items unfed', async (t) => {
  let fed = 0
  const grp = group({ limit: 1, feed: (g) => fed < 100 && (fed++, nop({ group: g })) })
  t.is(fed, 1)
  grp.limit = 4
  t.is(fed, 4)
  grp.limit = 0
  await grp
  t.is(fed, 4, 'IO::AIO drops the unfed items')
})

test('limit: paused feeding resumes when raised before the members drain', async (t) => {
  let fed = 0
  const grp = group({
    limit: 2,
    feed: (g) => {
      if (fed === 6) return
      fed++
      const member = nop({ group: g })
      // The first member's continuation raises the limit again, before the group sees it settle.
      if (fed === 1) member.then(() => (grp.limit = 2))
    },
  })
  grp.limit = 0
  t.is(fed, 2)
  await grp
  t.is(fed, 6)
})

test('feeder: a feeder may replace itself', async (t) => {
  const order = []
  const second = (g) => {
    if (order.length >= 4) return
    order.push('second')
    nop({ group: g })
  }
  const grp = group({
    feed: (g) => {
      order.push('first')
      g.feed(second)
    },
  })
  await grp
  t.deepEqual(order, ['first', 'second', 'second', 'second'])
})

test('feeder: an exception removes it and the group rejects with it once members settled', async (t) => {
  const boom = new Error('feeder failed')
  let calls = 0
  let slow
  const grp = group({
    limit: 1,
    feed: (g) => {
      calls++
      if (calls === 1) slow = track(busy(0.02, { group: g }))
      else throw boom
    },
  })
  grp.result('ignored: the exception wins')
  t.is(await t.throwsAsync(grp), boom)
  t.is(calls, 2)
  t.true(slow.settled)
  // Thrown while group() itself feeds: group() does not throw.
  const g2 = group({
    feed: () => {
      throw boom
    },
  })
  t.is(await t.throwsAsync(g2), boom)
})

// Serial: the child runs synchronously and would stall the tests around it.
test.serial('feeder: one million fed nop requests with limit 64 hold memory for 64 members', async (t) => {
  const src = `
    import { group, nop } from ${JSON.stringify(ENTRY)}
    const N = 1_000_000, LIMIT = 64
    const heap = () => { global.gc(); return process.memoryUsage().heapUsed }
    let fed = 0, done = 0, live = 0, peak = 0
    const growth = []
    const base = heap()
    await group({ limit: LIMIT, feed: (g) => {
      if (fed === N) return
      fed++; live++; if (live > peak) peak = live
      nop({ group: g }).then(() => { live--; done++; if (done % 250_000 === 0) growth.push(heap() - base) })
    } })
    growth.push(heap() - base)
    console.log(JSON.stringify({ fed, done, peak, growth }))
  `
  const r = runNode(src, { args: ['--expose-gc'], timeout: 110_000 })
  t.is(r.status, 0, r.stderr)
  const { fed, done, peak, growth } = JSON.parse(r.stdout)
  t.is(fed, 1_000_000)
  t.is(done, 1_000_000)
  t.is(peak, 64)
  // Keeping every settled member would cost hundreds of bytes each: ~90 MB at 250,000.
  for (const bytes of growth) t.true(bytes < 16 * 2 ** 20, `heap grew ${bytes} bytes`)
})

// -------------------------------------------------------------------- cancellation

test('cancel(): the group rejects with an AbortError at once; members reject with AbortError', async (t) => {
  const grp = group()
  const running = busy(0.5, { group: grp })
  await nop() // FIFO: `running` has left the queue once this completes
  const queued = Array.from({ length: 20 }, () => nop({ group: grp }))
  const reason = new Error('stop')
  grp.cancel(reason)
  const err = await rejectsWith(t, grp, ABORT)
  t.is(err.cause, reason)
  // Neither the group nor its running member waits for the member's thread (busy 0.5 s):
  // an abort rejects a running request at once (engine.spec.mjs tests that).
  t.true(grp.signal.aborted)
  t.is(grp.signal.reason, reason)
  for (const p of queued) await rejectsWith(t, p, ABORT)
  const runErr = await rejectsWith(t, running, ABORT)
  t.is(runErr.cause, reason)
})

test('cancel(): a cancelled group with a result set still rejects; members added later are cancelled (t/06)', async (t) => {
  const grp = group()
  grp.result([4, 5, 6])
  const member = stat('/nonexistent/1', { group: grp })
  grp.cancel()
  await rejectsWith(t, grp, ABORT)
  await rejectsWith(t, member, ABORT)
  t.is(grp.signal.reason.name, 'AbortError', "Node's default reason")
  // Late joiners are cancelled, not thrown at; a request is not even submitted.
  const dir = tmpdir(t)
  const file = path.join(dir, 'never')
  const [late] = grp.add(busy(0.5))
  await rejectsWith(t, late, ABORT)
  await rejectsWith(t, open(file, 'wx', 0o644, { group: grp }), ABORT)
  t.false(fs.existsSync(file))
  grp.feed(() => t.fail('a cancelled group is not fed'))
})

test('cancel() after the group settled is a no-op', async (t) => {
  const grp = group()
  grp.result('done')
  await grp
  grp.cancel()
  t.false(grp.signal.aborted)
  t.is(await grp, 'done')
})

test('cancel() stops the feeder', async (t) => {
  let fed = 0
  const grp = group({ limit: 4, feed: (g) => (fed++, busy(0.01, { group: g })) })
  grp.cancel()
  await rejectsWith(t, grp, ABORT)
  await turns()
  t.is(fed, 4)
})

test('the signal option cancels the group; an aborted one cancels it at once', async (t) => {
  const ac = new AbortController()
  const grp = group({ signal: ac.signal })
  const member = busy(0.2, { group: grp })
  ac.abort('why')
  const err = await rejectsWith(t, grp, ABORT)
  t.is(err.cause, 'why')
  t.is(grp.signal.reason, 'why')
  await rejectsWith(t, member, ABORT)

  let fed = 0
  const pre = group({ signal: AbortSignal.abort('early'), feed: () => fed++ })
  t.is(fed, 0)
  t.true(pre.signal.aborted)
  t.is((await rejectsWith(t, pre, ABORT)).cause, 'early')
})

test('the signal option has no effect once the group finished', async (t) => {
  const ac = new AbortController()
  const grp = group({ signal: ac.signal })
  nop({ group: grp })
  await grp
  ac.abort()
  t.false(grp.signal.aborted)
  t.is(await grp, undefined)
})

test('cancelSubs(): members and feeder cancelled, the group settles normally', async (t) => {
  let fed = 0
  const grp = group({
    limit: 3,
    feed: (g) => {
      fed++
      busy(0.2, { group: g })
    },
  })
  const members = grp.add(stat('/nonexistent/eio-group'), busy(0.2))
  grp.cancelSubs()
  grp.result('early')
  // A member added now is cancelled on arrival.
  const [late] = grp.add(busy(0.2))
  t.is(await grp, 'early')
  t.false(grp.signal.aborted, 'the group itself was not cancelled')
  t.is(fed, 3)
  await rejectsWith(t, late, ABORT)
  await rejectsWith(t, members[1], ABORT)
  await turns()
  t.is(fed, 3, 'the feeder is gone')
})

test('cancelSubs(): cancelled members do not count as errors', async (t) => {
  const grp = group()
  busy(0.2, { group: grp })
  busy(0.2, { group: grp })
  grp.cancelSubs()
  t.is(await grp, undefined)
})

// ------------------------------------------------------------------------- nesting

test('nested groups: the outer waits for the inner members and takes their error', async (t) => {
  const outer = group()
  const inner = group()
  outer.add(inner)
  const slow = track(busy(0.02, { group: inner }))
  stat('/nonexistent/eio-group', { group: inner })
  await rejectsWith(t, outer, { code: 'ENOENT' })
  t.true(slow.settled)
})

test('nested groups: cancel() recurses into every level', async (t) => {
  const outer = group()
  const middle = group()
  const inner = group()
  outer.add(middle)
  middle.add(inner)
  const members = [busy(0.3, { group: inner }), nop({ group: middle }), busy(0.3, { group: outer })]
  outer.cancel('all')
  for (const g of [outer, middle, inner]) {
    t.true(g.signal.aborted)
    t.is((await rejectsWith(t, g, ABORT)).cause, 'all')
  }
  for (const m of members) await rejectsWith(t, m, ABORT)
})

test('nested groups: cancelling an inner group directly counts as its failure in the outer', async (t) => {
  const outer = group()
  const inner = group()
  outer.add(inner)
  nop({ group: outer })
  inner.cancel()
  await rejectsWith(t, outer, ABORT)
  t.false(outer.signal.aborted)
})

test('priority: requests joining a group get its priority unless they name one', async (t) => {
  const src = `
    import { busy, configure, group, nop } from ${JSON.stringify(ENTRY)}
    configure({ maxParallel: 0 })
    const order = []
    const tag = (name) => () => order.push(name)
    const grp = group({ priority: 3 })
    const all = [
      nop().then(tag('plain')),
      nop({ group: grp }).then(tag('group')),
      nop({ group: grp, priority: -2 }).then(tag('own')),
      nop({ priority: 4 }).then(tag('top')),
    ]
    configure({ maxParallel: 1 })
    await Promise.all([...all, grp])
    console.log(order.join(' '))
  `
  const r = runNode(src)
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout.trim(), 'top group plain own')
})

// ------------------------------------------------------------------------ disposal

test('Symbol.dispose cancels an unsettled group and leaves a settled one alone', async (t) => {
  const grp = group()
  const member = busy(0.2, { group: grp })
  grp[Symbol.dispose]()
  await rejectsWith(t, grp, ABORT)
  await rejectsWith(t, member, ABORT)

  const done = group()
  done.result(1)
  await done
  done[Symbol.dispose]()
  t.false(done.signal.aborted)
  t.is(await done, 1)
})

test('Symbol.asyncDispose cancels and waits until members, nested ones too, have stopped', async (t) => {
  const grp = group()
  const inner = group()
  grp.add(inner)
  const running = [busy(0.1, { group: grp }), busy(0.1, { group: inner })]
  await nop() // both busy requests have left the queue: they are running
  const states = running.map(track)
  const result = await grp[Symbol.asyncDispose]()
  t.is(result, undefined)
  t.true(states.every((s) => s.settled), 'nothing of the group still runs')
  await rejectsWith(t, grp, ABORT)
  // On a finished group: resolves at once, the outcome stays.
  const ok = group()
  ok.result('kept')
  await ok
  await ok[Symbol.asyncDispose]()
  t.is(await ok, 'kept')
})

test('a stat in a group that is cancelled at once never fulfils (no fast path for members)', async (t) => {
  const g = group()
  const p = stat(process.cwd(), { group: g })
  g.cancel()
  const err = await t.throwsAsync(p)
  t.is(err.name, 'AbortError')
  await t.throwsAsync(g)
})

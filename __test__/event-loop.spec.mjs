// Requests answered on the JS thread (cached stats, cached reads) never starve the event
// loop: a loop of `await stat(p)` lets timers, setImmediate and I/O completions run, as one
// of `await fs.promises.stat(p)` does. Each case runs in a child process of its own, so that
// nothing else is in flight (which would send every request to the pool anyway).

import fs from 'node:fs'
import path from 'node:path'

import test from 'ava'

import { ENTRY, runNode, tmpdir } from './helpers.mjs'

function child(t, body) {
  const r = runNode(`import * as eio from ${JSON.stringify(ENTRY)}\nimport fs from 'node:fs'\n${body}`, { timeout: 60_000 })
  t.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

/** A loop of one request after another until `stop` is set, at most `max` of them. */
const LOOP = `
async function loop(request, until, max) {
  let n = 0
  while (!until() && n < max) {
    await request()
    n++
  }
  return n
}`

test('a timer fires during a loop of serial stats', (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x')
  const out = child(
    t,
    `${LOOP}
     const p = ${JSON.stringify(f)}
     for (let i = 0; i < 100; i++) await eio.stat(p)
     let fired = false
     setTimeout(() => { fired = true }, 10)
     const n = await loop(() => eio.stat(p), () => fired, 200_000)
     console.log(JSON.stringify({ fired, n }))`,
  )
  // Without a bound, no timer ever fired here: 200,000 stats answered as microtasks.
  t.true(out.fired, `the timer fired (after ${out.n} stats)`)
})

test('setImmediate callbacks and I/O completions run during a loop of serial stats', (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'x')
  const out = child(
    t,
    `${LOOP}
     const p = ${JSON.stringify(f)}
     for (let i = 0; i < 100; i++) await eio.stat(p)
     let turns = 0
     let stop = false
     const tick = () => { turns++; if (!stop) setImmediate(tick) }
     setImmediate(tick)
     const n = await loop(() => eio.stat(p), () => false, 20_000)
     stop = true
     // An I/O completion of libuv's own pool arrives while eio's stats go on.
     let io = false
     fs.stat(p, () => { io = true })
     const m = await loop(() => eio.stat(p), () => io, 200_000)
     console.log(JSON.stringify({ n, turns, io, m }))`,
  )
  // The binding answers at most 256 requests per event-loop turn on the JS thread; the
  // next one goes through the pool, whose completion comes in a turn of its own.
  t.true(out.turns >= out.n / 257 / 2, `${out.turns} turns of the event loop during ${out.n} stats`)
  t.true(out.io, `the fs.stat callback ran (after ${out.m} stats)`)
})

test('a timer fires during a loop of serial cached reads', (t) => {
  const dir = tmpdir(t)
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, Buffer.alloc(1 << 20, 7))
  const out = child(
    t,
    `${LOOP}
     const fd = fs.openSync(${JSON.stringify(f)}, 'r')
     const buf = Buffer.alloc(4096)
     for (let i = 0; i < 100; i++) await eio.read(fd, 4096 * (i % 256), 4096, buf)
     let fired = false
     setTimeout(() => { fired = true }, 10)
     let i = 0
     const n = await loop(() => eio.read(fd, 4096 * (i++ % 256), 4096, buf), () => fired, 200_000)
     console.log(JSON.stringify({ fired, n, byte: buf[0] }))`,
  )
  t.true(out.fired, `the timer fired (after ${out.n} reads)`)
  t.is(out.byte, 7)
})

// eio in worker_threads: several environments at once each get their own completions,
// and a worker that ends (or is terminated) with requests queued, running or blocked
// leaves the rest of the process working, without a crash or a leaked fd.

import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, HELPERS, have, runNode, tmpdir } from './helpers.mjs'

/** Starts a worker running the ES module `source`, which may `import * as eio from EIO`. */
function startWorker(dir, name, source, workerData) {
  const file = path.join(dir, `${name}.mjs`)
  fs.writeFileSync(file, `import * as eio from ${JSON.stringify(ENTRY)}\n${source}`)
  return new Worker(file, { workerData })
}

/** What a worker posts, or its error. */
function result(worker) {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)))
  })
}

// A worker's share of real I/O: files written, read back, stat'ed and listed, checked
// against node:fs; any mismatch is reported.
const IO_WORKER = `
import fs from 'node:fs'
import path from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
const { dir, id, rounds } = workerData
const problems = []
const check = (ok, what) => { if (!ok) problems.push(what) }
let ops = 0
for (let r = 0; r < rounds; r++) {
  const sub = path.join(dir, 'w' + id + '-' + r)
  await eio.mkdir(sub)
  const names = []
  await Promise.all(Array.from({ length: 8 }, async (_, i) => {
    const p = path.join(sub, 'f' + i)
    const data = Buffer.from('worker ' + id + ' round ' + r + ' file ' + i + ' '.repeat(i * 100))
    const fd = await eio.open(p, 'w+')
    check(await eio.write(fd, 0, data.length, data) === data.length, 'write ' + p)
    const back = Buffer.alloc(data.length)
    check(await eio.read(fd, 0, data.length, back) === data.length, 'read ' + p)
    check(back.equals(data), 'content ' + p)
    const st = await eio.stat(fd)
    check(st.size === data.length && st.ino === fs.statSync(p).ino, 'fstat ' + p)
    await eio.close(fd)
    names.push('f' + i)
    ops += 5
  }))
  const listed = (await eio.readdir(sub)).sort()
  check(JSON.stringify(listed) === JSON.stringify(names.sort()), 'readdir ' + sub)
  await eio.rename(path.join(sub, 'f0'), path.join(sub, 'g0'))
  check((await eio.lstat(path.join(sub, 'g0'))).isFile(), 'rename ' + sub)
  const err = await eio.stat(path.join(sub, 'f0')).catch((e) => e)
  check(err.code === 'ENOENT' && err.path === path.join(sub, 'f0'), 'ENOENT ' + sub)
  for (const n of await eio.readdir(sub)) await eio.unlink(path.join(sub, n))
  await eio.rmdir(sub)
  check(!fs.existsSync(sub), 'rmdir ' + sub)
  ops += 14
}
await eio.flush()
parentPort.postMessage({ problems, ops, nreqs: eio.nreqs() })
`

test('four workers and the main thread do real I/O at once, each getting its own results', async (t) => {
  const dir = tmpdir(t)
  const rounds = 15
  const workers = Array.from({ length: 4 }, (_, id) => startWorker(dir, `io${id}`, IO_WORKER, { dir, id, rounds }))
  const answers = workers.map(result)
  const exits = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)))
  // Meanwhile, the main thread's own requests.
  const mine = []
  for (let i = 0; i < 200; i++) {
    const p = path.join(dir, `main${i}`)
    mine.push(
      eio.open(p, 'w').then(async (fd) => {
        await eio.write(fd, null, undefined, `main ${i}`)
        await eio.close(fd)
        return fs.readFileSync(p, 'utf8') === `main ${i}`
      }),
    )
  }
  t.true((await Promise.all(mine)).every(Boolean), 'the main thread\'s results')
  for (const [id, answer] of (await Promise.all(answers)).entries()) {
    t.deepEqual(answer.problems, [], `worker ${id}`)
    t.is(answer.ops, rounds * (8 * 5 + 14), `worker ${id} did all its operations`)
    t.is(answer.nreqs, 0)
  }
  t.deepEqual(await Promise.all(exits), [0, 0, 0, 0])
  t.is(eio.nreqs(), 0)
})

test('a worker that exits normally with requests in flight leaves them to nobody, harmlessly', async (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'f'), 'x')
  const w = startWorker(dir, 'leaver', `
    import { parentPort } from 'node:worker_threads'
    for (let i = 0; i < 2000; i++) eio.stat(${JSON.stringify(dir)})
    eio.busy(0.05)
    parentPort.postMessage('submitted')
    process.exit(0)
  `)
  const exited = new Promise((resolve) => w.once('exit', resolve))
  t.is(await result(w), 'submitted')
  t.is(await exited, 0)
  t.true((await eio.stat(path.join(dir, 'f'))).isFile(), 'the main thread still works')
})

// The termination tests run in a child process, so that a crash shows as a signal there
// instead of taking the test runner down.

// A worker that floods eio with requests of every kind, then (with `block`) blocks its
// thread so that nothing more is delivered to it.
const FLOOD_WORKER = `
import path from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
const { file, round, block, count = 3000 } = workerData
// Some rounds end while a chunked drain is between chunks.
if (round % 3 === 0) eio.configure({ maxPollReqs: 7 })
for (let i = 0; i < count; i++) {
  const kind = (i + round) % 5
  // Opens only while blocked: an fd delivered to this worker's JS is its own to leak.
  const p = kind === 0 ? (block ? eio.open(file) : eio.stat(file))
    : kind === 1 ? eio.stat(file)
    : kind === 2 ? eio.read(0, null, 0, Buffer.alloc(1))
    : kind === 3 ? eio.readdir(path.dirname(file))
    : eio.busy(0.0005)
  p.catch(() => {})
}
parentPort.postMessage('flooding')
if (block) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
`

/** The child's main: 50 rounds of starting four flooding workers and terminating them
 * mid-I/O; checks after each. */
function terminateRounds(dir, flood) {
  return `
import * as eio from ${JSON.stringify(ENTRY)}
import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
const file = path.join(${JSON.stringify(dir)}, 'f')
fs.writeFileSync(file, 'some data')
import { fdCount as fds } from ${JSON.stringify(HELPERS)}
// Node itself keeps an fd open once it has started a worker (with stdout a pipe): count
// from after the first round, which opens no files.
let baseline
for (let round = 0; round < 50; round++) {
  if (round === 1) baseline = fds()
  const workers = Array.from({ length: 4 }, (_, i) =>
    new Worker(${JSON.stringify(flood)}, {
      workerData: { file, round: round + i, block: (round + i) % 2 === 1, count: 1000 },
      execArgv: [],
    }))
  await Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })))
  // Terminate at various points of the flood.
  if (round % 4 === 2) await new Promise((r) => setImmediate(r))
  if (round % 4 === 3) await new Promise((r) => setTimeout(r, round % 7))
  await Promise.all(workers.map((worker) => worker.terminate()))
  // The main thread goes on working.
  const st = await eio.stat(file)
  if (st.size !== 9) throw new Error('main thread: wrong stat')
  const fd = await eio.open(file)
  const buf = Buffer.alloc(9)
  if ((await eio.read(fd, 0, 9, buf)) !== 9 || buf.toString() !== 'some data') throw new Error('main thread: wrong read')
  await eio.close(fd)
}
// Every fd the dead workers' requests opened is closed once the pool is done with them.
const start = Date.now()
while (fds() !== baseline) {
  if (Date.now() - start > 15000) throw new Error('fds leaked: ' + (fds() - baseline))
  await eio.busy(0.01)
}
console.log('ok', eio.nreqs())
`
}

test('terminating four flooding workers mid-I/O, 50 rounds: the main thread keeps working, no crash, no fd leak', (t) => {
  const dir = tmpdir(t)
  const flood = path.join(dir, 'flood.mjs')
  fs.writeFileSync(flood, `import * as eio from ${JSON.stringify(ENTRY)}\n${FLOOD_WORKER}`)
  const r = runNode(terminateRounds(dir, flood), { timeout: 180_000 })
  t.is(r.signal, null, r.stderr)
  t.is(r.stderr, '')
  t.is(r.stdout, 'ok 0\n')
  t.is(r.status, 0)
})

test('a worker terminated while its busy() and blocking open() run: no crash, fd closed', (t) => {
  if (!have('mkfifo')) return t.pass('no mkfifo')
  const dir = tmpdir(t)
  const r = runNode(`
    import * as eio from ${JSON.stringify(ENTRY)}
    import { execFileSync } from 'node:child_process'
    import fs from 'node:fs'
    import path from 'node:path'
    import { Worker } from 'node:worker_threads'
    const dir = ${JSON.stringify(dir)}
    const fifo = path.join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    import { fdCount as fds } from ${JSON.stringify(HELPERS)}
    eio.configure({ maxParallel: 4 })
    // Node itself keeps an fd open once it has started a worker (with stdout a pipe).
    const warmup = new Worker('process.exit(0)', { eval: true, execArgv: [] })
    await new Promise((resolve) => warmup.once('exit', resolve))
    const baseline = fds()
    const src = path.join(dir, 'w.mjs')
    fs.writeFileSync(src, \`
      import * as eio from ${JSON.stringify(JSON.stringify(ENTRY)).slice(1, -1)}
      import { parentPort } from 'node:worker_threads'
      const fifo = ${JSON.stringify(JSON.stringify(path.join(dir, 'fifo'))).slice(1, -1)}
      eio.open(fifo, 'r').then((fd) => eio.close(fd))
      for (let i = 0; i < 3; i++) eio.busy(0.3)
      for (let i = 0; i < 100; i++) eio.nop() // queued behind them
      while (eio.nready() > 100) await new Promise((r) => setTimeout(r, 1))
      parentPort.postMessage('running')
    \`)
    for (let round = 0; round < 3; round++) {
      const w = new Worker(src, { execArgv: [] })
      await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject) })
      await w.terminate()
      // Unblock the open: it completes into the dead environment, which closes the fd.
      let writer
      for (;;) {
        try { writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK); break }
        catch (e) { if (e.code !== 'ENXIO') throw e; await new Promise((r) => setTimeout(r, 1)) }
      }
      // The main thread's requests run once the busy ones end.
      await eio.stat(dir)
      await eio.busy(0.35)
      fs.closeSync(writer)
    }
    const start = Date.now()
    while (fds() !== baseline) {
      if (Date.now() - start > 15000) throw new Error('fds leaked: ' + (fds() - baseline))
      await eio.busy(0.01)
    }
    console.log('ok')
  `, { timeout: 60_000 })
  t.is(r.signal, null, r.stderr)
  t.is(r.stderr, '')
  t.is(r.stdout, 'ok\n')
  t.is(r.status, 0)
})

test('process.exit(0) in the main thread while workers flood eio: status 0, no crash', (t) => {
  const dir = tmpdir(t)
  const flood = path.join(dir, 'flood.mjs')
  fs.writeFileSync(flood, `import * as eio from ${JSON.stringify(ENTRY)}\n${FLOOD_WORKER}`)
  const file = path.join(dir, 'f')
  fs.writeFileSync(file, 'x')
  for (let round = 0; round < 4; round++) {
    const r = runNode(`
      import * as eio from ${JSON.stringify(ENTRY)}
      import { Worker } from 'node:worker_threads'
      const started = []
      for (let i = 0; i < 3; i++) {
        const w = new Worker(${JSON.stringify(flood)}, { workerData: { file: ${JSON.stringify(file)}, round: ${round} + i, block: i === 2 }, execArgv: [] })
        started.push(new Promise((resolve) => w.once('message', resolve)))
      }
      for (let i = 0; i < 5000; i++) eio.stat(${JSON.stringify(file)})
      await Promise.all(started)
      ${round % 2 === 0 ? '' : 'await new Promise((r) => setTimeout(r, 3))'}
      process.exit(0)
    `, { timeout: 30_000 })
    t.is(r.signal, null, `round ${round}: ${r.stderr}`)
    t.is(r.status, 0, `round ${round}: ${r.stderr}`)
    t.is(r.stderr, '', `round ${round}`)
  }
})

// Real faults, made on this machine: a full filesystem, an fd limit, a permission wall,
// a file size limit, a FIFO that blocks a worker, a panicking request. Each runs in a
// child process so that its limits and namespaces stay there.

import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'

import { ENTRY, ROOT, have, tmpdir } from '../helpers.mjs'

const isRoot = process.getuid?.() === 0

/** Runs `body` (an async ESM function body with `eio` and `fs` in scope) in a child
 * started through `wrapper` (a shell prefix such as `prlimit --nofile=64`); the child
 * prints JSON, which is returned. */
function child(t, body, { shell = 'exec', timeout = 60_000 } = {}) {
  const script = `
    import * as eio from ${JSON.stringify(ENTRY)}
    import fs from 'node:fs'
    const out = await (async () => { ${body} })()
    process.stdout.write(JSON.stringify(out ?? null))
  `
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755) // readable by a child that dropped its privileges
  const file = path.join(dir, 'child.mjs')
  fs.writeFileSync(file, script, { mode: 0o644 })
  const r = spawnSync('sh', ['-c', `${shell} "${process.execPath}" "${file}"`], { cwd: ROOT, encoding: 'utf8', timeout })
  if (r.status !== 0) t.log(r.stderr)
  t.is(r.status, 0, `child exited with ${r.status} (signal ${r.signal})`)
  return JSON.parse(r.stdout || 'null')
}

test('ENOSPC: a write into a full tmpfs rejects with ENOSPC and nothing is lost', (t) => {
  if (!isRoot || !have('unshare')) return t.pass('needs root and unshare')
  const dir = tmpdir(t)
  const mnt = path.join(dir, 'small')
  fs.mkdirSync(mnt)
  const out = child(
    t,
    `
    const fd = await eio.open(${JSON.stringify(mnt + '/f')}, 'w')
    const big = Buffer.alloc(1 << 20, 1)
    const results = []
    let written = 0
    for (let i = 0; i < 4; i++) {
      try { written += await eio.write(fd, null, undefined, big) } catch (e) { results.push([e.code, e.syscall, e.errno]) }
    }
    await eio.close(fd)
    return { results, written, size: fs.statSync(${JSON.stringify(mnt + '/f')}).size }
  `,
    { shell: `unshare -m --propagation private sh -c 'mount -t tmpfs -o size=512k none ${mnt} && exec "$0" "$1"'` },
  )
  t.true(out.results.length > 0, 'some write failed')
  t.deepEqual(out.results[0], ['ENOSPC', 'write', -28])
  t.is(out.size, out.written, 'the file holds exactly what was reported written')
})

test('EMFILE: opens fail with EMFILE at the fd limit and work again once fds are closed', (t) => {
  if (!have('prlimit')) return t.pass('needs prlimit')
  const out = child(
    t,
    `
    const settled = await Promise.allSettled(Array.from({ length: 100 }, () => eio.open('/dev/null', 'r')))
    const fds = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value)
    const codes = [...new Set(settled.filter((s) => s.status === 'rejected').map((s) => s.reason.code))]
    await Promise.all(fds.map((fd) => eio.close(fd)))
    const again = await eio.open('/dev/null', 'r')
    await eio.close(again)
    return { opened: fds.length, codes, again: typeof again }
  `,
    { shell: 'exec prlimit --nofile=64 --' },
  )
  t.true(out.opened > 0 && out.opened < 100)
  t.deepEqual(out.codes, ['EMFILE'])
  t.is(out.again, 'number')
})

test('EACCES: permission errors name the entry (as an unprivileged user)', (t) => {
  if (!isRoot || !have('setpriv')) return t.pass('needs root and setpriv')
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755)
  const secret = path.join(dir, 'secret')
  fs.writeFileSync(secret, 'x')
  fs.chmodSync(secret, 0o600)
  const locked = path.join(dir, 'locked')
  fs.mkdirSync(locked, 0o700)
  const out = child(
    t,
    `
    const grab = (p) => p.then(() => null, (e) => [e.code, e.syscall, e.path])
    return {
      open: await grab(eio.open(${JSON.stringify(secret)}, 'r')),
      stat: await grab(eio.stat(${JSON.stringify(locked + '/x')})),
      readdir: await grab(eio.readdir(${JSON.stringify(locked)})),
      mkdir: await grab(eio.mkdir(${JSON.stringify(locked + '/y')})),
    }
  `,
    { shell: 'exec setpriv --reuid=65534 --regid=65534 --clear-groups --' },
  )
  t.deepEqual(out.open, ['EACCES', 'open', secret])
  t.deepEqual(out.stat, ['EACCES', 'stat', locked + '/x'])
  t.deepEqual(out.readdir, ['EACCES', 'scandir', locked])
  t.deepEqual(out.mkdir, ['EACCES', 'mkdir', locked + '/y'])
})

test('EFBIG: a write past the file size limit rejects with EFBIG', (t) => {
  const file = path.join(tmpdir(t), 'f')
  const out = child(
    t,
    `
    const fd = await eio.open(${JSON.stringify(file)}, 'w')
    let code = null
    try { await eio.write(fd, 1 << 20, undefined, 'x') } catch (e) { code = [e.code, e.syscall] }
    await eio.close(fd)
    return code
  `,
    // SIGXFSZ ignored, so the limit shows as EFBIG instead of killing the process.
    { shell: "trap '' XFSZ; ulimit -f 64; exec" },
  )
  t.deepEqual(out, ['EFBIG', 'write'])
})

test('a FIFO open that blocks a worker does not stop other requests, nor the exit', (t) => {
  const dir = tmpdir(t)
  const fifo = path.join(dir, 'fifo')
  spawnSync('mkfifo', [fifo])
  const started = Date.now()
  const out = child(
    t,
    `
    const blocked = eio.open(${JSON.stringify(fifo)}, 'r')   // no writer: blocks its thread
    blocked.catch(() => {})
    const stats = await Promise.all(Array.from({ length: 200 }, () => eio.stat(${JSON.stringify(dir)})))
    await eio.nop()
    setImmediate(() => process.exit(0))
    return { stats: stats.length, nreqs: eio.nreqs() }
  `,
  )
  t.is(out.stats, 200)
  t.is(out.nreqs, 1, 'only the FIFO open is still outstanding')
  t.true(Date.now() - started < 30_000)
})

test('a request that panics rejects alone; the pool goes on', async (t) => {
  const { createRequire } = await import('node:module')
  const require = createRequire(import.meta.url)
  const binding = require(path.join(ROOT, 'binding.js'))
  const core = require(path.join(ROOT, 'lib/engine.js'))
  const eio = await import(ENTRY)
  const before = eio.nthreads()
  const panics = Array.from({ length: 20 }, () =>
    core.track(binding.testPanic(0), core.requestOptions(undefined), 1, 'test'),
  )
  for (const p of panics) {
    const err = await t.throwsAsync(p)
    t.is(err.code, 'ERR_INTERNAL_ASSERTION')
  }
  await eio.nop()
  t.true((await eio.stat(ROOT)).isDirectory())
  t.true(eio.nthreads() >= Math.min(before, 1))
  t.is(eio.nreqs(), 0)
})

// Working directories: wd(), the Wd class, CWD, and paths relative to them.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { HELPERS, fdCount, have, linuxCalls, procfs, rejectsWith, runNode, tmpdir } from './helpers.mjs'

// Linux's values, as /proc/self/fdinfo shows them.
const O_PATH = 0o10000000
const O_CLOEXEC = 0o2000000
const O_DIRECTORY = 0o200000
const O_ACCMODE = 0o3

/** fd number → what it points to, for this process's open fds. */
function openFds() {
  const m = new Map()
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      m.set(fd, fs.readlinkSync(`/proc/self/fd/${fd}`))
    } catch {} // the directory listing's own fd, closed by now
  }
  return m
}

test.serial('wd opens a directory O_PATH|O_DIRECTORY|O_CLOEXEC; close releases the fd, once', async (t) => {
  const dir = fs.realpathSync(tmpdir(t))
  // Where /proc is missing (darwin, FreeBSD) only the number of fds can be seen.
  const n = fdCount()
  const before = procfs ? openFds() : null
  const w = await eio.wd(dir)
  t.is(fdCount(), n + 1)
  let fd
  if (procfs) {
    const added = [...openFds()].filter(([fd]) => !before.has(fd))
    t.is(added.length, 1)
    let target
    ;[fd, target] = added[0]
    t.is(target, dir)
    const flags = parseInt(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^flags:\s*(\d+)/m)[1], 8)
    // Without O_PATH (the portable code) the directory is opened read-only.
    const want = linuxCalls ? O_PATH | O_CLOEXEC | O_DIRECTORY : O_CLOEXEC | O_DIRECTORY | fs.constants.O_RDONLY
    t.is(flags & (O_PATH | O_CLOEXEC | O_DIRECTORY | O_ACCMODE), want)
  }
  t.true(w instanceof eio.Wd)
  t.is(w.path, dir)
  t.false(w.closed)
  w.close()
  t.true(w.closed)
  t.is(fdCount(), n)
  if (procfs) t.false(fs.existsSync(`/proc/self/fd/${fd}`) && fs.readlinkSync(`/proc/self/fd/${fd}`) === dir)
  w.close() // idempotent
  t.true(w.closed)
})

test.serial('Symbol.dispose closes a Wd', async (t) => {
  const dir = tmpdir(t)
  const n = fdCount()
  const w = await eio.wd(dir)
  t.is(fdCount(), n + 1)
  w[Symbol.dispose]()
  t.is(fdCount(), n)
  t.true(w.closed)
})

test('wd resolves symlinks: path is the canonical path', async (t) => {
  const dir = fs.realpathSync(tmpdir(t))
  fs.mkdirSync(path.join(dir, 'real'))
  fs.symlinkSync('real', path.join(dir, 'link'))
  const w = await eio.wd(path.join(dir, 'link/../link/.'))
  t.teardown(() => w.close())
  t.is(w.path, path.join(dir, 'real'))
  const inner = await eio.wd([w, '..'])
  t.teardown(() => inner.close())
  t.is(inner.path, dir)
})

test('stat(wd) stats the directory; open([wd, name]) opens in it', async (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'f'), 'hello')
  const w = await eio.wd(dir)
  t.teardown(() => w.close())
  const st = await eio.stat(w)
  t.true(st.isDirectory())
  t.is(st.ino, fs.statSync(dir).ino)
  const fd = await eio.open([w, 'f'], 'r')
  t.teardown(() => fs.closeSync(fd))
  t.is(fs.readFileSync(fd, 'utf8'), 'hello')
  t.deepEqual((await eio.readdir(w)).sort(), ['f'])
  // An absolute path in the pair ignores the Wd.
  t.is((await eio.stat([w, dir])).ino, st.ino)
})

test('a Wd follows its directory when it is renamed; path keeps the old name', async (t) => {
  const dir = fs.realpathSync(tmpdir(t))
  fs.mkdirSync(path.join(dir, 'old'))
  fs.writeFileSync(path.join(dir, 'old/f'), 'x')
  const w = await eio.wd(path.join(dir, 'old'))
  t.teardown(() => w.close())
  fs.renameSync(path.join(dir, 'old'), path.join(dir, 'new'))
  t.is(w.path, path.join(dir, 'old'))
  t.is(await eio.realpath(w), path.join(dir, 'new'))
  t.is((await eio.stat([w, 'f'])).size, 1)
  await eio.mkdir([w, 'sub'])
  t.true(fs.statSync(path.join(dir, 'new/sub')).isDirectory())
})

test('rmdir, rename and unlink of a Wd act on "." and fail as the kernel does', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'd'))
  const w = await eio.wd(path.join(dir, 'd'))
  t.teardown(() => w.close())
  await rejectsWith(t, eio.rmdir(w), { code: 'EINVAL', syscall: 'rmdir' })
  await rejectsWith(t, eio.rmdir([w, '.']), { code: 'EINVAL', syscall: 'rmdir' })
  await rejectsWith(t, eio.rename(w, path.join(dir, 'e')), { code: 'EBUSY', syscall: 'rename' })
  await rejectsWith(t, eio.unlink(w), { code: 'EISDIR', syscall: 'unlink' })
  t.true(fs.statSync(path.join(dir, 'd')).isDirectory())
  t.false(fs.existsSync(path.join(dir, 'e')))
  // The parent's name for it works.
  await eio.rmdir(w.path)
  t.false(fs.existsSync(path.join(dir, 'd')))
})

test('a closed Wd rejects with EBADF, and requests in flight keep the directory', async (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'f'), '')
  const w = await eio.wd(dir)
  const inFlight = eio.stat([w, 'f'])
  w.close()
  t.true((await inFlight).isFile())
  await rejectsWith(t, eio.stat([w, 'f']), { code: 'EBADF' })
  await rejectsWith(t, eio.stat(w), { code: 'EBADF' })
})

test('wd errors: ENOTDIR, ENOENT, bad arguments', async (t) => {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'f'), '')
  fs.symlinkSync('f', path.join(dir, 'lf'))
  await rejectsWith(t, eio.wd(path.join(dir, 'f')), { code: 'ENOTDIR', syscall: 'open', path: path.join(dir, 'f') })
  await rejectsWith(t, eio.wd(path.join(dir, 'lf')), { code: 'ENOTDIR' })
  await rejectsWith(t, eio.wd(path.join(dir, 'none')), { code: 'ENOENT', errno: -2, syscall: 'open' })
  await rejectsWith(t, eio.wd(''), { code: 'ENOENT' })
  await rejectsWith(t, eio.wd([null, 'x']), { code: 'ENOENT' })
  await rejectsWith(t, eio.wd(42), { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' })
  await rejectsWith(t, eio.wd('a\0b'), { code: 'ERR_INVALID_ARG_VALUE' })
  await rejectsWith(t, eio.wd([{}, 'x']), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.wd([eio.CWD]), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.wd(dir, { priority: 9 }), { code: 'ERR_OUT_OF_RANGE' })
})

test('wd: lookups through a Wd need search permission, listing needs read permission (as an unprivileged user)', (t) => {
  if (process.getuid() !== 0 || !have('setpriv')) return t.pass('needs root and setpriv')
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755)
  fs.mkdirSync(path.join(dir, 'xonly'), 0o711)
  fs.writeFileSync(path.join(dir, 'xonly/f'), 'x')
  fs.mkdirSync(path.join(dir, 'locked'), 0o700)
  const src = `
    import * as eio from ${JSON.stringify(path.resolve('index.js'))}
    const wd = (p) => eio.wd(p).catch((e) => [e.code, e.syscall])
    const w = await wd(${JSON.stringify(path.join(dir, 'xonly'))})
    const xonly = Array.isArray(w) ? w : { size: (await eio.stat([w, 'f'])).size, list: await eio.readdir(w).catch((e) => e.code) }
    // O_PATH needs no permission on the directory itself; lookups through it do.
    const l = await wd(${JSON.stringify(path.join(dir, 'locked'))})
    const locked = Array.isArray(l) ? l : await eio.stat([l, 'x']).catch((e) => [e.code, e.syscall])
    console.log(JSON.stringify({ xonly, locked }))`
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '--input-type=module', '-e', src],
    { encoding: 'utf8', timeout: 30_000 },
  )
  t.is(r.status, 0, r.stderr)
  // Without O_PATH (the portable code) a Wd is a directory opened for reading: it needs
  // read permission itself, as IO::AIO's aio_wd does off Linux.
  const want = linuxCalls
    ? { xonly: { size: 1, list: 'EACCES' }, locked: ['EACCES', 'stat'] }
    : { xonly: ['EACCES', 'open'], locked: ['EACCES', 'open'] }
  t.deepEqual(JSON.parse(r.stdout), want)
})

test('wd never returns fd 0', async (t) => {
  const dir = tmpdir(t)
  const r = runNode(`
    import fs from 'node:fs'
    import * as eio from ${JSON.stringify(path.resolve('index.js'))}
    fs.closeSync(0)
    const w = await eio.wd(${JSON.stringify(dir)})
    let zero = null // what fd 0 is, if anything is open there
    try { zero = fs.fstatSync(0).isDirectory() ? 'a directory' : 'a file' } catch {}
    console.log(JSON.stringify({ zero, path: w.path, dir: (await eio.stat(w)).isDirectory() }))
  `)
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), { zero: null, path: fs.realpathSync(dir), dir: true })
})

test('a Wd that is garbage-collected closes its fd', async (t) => {
  const dir = tmpdir(t)
  const r = runNode(
    `
    import fs from 'node:fs'
    import { setImmediate as tick } from 'node:timers/promises'
    import * as eio from ${JSON.stringify(path.resolve('index.js'))}
    import { fdCount as count } from ${JSON.stringify(HELPERS)}
    const before = count()
    let wds = []
    for (let i = 0; i < 20; i++) wds.push(await eio.wd(${JSON.stringify(dir)}))
    const opened = count() - before
    wds = null
    let after = count()
    for (let i = 0; i < 50 && after > before; i++) {
      globalThis.gc()
      await tick()
      after = count()
    }
    console.log(JSON.stringify({ opened, leaked: after - before }))
  `,
    { args: ['--expose-gc'] },
  )
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), { opened: 20, leaked: 0 })
})

test.serial('an aborted wd request closes the fd it opened', async (t) => {
  const dir = tmpdir(t)
  const n = fdCount()
  const sleeper = new Int32Array(new SharedArrayBuffer(4))
  for (let i = 0; i < 10; i++) {
    const ac = new AbortController()
    const p = eio.wd(dir, { signal: ac.signal })
    await null // the request enters the pool when this job ends
    // Block the JS thread while a worker opens the directory, so that the abort comes
    // after the fd exists: the result must then be dropped, closing the fd.
    Atomics.wait(sleeper, 0, 0, 50)
    ac.abort()
    await rejectsWith(t, p, { name: 'AbortError', code: 'ABORT_ERR' })
  }
  await eio.flush() // the aborted requests' completions, which close their fds
  t.is(fdCount(), n)
})

// ---- CWD

test.serial('CWD is the Wd of the process cwd', async (t) => {
  t.true(eio.CWD instanceof eio.Wd)
  t.is(eio.CWD.path, process.cwd())
  t.is((await eio.stat(eio.CWD)).ino, fs.statSync('.').ino)
  t.is(await eio.realpath(eio.CWD), fs.realpathSync(process.cwd()))
  t.deepEqual((await eio.readdir([eio.CWD, '.'])).sort(), fs.readdirSync('.').sort())
  // It owns no fd: close does nothing and it stays usable.
  const n = fdCount()
  eio.CWD.close()
  t.false(eio.CWD.closed)
  t.is(fdCount(), n)
  t.true((await eio.stat(eio.CWD)).isDirectory())
})

test('CWD follows process.chdir, as IO::AIO::CWD (AT_FDCWD) does', async (t) => {
  const a = fs.realpathSync(tmpdir(t))
  const b = fs.realpathSync(tmpdir(t))
  fs.writeFileSync(path.join(a, 'only-in-a'), '')
  const r = runNode(`
    import * as eio from ${JSON.stringify(path.resolve('index.js'))}
    const out = []
    process.chdir(${JSON.stringify(a)})
    out.push(eio.CWD.path, await eio.realpath([eio.CWD, '.']), (await eio.stat([eio.CWD, 'only-in-a'])).isFile())
    const w = await eio.wd(eio.CWD) // a real fd on the cwd of now
    process.chdir(${JSON.stringify(b)})
    out.push(eio.CWD.path, await eio.realpath(eio.CWD), await eio.stat([eio.CWD, 'only-in-a']).catch((e) => e.code))
    out.push(w.path, (await eio.stat([w, 'only-in-a'])).isFile())
    console.log(JSON.stringify(out))
  `)
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), [a, a, true, b, b, 'ENOENT', a, true])
})

test('Wd names that are not UTF-8 work through Buffer paths', async (t) => {
  const dir = fs.realpathSync(tmpdir(t))
  const name = Buffer.from([0x64, 0xff, 0xfe])
  const full = Buffer.concat([Buffer.from(`${dir}/`), name])
  fs.mkdirSync(full)
  fs.writeFileSync(Buffer.concat([full, Buffer.from('/'), name]), 'z')
  const w = await eio.wd(full)
  t.teardown(() => w.close())
  t.is((await eio.stat([w, name])).size, 1)
  t.deepEqual(await eio.realpath(w, { encoding: 'buffer' }), full)
})

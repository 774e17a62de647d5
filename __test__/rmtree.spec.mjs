// rmtree: never follows a symlink (CVE-2022-21658), not even one swapped in while it runs;
// any depth; errors name the entry that failed.

import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, have, rejectsWith, tmpdir } from './helpers.mjs'

/** A victim directory outside the tree, with a file that must survive. */
function victim(dir) {
  const v = path.join(dir, 'victim')
  fs.mkdirSync(v)
  fs.writeFileSync(path.join(v, 'precious'), 'precious')
  return v
}

function intact(t, v, what) {
  t.is(fs.readFileSync(path.join(v, 'precious'), 'utf8'), 'precious', what)
}

test('rmtree removes a tree; symlinks inside pointing out are removed, not followed', async (t) => {
  const dir = tmpdir(t)
  const v = victim(dir)
  const tree = path.join(dir, 'tree')
  fs.mkdirSync(path.join(tree, 'a/b/c'), { recursive: true })
  fs.writeFileSync(path.join(tree, 'a/f'), 'x')
  fs.writeFileSync(path.join(tree, 'a/b/c/g'), 'x')
  fs.symlinkSync(v, path.join(tree, 'to-victim'))
  fs.symlinkSync(v, path.join(tree, 'a/b/to-victim'))
  fs.symlinkSync(path.join(v, 'precious'), path.join(tree, 'a/to-file'))
  fs.symlinkSync('..', path.join(tree, 'a/b/c/up'))
  fs.symlinkSync(dir, path.join(tree, 'a/to-parent'))
  spawnSync('mkfifo', [path.join(tree, 'fifo')])
  await eio.rmtree(tree)
  t.false(fs.existsSync(tree))
  intact(t, v, 'the victim survives')
  t.true(fs.existsSync(dir))
})

test('rmtree roots: a symlink is removed as a link, a file is ENOTDIR, a missing path ENOENT', async (t) => {
  const dir = tmpdir(t)
  const v = victim(dir)
  fs.symlinkSync(v, path.join(dir, 'link'))
  await eio.rmtree(path.join(dir, 'link'))
  t.false(fs.existsSync(path.join(dir, 'link')))
  intact(t, v, 'the link target survives')
  fs.writeFileSync(path.join(dir, 'file'), 'file')
  await rejectsWith(t, eio.rmtree(path.join(dir, 'file')), { code: 'ENOTDIR', path: path.join(dir, 'file') })
  t.is(fs.readFileSync(path.join(dir, 'file'), 'utf8'), 'file')
  await rejectsWith(t, eio.rmtree(path.join(dir, 'nope')), { code: 'ENOENT', errno: -2 })
  await rejectsWith(t, eio.rmtree(42), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.rmtree('a\u0000b'), { code: 'ERR_INVALID_ARG_VALUE' })
  fs.mkdirSync(path.join(dir, 'kept'))
  await rejectsWith(t, eio.rmtree(path.join(dir, 'kept'), { signal: AbortSignal.abort() }), { name: 'AbortError' })
  t.true(fs.existsSync(path.join(dir, 'kept')))
})

test('rmtree with a Buffer path and non-UTF-8 names', async (t) => {
  const dir = tmpdir(t)
  const tree = Buffer.from(path.join(dir, 'tree'))
  const odd = Buffer.concat([tree, Buffer.from('/'), Buffer.from([0xff, 0xfe])])
  fs.mkdirSync(tree)
  fs.mkdirSync(odd)
  fs.writeFileSync(Buffer.concat([odd, Buffer.from('/'), Buffer.from([0xc3])]), 'x')
  await eio.rmtree(tree)
  t.false(fs.existsSync(tree))
})

test('rmtree errors name the entry that failed (unprivileged)', async (t) => {
  if (process.getuid() !== 0 || !have('setpriv')) return t.pass(console.log('skipped: needs root and setpriv to drop privileges'))
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755)
  const tree = path.join(dir, 'tree')
  fs.mkdirSync(path.join(tree, 'a/b'), { recursive: true })
  fs.writeFileSync(path.join(tree, 'a/b/f'), 'x')
  fs.writeFileSync(path.join(tree, 'top'), 'x')
  // The tree belongs to the unprivileged user, except a/b, which stays root's.
  for (const p of [tree, path.join(tree, 'a'), path.join(tree, 'top')]) fs.chownSync(p, 65534, 65534)
  const src = `
    import * as eio from ${JSON.stringify(ENTRY)}
    try { await eio.rmtree(${JSON.stringify(tree)}) } catch (e) {
      console.log(JSON.stringify({ code: e.code, syscall: e.syscall, path: e.path }))
    }
  `
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', src], { encoding: 'utf8', timeout: 30_000 })
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), { code: 'EACCES', syscall: 'unlink', path: path.join(tree, 'a/b/f') })
  t.true(fs.existsSync(path.join(tree, 'a/b/f')))
})

test('rmtree removes a 10,000-deep tree within 128 fds', async (t) => {
  if (!have('python3') || !have('prlimit')) return t.pass(console.log('skipped: needs python3 and prlimit'))
  const dir = tmpdir(t)
  const tree = path.join(dir, 'deep')
  // Deeper than PATH_MAX allows by path: built by walking down with chdir.
  const mk = spawnSync('python3', ['-c', `
import os, sys
os.chdir(sys.argv[1])
for i in range(10000):
    os.mkdir('d'); os.chdir('d')
    if i % 1000 == 0:
        open('f', 'w').write('x'); os.symlink('/', 'root-link')
`, dir], { encoding: 'utf8' })
  t.is(mk.status, 0, mk.stderr)
  fs.renameSync(path.join(dir, 'd'), tree)
  const src = `
    import * as eio from ${JSON.stringify(ENTRY)}
    await eio.rmtree(${JSON.stringify(tree)})
  `
  const r = spawnSync('prlimit', ['--nofile=128:128', process.execPath, '--input-type=module', '-e', src], { encoding: 'utf8', timeout: 60_000 })
  t.is(r.status, 0, r.stderr)
  t.false(fs.existsSync(tree))
})

// An attacker process swaps a subdirectory of the tree with a symlink to a victim
// directory (renameat2 RENAME_EXCHANGE) as fast as it can while rmtree runs, round after
// round: the victim must survive every round.
const SWAPPER = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b, stop = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3]
swaps = 0
print('ready', flush=True)
while True:
    for _ in range(100):
        if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0:
            swaps += 1
    if os.path.exists(stop):
        break
print(swaps)
`

test('rmtree never follows a symlink swapped in while it runs', async (t) => {
  if (!have('python3')) return t.pass(console.log('skipped: needs python3'))
  if (process.platform !== 'linux') return t.pass(console.log('skipped: the swapper calls Linux\'s renameat2'))
  const dir = tmpdir(t)
  const v = victim(dir)
  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(v, `v${i}`), 'v')
  const tree = path.join(dir, 'tree')
  const sub = path.join(tree, 'sub')
  const link = path.join(tree, 'link')
  const stop = path.join(dir, 'stop')
  const swapper = spawn('python3', ['-c', SWAPPER, sub, link, stop], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  swapper.stdout.on('data', (d) => { out += d })
  const exited = new Promise((resolve) => swapper.on('exit', resolve))
  t.teardown(() => swapper.kill())
  // On a loaded machine python can take seconds to start: the rounds begin once it swaps.
  const ready = new Promise((resolve) => swapper.stdout.once('data', resolve))
  await ready
  let failures = 0
  const rounds = 12
  const stage = path.join(dir, 'stage')
  for (let round = 0; round < rounds; round++) {
    // Built aside and renamed into place, so that the attacker never redirects the setup.
    fs.mkdirSync(path.join(stage, 'sub', 'inner'), { recursive: true })
    for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(stage, 'sub', `f${i}`), 'x')
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(stage, 'sub', 'inner', `g${i}`), 'x')
    // Siblings widen the window between reading the root and opening `sub`.
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(stage, `s${i}`), 'x')
    fs.symlinkSync(v, path.join(stage, 'link'))
    fs.renameSync(stage, tree)
    // A round may fail (a name rmtree opened was swapped away before its rmdir); then
    // rmtree again until the tree is gone: every attempt is under attack.
    for (let attempt = 0; fs.existsSync(tree) && attempt < 20; attempt++) {
      try {
        await eio.rmtree(tree)
      } catch {
        failures++
      }
    }
    t.false(fs.existsSync(tree), `round ${round}: tree removed`)
    intact(t, v, `round ${round}`)
    t.is(fs.readdirSync(v).length, 51, `round ${round}: victim complete`)
  }
  fs.writeFileSync(stop, '')
  await exited
  const swaps = Number(out.trim().split('\n').pop())
  t.log(`${rounds} rounds, ${swaps} swaps, ${failures} failed attempts`)
  t.true(swaps > 0, 'the attacker swapped')
})

// Serial: the other tests' spawnSync would stall this one's event loop.
test.serial('an abort stops rmtree between entries', async (t) => {
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  fs.mkdirSync(tree)
  const files = 20_000
  // Hard links of one file: the cheapest entries to create.
  fs.writeFileSync(path.join(tree, 'f0'), '')
  for (let i = 1; i < files; i++) fs.linkSync(path.join(tree, 'f0'), path.join(tree, `f${i}`))
  // rmtree removes entries in directory order: the first name goes first.
  const first = path.join(tree, fs.readdirSync(tree)[0])
  const ac = new AbortController()
  const p = eio.rmtree(tree, { signal: ac.signal })
  // Abort once removal has visibly started, long before 20,000 unlinks are done.
  while (fs.existsSync(first)) await new Promise((resolve) => setImmediate(resolve))
  ac.abort()
  await rejectsWith(t, p, { name: 'AbortError', code: 'ABORT_ERR' })
  await eio.flush()
  const left = fs.readdirSync(tree).length
  t.true(left > 0 && left < files, `${left} entries left`)
})

/** Entries and bytes of regular files in the tree at `dir` (itself included), by node:fs. */
function census(dir) {
  let entries = 1
  let bytes = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) {
      const sub = census(p)
      entries += sub.entries
      bytes += sub.bytes
    } else {
      entries++
      if (e.isFile()) bytes += fs.lstatSync(p).size
    }
  }
  return { entries, bytes }
}

/** A tree of `width`^`levels` directories, each with files of a few sizes and a symlink. */
function buildTree(dir, width, levels) {
  fs.mkdirSync(dir)
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(dir, `f${i}`), 'x'.repeat(i * 100))
  fs.symlinkSync('f0', path.join(dir, 'link'))
  if (levels > 0) for (let i = 0; i < width; i++) buildTree(path.join(dir, `d${i}`), width, levels - 1)
}

test('rmtree resolves to the entries and bytes it removed', async (t) => {
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  buildTree(tree, 3, 3)
  const want = census(tree)
  t.deepEqual({ ...(await eio.rmtree(tree)) }, want)
  t.false(fs.existsSync(tree))
})

test('rmtree removes all it can, then rejects with the first error naming the entry', async (t) => {
  if (!have('chattr')) return t.pass(console.log('skipped: needs chattr'))
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  buildTree(tree, 3, 2)
  const stuck = path.join(tree, 'd1', 'd2', 'f1')
  // An immutable file: not even root can unlink it.
  if (spawnSync('chattr', ['+i', stuck]).status !== 0) return t.pass(console.log('skipped: chattr +i refused'))
  t.teardown(() => spawnSync('chattr', ['-i', stuck]))
  await rejectsWith(t, eio.rmtree(tree), { code: 'EPERM', syscall: 'unlink', path: stuck })
  spawnSync('chattr', ['-i', stuck])
  // Only the file and the directories above it are left; everything else went.
  t.deepEqual(fs.readdirSync(tree), ['d1'])
  t.deepEqual(fs.readdirSync(path.join(tree, 'd1')), ['d2'])
  t.deepEqual(fs.readdirSync(path.join(tree, 'd1', 'd2')), ['f1'])
})

test('eight concurrent rmtrees of one tree remove it all: entries gone meanwhile are done', async (t) => {
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  buildTree(tree, 4, 3) // 85 directories, 425 files and links... times 5: ~ 4,700 entries below
  for (let i = 0; i < 85 * 50; i++) fs.writeFileSync(path.join(tree, `extra${i}`), '')
  const total = census(tree).entries
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => eio.rmtree(tree)))
  t.false(fs.existsSync(tree), 'the tree is gone')
  for (const r of results) {
    // Only one that started after the tree was gone entirely may find no root.
    if (r.status === 'rejected') t.like(r.reason, { code: 'ENOENT', syscall: 'lstat', path: tree })
  }
  const done = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.entries)
  t.true(done.filter((n) => n > 0).length >= 2, `several did part of the work: ${done}`)
  t.is(done.reduce((a, b) => a + b, 0), total, 'each entry removed exactly once')
})

test('rmtree force: a missing path resolves, a non-directory is unlinked', async (t) => {
  const dir = tmpdir(t)
  const calls = []
  t.deepEqual({ ...(await eio.rmtree(path.join(dir, 'nope'), { force: true, onProgress: (p) => calls.push(p) })) }, { entries: 0, bytes: 0 })
  t.deepEqual(calls, [{ entries: 0, bytes: 0 }], 'onProgress is called at the end even when nothing was done')
  fs.writeFileSync(path.join(dir, 'file'), '12345')
  t.deepEqual({ ...(await eio.rmtree(path.join(dir, 'file'), { force: true })) }, { entries: 1, bytes: 5 })
  t.false(fs.existsSync(path.join(dir, 'file')))
  fs.writeFileSync(path.join(dir, 'file'), 'x')
  // Through a file, as rm -rf file/x: nothing there.
  t.deepEqual({ ...(await eio.rmtree(path.join(dir, 'file', 'x'), { force: true })) }, { entries: 0, bytes: 0 })
  await rejectsWith(t, eio.rmtree(path.join(dir, 'file', 'x')), { code: 'ENOTDIR' })
})

test('rmtree of dir/., dir/.., / and link/ is refused; dir/ removes dir', async (t) => {
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  fs.mkdirSync(path.join(tree, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(tree, 'sub', 'f'), 'x')
  fs.symlinkSync(tree, path.join(dir, 'link'))
  // As rm refuses them ("refusing to remove '.' or '..' directory"): nothing is touched.
  await rejectsWith(t, eio.rmtree(`${tree}/.`), { code: 'EINVAL', syscall: 'rmdir' })
  await rejectsWith(t, eio.rmtree(`${tree}/sub/..`, { force: true }), { code: 'EINVAL' })
  await rejectsWith(t, eio.rmtree('/', { force: true }), { code: 'EBUSY' })
  // rm -rf link/ empties the target and then fails to remove link/: refused here at once.
  await rejectsWith(t, eio.rmtree(`${dir}/link/`, { force: true }), { code: 'ENOTDIR', syscall: 'rmdir' })
  t.true(fs.existsSync(path.join(tree, 'sub', 'f')), 'nothing was removed')
  // A trailing slash on a directory is fine, as for rm.
  t.is((await eio.rmtree(`${tree}//`)).entries, 3)
  t.false(fs.existsSync(tree))
})

test('rmtree options are validated the Node way', async (t) => {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'tree'))
  const tree = path.join(dir, 'tree')
  await rejectsWith(t, eio.rmtree(tree, { recursive: true }), { code: 'ERR_INVALID_ARG_VALUE' })
  await rejectsWith(t, eio.rmtree(tree, { force: 1 }), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.rmtree(tree, { crossMounts: 'yes' }), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.rmtree(tree, { onProgress: true }), { code: 'ERR_INVALID_ARG_TYPE' })
  await rejectsWith(t, eio.rmtree(tree, 'force'), { code: 'ERR_INVALID_ARG_TYPE' })
  t.true(fs.existsSync(tree), 'nothing ran')
})

// A tmpfs and a bind mount inside the tree, in a private mount namespace: the child does
// the whole test there and reports what it saw.
const MOUNTS_CHILD = `
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'
import * as eio from ${JSON.stringify(ENTRY)}
const [tree, outside] = process.argv.slice(1)
const setup = () => {
  fs.mkdirSync(tree + '/a/tmp', { recursive: true })
  fs.mkdirSync(tree + '/b/bind', { recursive: true })
  fs.writeFileSync(tree + '/a/f', 'x')
  execFileSync('mount', ['-t', 'tmpfs', 'none', tree + '/a/tmp'])
  fs.writeFileSync(tree + '/a/tmp/precious', 'on tmpfs')
  execFileSync('mount', ['--bind', outside, tree + '/b/bind'])
}
const out = {}
setup()
try { await eio.rmtree(tree) } catch (e) { out.err = { code: e.code, syscall: e.syscall, path: e.path } }
out.tmpfsKept = fs.existsSync(tree + '/a/tmp/precious')
out.bindKept = fs.existsSync(tree + '/b/bind/keep')
out.left = [fs.readdirSync(tree).sort(), fs.readdirSync(tree + '/a').sort(), fs.readdirSync(tree + '/b').sort()]
try { await eio.rmtree(tree, { crossMounts: true }) } catch (e) { out.crossErr = { code: e.code, path: e.path } }
out.tmpfsEmptied = fs.readdirSync(tree + '/a/tmp').length === 0
out.outsideEmptied = fs.readdirSync(outside).length === 0
execFileSync('umount', [tree + '/a/tmp'])
execFileSync('umount', [tree + '/b/bind'])
console.log(JSON.stringify(out))
`

test('rmtree leaves another filesystem mounted inside the tree alone, unless crossMounts', async (t) => {
  if (process.platform !== 'linux' || process.getuid() !== 0 || !have('unshare')) {
    return t.pass(console.log('skipped: needs root and unshare on Linux'))
  }
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  const outside = path.join(dir, 'outside')
  fs.mkdirSync(outside)
  fs.writeFileSync(path.join(outside, 'keep'), 'keep')
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, '--input-type=module', '-e', MOUNTS_CHILD, tree, outside], { encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0 && /unshare failed|Operation not permitted/.test(r.stderr)) return t.pass(console.log(`skipped: ${r.stderr.trim()}`))
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  // The first mount point met is reported, as removing it would say; both stay intact.
  t.is(out.err.code, 'EBUSY')
  t.is(out.err.syscall, 'rmdir')
  t.true([`${tree}/a/tmp`, `${tree}/b/bind`].includes(out.err.path), out.err.path)
  t.true(out.tmpfsKept, 'the tmpfs inside the tree was not entered')
  t.true(out.bindKept, 'the bind mount inside the tree was not entered')
  // Everything else went: only the mount points and the directories above them remain.
  t.deepEqual(out.left, [['a', 'b'], ['tmp'], ['bind']])
  // With crossMounts the mounts are emptied; their mount points still cannot go.
  t.is(out.crossErr.code, 'EBUSY')
  t.true(out.tmpfsEmptied)
  t.true(out.outsideEmptied, 'crossMounts entered the bind mount')
  t.true(fs.existsSync(outside), 'the bind mount source itself stays')
})

// Serial: the other tests' synchronous setup would stall this one's timer.
test.serial('rmtree onProgress: growing counts, at most every ~100 ms, the final counts once, nothing after', async (t) => {
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  // Enough entries that removal takes several intervals even on a fast machine (hard
  // links: the cheapest entries to make; ext4 allows 65,000 per file).
  for (let d = 0; d < 4; d++) {
    const sub = path.join(tree, `d${d}`)
    fs.mkdirSync(sub, { recursive: true })
    fs.writeFileSync(path.join(sub, 'f0'), 'abc')
    for (let i = 1; i < 25_000; i++) fs.linkSync(path.join(sub, 'f0'), path.join(sub, `f${i}`))
  }
  const calls = []
  const started = Date.now()
  let settled = false
  const result = await eio.rmtree(tree, {
    onProgress: (p) => {
      t.false(settled, 'called after settling')
      calls.push({ ...p, at: Date.now() })
    },
  }).finally(() => { settled = true })
  const elapsed = Date.now() - started
  t.deepEqual({ ...result }, { entries: 100_005, bytes: 300_000 })
  t.log(`${calls.length} calls in ${elapsed} ms`)
  t.true(calls.length >= 2, 'called while it ran, not only at the end')
  t.like(calls.at(-1), { entries: result.entries, bytes: result.bytes }, 'the last call has the final counts')
  t.is(calls.filter((c) => c.entries === result.entries && c.bytes === result.bytes).length, 1, 'final counts once')
  for (let i = 1; i < calls.length; i++) t.true(calls[i].entries >= calls[i - 1].entries, 'counts grow')
  // Loose: the timer fires at most every 100 ms, plus the final call.
  t.true(calls.length <= Math.floor(elapsed / 100) + 2, `${calls.length} calls in ${elapsed} ms`)
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.is(calls.at(-1).entries, result.entries, 'no call after settling')
})

test('rmtree onProgress that throws cancels the removal and rejects with its error', async (t) => {
  const dir = tmpdir(t)
  const tree = path.join(dir, 'tree')
  fs.mkdirSync(tree)
  fs.writeFileSync(path.join(tree, 'f0'), '')
  for (let i = 1; i < 50_000; i++) fs.linkSync(path.join(tree, 'f0'), path.join(tree, `f${i}`))
  const boom = new Error('boom')
  let calls = 0
  const err = await t.throwsAsync(eio.rmtree(tree, { onProgress: () => { calls++; throw boom } }))
  t.is(err, boom)
  t.is(calls, 1, 'not called again once it threw')
})

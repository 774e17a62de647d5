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
  const swaps = Number(out.trim())
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

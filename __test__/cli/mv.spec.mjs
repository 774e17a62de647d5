// io-aio mv against GNU mv: renames on one filesystem and moves across two (a tmpfs in a
// mount namespace of the test's own), compared by exit status, -v output, messages and
// the resulting trees (content, mode, owner, ns times, symlinks, hard links).

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { have } from '../helpers.mjs'
import { cli, describeTree, holdsOpen, interruptMidway, root, sameEffectAsGnu, scratchDir, tree } from './helpers.mjs'


test('mv on one filesystem: renames, into directories, -n, -v, -t, -T, as GNU mv', async (t) => {
  const dir = scratchDir(t)
  const cases = [
    ['tree', 'moved'],
    ['tree/a', 'tree/x'],
    ['tree/a', 'tree/empty'],
    ['-v', 'tree/a/small1.txt', 'tree/a/small2.txt', 'tree/x'],
    ['-t', 'tree/empty', 'tree/Upper.TXT', 'tree/link-rel', 'tree/dirlink'],
    ['-T', 'tree/a/b', 'tree/empty'],
    ['-n', 'tree/a/small1.txt', 'tree/a/small2.txt'],
    ['-nv', 'tree/x', 'tree/a/b', 'tree/empty'],
    ['-fn', 'tree/a/small1.txt', 'tree/a/small2.txt'],
    ['-nf', 'tree/a/small1.txt', 'tree/a/small2.txt'],
    ['tree/dangling', 'tree/link-rel'],
  ]
  for (const args of cases) await sameEffectAsGnu(t, 'mv', args, tree, { base: dir, times: true })
})

test('mv: what GNU mv refuses, with its messages and exit status', async (t) => {
  const dir = scratchDir(t)
  const cases = [
    ['tree/nope', 'x'],
    ['tree/a/small3.txt', 'tree/a/hard-same-dir'],
    ['tree/a', 'tree/Upper.TXT'],
    ['tree/Upper.TXT', 'tree/x/..'],
    ['tree', 'tree/a/b'],
    ['tree/a', 'tree/a'],
    ['tree/x', 'tree/a/b/..'],
    ['tree/Upper.TXT', 'tree/x/empty-file', 'tree/nope'],
    ['tree/Upper.TXT', 'tree/nope/x'],
    ['tree/Upper.TXT'],
    [],
    ['-T', 'tree/Upper.TXT', 'tree/a', 'tree/x'],
  ]
  for (const args of cases) await sameEffectAsGnu(t, 'mv', args, tree, { base: dir })
})

/** Mounts a tmpfs at `dir/mnt` (another filesystem to move to); `unmount` undoes it. */
function mountTmpfs(dir, size = '64m') {
  fs.mkdirSync(path.join(dir, 'mnt'))
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'none', path.join(dir, 'mnt')], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`mount: ${r.stderr}`)
}

function unmount(dir) {
  spawnSync('umount', [path.join(dir, 'mnt')])
}

const acrossFs = root && have('mount')

test('mv across filesystems: the tree arrives as GNU mv moves it, with -v naming every entry', async (t) => {
  if (!acrossFs) return t.pass(console.log('skipped: needs root to mount a tmpfs'))
  const dir = scratchDir(t)
  const setup = async (d) => {
    await tree(d)
    mountTmpfs(d)
    t.teardown(() => unmount(d)) // if the test ends before its cleanup
  }
  const cases = [
    ['tree', 'mnt'],
    ['tree', 'mnt/moved'],
    ['-v', 'tree/a/small1.txt', 'tree/link-rel', 'tree/x/fifo', 'mnt'],
    ['-n', 'tree/a', 'mnt/a'],
  ]
  for (const args of cases) await sameEffectAsGnu(t, 'mv', args, setup, { base: dir, times: true, cleanup: unmount })
  // -v names a file with several links as copied once, the link GNU mv meets first (by
  // inode, then in no set order): compared on a tree whose files have one link each.
  const oneLinkEach = async (d) => {
    await setup(d)
    fs.rmSync(path.join(d, 'tree', 'a', 'hard-same-dir'))
    fs.rmSync(path.join(d, 'tree', 'x', 'hard-other-dir'))
  }
  await sameEffectAsGnu(t, 'mv', ['-v', 'tree', 'mnt/moved'], oneLinkEach, { base: dir, times: true, cleanup: unmount })
})

test('mv across filesystems: a copy that fails leaves the source whole and nothing at the destination', async (t) => {
  if (!acrossFs) return t.pass(console.log('skipped: needs root to mount a tmpfs'))
  const dir = scratchDir(t)
  mountTmpfs(dir)
  t.teardown(() => unmount(dir))
  await tree(dir)
  fs.writeFileSync(path.join(dir, 'tree', 'a', 'too-big'), Buffer.alloc(80 << 20, 1))
  const before = describeTree(path.join(dir, 'tree'))
  const r = cli(['mv', 'tree', 'mnt/moved'], { cwd: dir })
  t.is(r.status, 1)
  t.regex(r.stderr, /^io-aio mv: .*No space left on device\n$/)
  t.deepEqual(describeTree(path.join(dir, 'tree')), before)
  t.deepEqual(fs.readdirSync(path.join(dir, 'mnt')), [])
})

test.serial('mv across filesystems: Ctrl-C stops it, the source stays whole, nothing stays at the destination', async (t) => {
  if (!acrossFs) return t.pass(console.log('skipped: needs root to mount a tmpfs'))
  const dir = scratchDir(t)
  mountTmpfs(dir, '512m')
  t.teardown(() => unmount(dir))
  const src = path.join(dir, 'src')
  for (let d = 0; d < 40; d++) {
    fs.mkdirSync(path.join(src, `d${d}`), { recursive: true })
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(src, `d${d}`, `f${f}`), Buffer.alloc(((d * 100 + f) % 7) * 10_000 + 1, d + f))
  }
  const before = describeTree(src)
  const dst = path.join(dir, 'mnt', 'dst')
  const setup = () => fs.rmSync(dst, { recursive: true, force: true })
  const started = (child) => holdsOpen(child, src) || fs.existsSync(dst)
  const { code, stderr } = await interruptMidway(t, ['mv', 'src', 'mnt/dst'], { cwd: dir, setup, started })
  t.is(code, 130, stderr)
  // The move under way was undone: nothing was moved.
  t.regex(stderr, /^io-aio mv: interrupted: moved 0 entries, 0 B before stopping$/m)
  t.deepEqual(describeTree(src), before)
  t.false(fs.existsSync(dst))
})

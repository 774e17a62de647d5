// io-aio du against GNU du on generated trees: the same lines in the same order (a
// directory after its contents, siblings in directory order), the same sizes (blocks or
// apparent, hard links once, holes not counted), messages and exit statuses.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { have } from '../helpers.mjs'
import { BIN, holdsOpen, interruptMidway, NOBODY, root, run, sameAsGnu, scratchDir, tree } from './helpers.mjs'

/** A generated tree in `dir/tree` (readable by everyone), with a second hard link across operands, a loop link and a link to itself. */
async function setup(t) {
  const dir = scratchDir(t)
  await tree(dir)
  fs.mkdirSync(path.join(dir, 'other'))
  fs.linkSync(path.join(dir, 'tree', 'a', 'b', 'medium.bin'), path.join(dir, 'other', 'medium-link'))
  fs.writeFileSync(path.join(dir, 'other', 'own'), Buffer.alloc(70_000, 1))
  fs.symlinkSync('../..', path.join(dir, 'tree', 'a', 'b', 'up'))
  fs.symlinkSync('self', path.join(dir, 'tree', 'x', 'self'))
  return dir
}

test('du: every flag and combination, line for line as GNU du prints them', async (t) => {
  const cwd = await setup(t)
  const cases = [
    [],
    ['tree'],
    ['tree/'],
    ['tree//'],
    ['./tree//a'],
    ['-a', 'tree'],
    ['-s', 'tree'],
    ['-sh', 'tree', 'other'],
    ['-c', 'tree', 'other'],
    ['-sc', 'other', 'tree'],
    ['-c', 'tree/a', 'tree'],
    ['tree', 'tree/a'],
    ['-b', 'tree'],
    ['-ab', 'tree'],
    ['--apparent-size', '-a', 'tree'],
    ['--apparent-size', '-k', 'tree'],
    ['-h', '-a', 'tree'],
    ['--si', '-a', 'tree'],
    ['-k', 'tree'],
    ['-m', 'tree'],
    ['-am', '-b', 'tree'],
    ['-b', '-k', 'tree'],
    ['-BM', 'tree'],
    ['-B', '1M', 'tree'],
    ['-B', 'KB', '-a', 'tree'],
    ['-B', 'KiB', 'tree'],
    ['-B', '3K', '-a', 'tree'],
    ['-B', '512', 'tree'],
    ['--block-size=hum', 'tree'],
    ['--block-size=si', '-a', 'tree'],
    ['-d', '0', 'tree'],
    ['-d1', 'tree'],
    ['--max-depth=2', '-a', 'tree'],
    ['--max=1', '-c', 'tree', 'other'],
    ['-S', 'tree'],
    ['-Ss', 'tree'],
    ['-l', 'tree', 'other'],
    ['-la', 'tree'],
    ['-L', 'tree'],
    ['-L', '-a', 'tree'],
    ['-Ls', 'tree'],
    ['-H', 'tree/dirlink'],
    ['-D', '-a', 'tree/dirlink', 'tree/link-rel'],
    ['tree/dirlink', 'tree/link-rel', 'tree/dangling'],
    ['-L', 'tree/dangling'],
    ['-x', 'tree'],
    ['--exclude=*.txt', '-a', 'tree'],
    ['--exclude', 'b', 'tree'],
    ['--exclude=tree/a', 'tree'],
    ['--exclude=tree', 'tree'],
    ['-a', 'tree/a/sparse.db', 'tree/x/fifo', 'tree/x/socket'],
  ]
  for (const args of cases) sameAsGnu(t, 'du', args, { cwd, ordered: true })
  sameAsGnu(t, 'du', ['-a0', 'tree'], { cwd, ordered: true })
  sameAsGnu(t, 'du', ['-s', '--null', 'tree', 'other'], { cwd, ordered: true })
  sameAsGnu(t, 'du', ['-sh'], { cwd: path.join(cwd, 'tree'), ordered: true })
})

test('du: environment block sizes and POSIXLY_CORRECT, as GNU du reads them', async (t) => {
  const cwd = await setup(t)
  for (const env of ['DU_BLOCK_SIZE=M', 'BLOCK_SIZE=1K', 'BLOCKSIZE=human-readable', 'POSIXLY_CORRECT=1', 'DU_BLOCK_SIZE=bogus']) {
    const theirs = run(['env', env, 'du', 'tree'], { cwd })
    const ours = run(['env', env, process.execPath, BIN, 'du', 'tree'], { cwd })
    t.is(ours.status, theirs.status, env)
    t.is(ours.stdout, theirs.stdout, `du with ${env}`)
  }
})

test('du: bad options and operands, with GNU du messages and exit status', async (t) => {
  const cwd = await setup(t)
  const bad = [
    ['nope', 'tree/x'],
    ['', 'tree/x'],
    ['-s', 'tree/nope/x', 'tree/Upper.TXT'],
    ['-d', 'x', 'tree'],
    ['-d', '-1', 'tree'],
    ['-sa', 'tree'],
    ['-s', '-d', '1', 'tree'],
    ['-s', '-d', '0', 'tree'],
    ['-B', 'x', 'tree'],
    ['--block-size=0', 'tree'],
    ['-B', '1Q', 'tree'],
    ['-B', '99999999999999999999999', 'tree'],
    ['-q', 'tree'],
    ['--frobnicate', 'tree'],
    ['--max-depth', 'tree'],
  ]
  for (const args of bad) {
    sameAsGnu(t, 'du', args, { cwd, ordered: true })
    sameAsGnu(t, 'du', args, { cwd, ordered: true, locale: 'C.UTF-8' })
  }
})

test('du: unreadable directories are reported, counted by their own size, and the rest is summed', async (t) => {
  if (!root) return t.pass(console.log('skipped: needs root and setpriv to drop privileges'))
  const cwd = await setup(t)
  for (const name of ['a/locked', 'x', "a/it's locked", 'a/new\nlocked']) {
    fs.mkdirSync(path.join(cwd, 'tree', name), { recursive: true })
    fs.writeFileSync(path.join(cwd, 'tree', name, 'hidden'), Buffer.alloc(10_000, 1))
    fs.chmodSync(path.join(cwd, 'tree', name), 0o300)
  }
  // Readable but not searchable: its entries are listed and cannot be stat'ed.
  fs.mkdirSync(path.join(cwd, 'tree', 'a', 'unsearchable', 'sub'), { recursive: true })
  fs.writeFileSync(path.join(cwd, 'tree', 'a', 'unsearchable', 'file'), 'x')
  fs.chmodSync(path.join(cwd, 'tree', 'a', 'unsearchable'), 0o644)
  for (const args of [['tree'], ['-a', 'tree'], ['-s', 'tree'], ['-sc', 'tree/x', 'tree/a'], ['-a', 'tree/a/unsearchable']]) {
    for (const locale of ['C', 'C.UTF-8']) sameAsGnu(t, 'du', args, { cwd, user: NOBODY, locale, ordered: true })
  }
})

test('du: a directory of more than 10,000 entries, in the order GNU du lists it', async (t) => {
  const cwd = scratchDir(t)
  const big = path.join(cwd, 'big')
  fs.mkdirSync(big)
  for (let i = 0; i < 10_500; i++) {
    if (i % 1000 === 0) fs.mkdirSync(path.join(big, `d${i}`))
    else fs.writeFileSync(path.join(big, `f${i}`), '')
  }
  sameAsGnu(t, 'du', ['big'], { cwd, ordered: true })
  sameAsGnu(t, 'du', ['-a', 'big'], { cwd, ordered: true })
})

test('du -x leaves out a filesystem mounted inside the tree, as GNU du does', async (t) => {
  if (!root || !have('mount')) return t.pass(console.log('skipped: needs root to mount a tmpfs'))
  const cwd = await setup(t)
  const mnt = path.join(cwd, 'tree', 'a', 'mnt')
  fs.mkdirSync(mnt)
  t.is(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'none', mnt]).status, 0)
  t.teardown(() => spawnSync('umount', [mnt]))
  fs.mkdirSync(path.join(mnt, 'inside'))
  fs.writeFileSync(path.join(mnt, 'inside', 'file'), Buffer.alloc(100_000, 1))
  for (const args of [['tree'], ['-x', 'tree'], ['-xa', 'tree'], ['-xs', 'tree'], ['-x', 'tree/a/mnt'], ['-xL', 'tree']]) sameAsGnu(t, 'du', args, { cwd, ordered: true })
})

test.serial('du: Ctrl-C stops the walk, says how far it got and exits with 130', async (t) => {
  const cwd = scratchDir(t)
  const big = path.join(cwd, 'big')
  const r = await interruptMidway(t, ['du', '-s', 'big'], {
    cwd,
    setup() {
      if (fs.existsSync(big)) return
      for (let d = 0; d < 300; d++) {
        fs.mkdirSync(path.join(big, `d${d}`, 'sub'), { recursive: true })
        for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(big, `d${d}`, 'sub', `f${f}`), '')
      }
    },
    started: (child) => holdsOpen(child, big),
  })
  t.is(r.code, 130)
  t.regex(r.stderr, /^io-aio du: interrupted: read [\d,]+ entr(y|ies), [\d.]+ (B|KiB|MiB) before stopping\n$/)
})

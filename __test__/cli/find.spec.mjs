// io-aio find against GNU find on generated trees: the same entries (sorted: the walk reads
// in parallel, find in directory order), the same messages and exit statuses.

import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

import { cli, NOBODY, root, sameAsGnu, scratchDir, tree } from './helpers.mjs'

/** A generated tree in `dir/tree`, readable by everyone (for the tests that drop privileges). */
async function setup(t) {
  const dir = scratchDir(t)
  await tree(dir)
  return dir
}

test('find: the entries of a tree, with each test and action, as GNU find lists them', async (t) => {
  const cwd = await setup(t)
  const cases = [
    ['tree'],
    ['tree/'],
    ['./tree//a'],
    ['tree/a', 'tree/x', 'tree/Upper.TXT'],
    ['tree', '-type', 'f'],
    ['tree', '-type', 'd,l'],
    ['tree', '-type', 'p', '-print'],
    ['tree', '-type', 's'],
    ['tree', '-name', '*.txt'],
    ['tree', '-name', 'small[0-4]*'],
    ['tree', '-name', 'small[!0-4].txt'],
    ['tree', '-name', '*[[:space:]]*'],
    ['tree', '-iname', 'upper.txt'],
    ['tree', '!', '-name', '*.txt', '-type', 'f'],
    ['tree', '-not', '-type', 'd'],
    ['tree', '-maxdepth', '1'],
    ['tree', '-maxdepth', '0'],
    ['tree', '-mindepth', '2', '-maxdepth', '3'],
    ['tree', '-mindepth', '1', '-type', 'd', '-print', '-name', 'b', '-print'],
  ]
  for (const args of cases) sameAsGnu(t, 'find', args, { cwd })
  sameAsGnu(t, 'find', ['tree', '-print0'], { cwd, nul: true })
  sameAsGnu(t, 'find', ['tree', '-type', 'f', '-print0'], { cwd, nul: true })
  // No starting point: the current directory.
  sameAsGnu(t, 'find', [], { cwd: path.join(cwd, 'tree') })
  sameAsGnu(t, 'find', ['-name', '*e*'], { cwd: path.join(cwd, 'tree') })
})

test('find: symlinks with -P, -H and -L, a loop and a dangling link', async (t) => {
  const cwd = await setup(t)
  fs.symlinkSync('..', path.join(cwd, 'tree', 'a', 'b', 'up'))
  fs.symlinkSync('self', path.join(cwd, 'tree', 'self'))
  fs.symlinkSync('tree', path.join(cwd, 'tree-link'))
  for (const follow of [[], ['-P'], ['-H'], ['-L']]) {
    sameAsGnu(t, 'find', [...follow, 'tree'], { cwd })
    sameAsGnu(t, 'find', [...follow, 'tree-link'], { cwd })
    sameAsGnu(t, 'find', [...follow, 'tree', '-type', 'l'], { cwd })
    sameAsGnu(t, 'find', [...follow, 'tree-link', '-maxdepth', '1', '-type', 'd'], { cwd })
  }
})

test('find: missing starting points and unusable arguments, as GNU says them', async (t) => {
  const cwd = await setup(t)
  sameAsGnu(t, 'find', ['nope', 'tree/a', 'tree/nope/x', ''], { cwd })
  sameAsGnu(t, 'find', ['nope'], { cwd, locale: 'C.UTF-8' })
  const bad = [
    ['-foo'],
    ['tree', '-name'],
    ['tree', '-type'],
    ['tree', '-type', 'x'],
    ['tree', '-type', 'fd'],
    ['tree', '-type', 'f,'],
    ['tree', '-maxdepth', 'x'],
    ['tree', '-mindepth', '-1'],
    ['tree', '-name', 'a', 'b'],
    ['tree', '-not'],
    ['tree', '!'],
    ['tree', '-a'],
    ['tree', '-print', '-and'],
  ]
  for (const args of bad) {
    sameAsGnu(t, 'find', args, { cwd })
    sameAsGnu(t, 'find', args, { cwd, locale: 'C.UTF-8' })
  }
})

test('find: unreadable directories are reported and skipped, the rest is listed', async (t) => {
  if (!root) return t.pass(console.log('skipped: needs root and setpriv to drop privileges'))
  const cwd = await setup(t)
  for (const name of ['a/b', 'x', "a/it's locked", 'a/new\nlocked', 'a/\u00e9t\u00e9']) {
    fs.mkdirSync(path.join(cwd, 'tree', name), { recursive: true })
    fs.writeFileSync(path.join(cwd, 'tree', name, 'hidden'), '')
    fs.chmodSync(path.join(cwd, 'tree', name), 0o300)
  }
  for (const locale of ['C', 'C.UTF-8']) {
    sameAsGnu(t, 'find', ['tree'], { cwd, user: NOBODY, locale })
    sameAsGnu(t, 'find', ['tree/x', 'tree/a/b/c'], { cwd, user: NOBODY, locale })
  }
})

test('find: names that are not UTF-8 are printed byte for byte', async (t) => {
  const cwd = await setup(t)
  const r = cli(['find', 'tree/a', '-name', 'f*.bin'], { cwd })
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout, 'tree/a/f\xff.bin\n')
  sameAsGnu(t, 'find', ['tree/a', '-name', 'f?.bin'], { cwd })
  sameAsGnu(t, 'find', ['tree/a', '-name', 'f?.bin'], { cwd, locale: 'C.UTF-8' })
})

test('find --help and unknown operators', (t) => {
  const help = cli(['find', '--help'])
  t.is(help.status, 0)
  t.regex(help.stdout, /^Usage: io-aio find /)
  const or = cli(['find', '.', '-name', 'a', '-o', '-name', 'b'])
  t.is(or.status, 1)
  t.regex(or.stderr, /^io-aio find: the operator '-o' is not supported/)
})

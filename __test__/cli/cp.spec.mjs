// io-aio cp against GNU cp: each case runs on two copies of one generated scenario; the
// exit status, -v output (sorted), messages and the resulting trees (content, mode, owner,
// ns times, holes, symlinks, hard links, special files) must match.

import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

import { cli, describeTree, holdsOpen, interruptMidway, latin1Name, NOBODY, root, run, sameEffectAsGnu, scratchDir, tree } from './helpers.mjs'


/**
 * The tree without its name that is not UTF-8, for -v: copy's filter is given paths as
 * UTF-8 strings, so such a name shows as U+FFFD in io-aio cp -v's lines.
 */
async function utf8Tree(dir) {
  await tree(dir)
  fs.rmSync(latin1Name(path.join(dir, 'tree', 'a')))
}

test('cp -a: the copy of a tree is what GNU cp -a makes, to the nanosecond', async (t) => {
  const dir = scratchDir(t)
  for (const args of [['-a', 'tree', 'copy'], ['-a', 'tree/a', 'tree/x', 'tree/link-rel', 'tree/']]) {
    await sameEffectAsGnu(t, 'cp', args, tree, { base: dir, times: true })
  }
  await sameEffectAsGnu(t, 'cp', ['-av', 'tree', 'copy'], utf8Tree, { base: dir, times: true })
  // Into an existing copy: merged, files replaced, directories named by -v only when new.
  const twice = async (d) => {
    await utf8Tree(d)
    run(['cp', '-a', 'tree', 'copy'], { cwd: d })
    fs.writeFileSync(path.join(d, 'tree', 'a', 'new-file'), 'new\n')
    fs.writeFileSync(path.join(d, 'copy', 'a', 'small2.txt'), 'changed in the copy\n')
  }
  await sameEffectAsGnu(t, 'cp', ['-av', 'tree/.', 'copy'], twice, { base: dir, times: true })
  await sameEffectAsGnu(t, 'cp', ['-anv', 'tree/.', 'copy'], twice, { base: dir, times: true })
})

test('cp -r keeps what cp -a keeps (GNU cp -r does not keep modes, owners and times)', async (t) => {
  const dir = scratchDir(t)
  await sameEffectAsGnu(t, 'cp', ['-r', 'tree', 'copy'], tree, { base: dir, times: true, gnuArgs: ['-a', 'tree', 'copy'] })
  await sameEffectAsGnu(t, 'cp', ['-R', 'tree', 'copy'], tree, { base: dir, times: true, gnuArgs: ['-dR', '--preserve=all', 'tree', 'copy'] })
})

test('cp of files and links: where they go, -n, -v, -L, -P, -t, -T, as GNU cp', async (t) => {
  const dir = scratchDir(t)
  const cases = [
    ['-a', 'tree/a/small1.txt', 'one'],
    ['-a', 'tree/a/small1.txt', 'tree/x'],
    ['-a', 'tree/a/small1.txt', 'tree/a/small2.txt', 'tree/empty'],
    ['-a', '-t', 'tree/empty', 'tree/a/small1.txt', "tree/a/it's"],
    ['-anv', 'tree/a/small1.txt', 'tree/a/small2.txt'],
    ['-an', 'tree/a/small1.txt', 'tree/a/new-name'],
    ['-aL', 'tree/link-rel', 'followed'],
    ['-aP', 'tree/link-rel', 'as-link'],
    ['-a', 'tree/dangling', 'dangling-copy'],
    ['-a', 'tree/a/sparse.db', 'sparse-copy'],
  ]
  for (const args of cases) await sameEffectAsGnu(t, 'cp', args, tree, { base: dir, times: true })
  // Replacing a file: GNU cp rewrites it, io-aio renames a new one over it, so the
  // directory it is in changes (its mtime) where GNU's does not.
  for (const args of [['-aT', 'tree/a/small1.txt', 'tree/x/empty-file'], ['-av', 'tree/a/small1.txt', 'tree/a/small2.txt'], ['-af', 'tree/Upper.TXT', 'tree/x']]) {
    await sameEffectAsGnu(t, 'cp', args, tree, { base: dir, times: 'files' })
  }
})

test('cp onto a file with other hard links replaces that name only (GNU cp rewrites the file, so all its names change)', async (t) => {
  const dir = scratchDir(t)
  await tree(dir)
  const r = cli(['cp', 'tree/Upper.TXT', 'tree/a/hard-same-dir'], { cwd: dir })
  t.is(r.status, 0, r.stderr)
  t.is(fs.readFileSync(path.join(dir, 'tree', 'a', 'hard-same-dir'), 'utf8'), 'upper\n')
  t.is(fs.readFileSync(path.join(dir, 'tree', 'a', 'small3.txt'), 'utf8'), 'file 3\n'.repeat(150))
  t.is(fs.statSync(path.join(dir, 'tree', 'a', 'small3.txt')).nlink, 1)
})

test('cp: what GNU cp refuses, with its messages and exit status', async (t) => {
  const dir = scratchDir(t)
  const cases = [
    ['tree/nope', 'x'],
    ['tree/a', 'x'],
    ['-a', 'tree/a/small1.txt', 'tree/a/hard-same-dir'],
    ['-a', 'tree/a/small3.txt', 'tree/a/hard-same-dir'],
    ['-a', 'tree/a', 'tree/Upper.TXT'],
    ['-a', 'tree/Upper.TXT', 'tree/a/b/..'],
    ['-a', 'tree/Upper.TXT', 'tree/dangling'],
    ['-a', 'tree/Upper.TXT', 'tree/a/small1.txt', 'tree/nope'],
    ['-a', 'tree/Upper.TXT', 'tree/a/small1.txt', 'tree/x/empty-file'],
    ['-a', 'tree/Upper.TXT', 'tree/nope/x'],
    ['-a', '-t', 'tree/nope', 'tree/Upper.TXT'],
    ['-a', '-T', '-t', 'tree/a', 'tree/Upper.TXT'],
    ['-aT', 'tree/Upper.TXT', 'tree/a', 'tree/x'],
    ['tree/Upper.TXT'],
    [],
    ['-a', "tree/a/it's gone", 'x'],
    ['--frobnicate', 'a', 'b'],
  ]
  for (const args of cases) await sameEffectAsGnu(t, 'cp', args, tree, { base: dir })
  // GNU copies a directory into itself until it meets the copy, then says so; io-aio
  // refuses before it copies anything.
  for (const args of [['-a', 'tree', 'tree/a/b'], ['-r', 'tree/a', 'tree/a/b/c'], ['-a', 'tree/a', 'tree/a']]) {
    await sameEffectAsGnu(t, 'cp', args, tree, { base: dir, tree: 'subset' })
  }
})

test('cp -a as a user who cannot read part of the tree: exit status 1, GNU messages', async (t) => {
  if (!root) return t.pass(console.log('skipped: needs root and setpriv to drop privileges'))
  const dir = scratchDir(t)
  const setup = async (d) => {
    await tree(d)
    fs.chmodSync(path.join(d, 'tree', 'a', 'b'), 0o700)
    fs.chmodSync(path.join(d, 'tree', 'a', 'small1.txt'), 0o600)
    fs.chmodSync(d, 0o777)
  }
  const r = await sameEffectAsGnu(t, 'cp', ['-r', 'tree', 'copy'], setup, { base: dir, user: NOBODY, messages: 'subset', tree: 'subset' })
  t.is(r.ours.status, 1)
})

test.serial('cp -r: Ctrl-C stops the copy, says what was copied and exits with 130; no file is left half copied', async (t) => {
  const dir = scratchDir(t)
  const src = path.join(dir, 'src')
  const dst = path.join(dir, 'dst')
  const setup = () => {
    fs.rmSync(dst, { recursive: true, force: true })
    if (fs.existsSync(src)) return
    for (let d = 0; d < 40; d++) {
      fs.mkdirSync(path.join(src, `d${d}`), { recursive: true })
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(src, `d${d}`, `f${f}`), Buffer.alloc(((d * 100 + f) % 7) * 40_000 + 1, d + f))
    }
  }
  const started = (child) => holdsOpen(child, src) || fs.existsSync(dst)
  const { code, stderr } = await interruptMidway(t, ['cp', '-r', 'src', 'dst'], { cwd: dir, setup, started })
  t.is(code, 130, stderr)
  t.regex(stderr, /^io-aio cp: interrupted: copied [\d,]+ entr(y|ies), .* before stopping$/m)
  // Every file in the copy is whole: the same bytes as its source.
  let files = 0
  for (const d of fs.readdirSync(dst)) {
    for (const f of fs.readdirSync(path.join(dst, d))) {
      t.true(fs.readFileSync(path.join(dst, d, f)).equals(fs.readFileSync(path.join(src, d, f))), `${d}/${f} is whole`)
      files++
    }
  }
  t.true(files < 4000, 'stopped before the end')
  const again = cli(['cp', '-a', 'src', 'again'], { cwd: dir })
  t.is(again.status, 0, 'the source is intact')
  t.deepEqual(describeTree(path.join(dir, 'again')), describeTree(src))
})

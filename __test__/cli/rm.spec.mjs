// io-aio rm against GNU rm: each case runs on two copies of one generated scenario, and
// the exit status, output (-v, sorted), messages and the tree left behind must match.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { have } from '../helpers.mjs'
import { BIN, cli, environment, holdsOpen, interruptMidway, NOBODY, root, sameEffectAsGnu, scratchDir, tree } from './helpers.mjs'


test('rm: files, links and trees, -r, -d, -f and -v, as GNU rm removes them', async (t) => {
  const dir = scratchDir(t)
  const cases = [
    ['-r', 'tree'],
    ['-R', 'tree/a', 'tree/x'],
    ['-rv', 'tree'],
    ['-rfv', 'tree/a/b', 'nope', 'tree/x/fifo'],
    ['tree/a/small0.txt', 'tree/link-rel', 'tree/dirlink', 'tree/dangling', 'tree/x/socket'],
    ['-v', 'tree/a/hard-same-dir', "tree/a/it's", 'tree/a/new\nline'],
    ['tree'],
    ['tree/a', 'tree/Upper.TXT'],
    ['-d', 'tree/empty', 'tree/a'],
    ['-dv', 'tree/empty'],
    ['nope', "nope'quoted", 'no pe', 'tree/Upper.TXT/x'],
    ['-f', 'nope', 'tree/Upper.TXT/x', 'tree/nope/x'],
    ['-f'],
    [],
    ['-r', '.'],
    ['-r', 'tree/..'],
    ['-rf', 'tree/a/.', 'tree/a/./'],
    ['-d', 'tree/.'],
    ['-d', 'tree/empty/.', 'tree/empty/..'],
    ['-d', '.'],
    ['-r', 'nope/.', 'tree/Upper.TXT/.'],
    ['.'],
    ['-r', 'tree', '--frobnicate'],
    ['-z'],
  ]
  for (const args of cases) await sameEffectAsGnu(t, 'rm', args, tree, { base: dir })
  await sameEffectAsGnu(t, 'rm', ['nope', 'n\u00e9', 'n\nl'], tree, { base: dir, locale: 'C.UTF-8' })
})

test('rm -r as a user who may remove only part of the tree: the same part is left', async (t) => {
  if (!root) return t.pass(console.log('skipped: needs root and setpriv to drop privileges'))
  const dir = scratchDir(t)
  // Everything belongs to nobody but a/b (root's, so its entries stay) and x/empty-file's
  // directory is unwritable.
  const setup = async (d) => {
    await tree(d)
    spawnSync('chown', ['-R', '-h', `${NOBODY}:${NOBODY}`, path.join(d, 'tree')])
    spawnSync('chown', ['-R', 'root:root', path.join(d, 'tree', 'a', 'b')])
    fs.chmodSync(path.join(d, 'tree', 'x'), 0o555)
  }
  await sameEffectAsGnu(t, 'rm', ['-r', 'tree'], setup, { base: dir, user: NOBODY, messages: 'subset' })
  await sameEffectAsGnu(t, 'rm', ['-rf', 'tree/a', 'tree/x/fifo'], setup, { base: dir, user: NOBODY, messages: 'subset' })
  await sameEffectAsGnu(t, 'rm', ['tree/a/b/medium.bin', 'tree/x/fifo'], setup, { base: dir, user: NOBODY })
})

test('rm -r leaves a filesystem mounted inside the tree, as GNU rm --one-file-system does', async (t) => {
  if (!root || !have('mount')) return t.pass(console.log('skipped: needs root to mount a tmpfs'))
  const dir = scratchDir(t)
  const mnt = (d) => path.join(d, 'tree', 'a', 'mnt')
  const setup = async (d) => {
    await tree(d)
    fs.mkdirSync(mnt(d))
    t.is(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'none', mnt(d)]).status, 0)
    t.teardown(() => spawnSync('umount', [mnt(d)])) // if the test ends before its cleanup
    fs.writeFileSync(path.join(mnt(d), 'on-tmpfs'), 'kept\n')
  }
  const cleanup = (d) => spawnSync('umount', [mnt(d)])
  for (const args of [['-r', 'tree'], ['-rf', '--one-file-system', 'tree/a'], ['-rv', 'tree/a']]) {
    await sameEffectAsGnu(t, 'rm', args, setup, { base: dir, gnuArgs: [...args.slice(0, -1), '--one-file-system', args.at(-1)], cleanup })
  }
})

test("rm -r refuses '/' however it is named, and removes nothing", (t) => {
  if (!root || !have('unshare')) return t.pass(console.log('skipped: needs root, setpriv and unshare'))
  // Belt and braces around a refusal: the root filesystem is read-only in a mount namespace
  // of its own, and the command runs as nobody.
  const guarded = (argv) => {
    const script = `mount -o remount,bind,ro / && exec setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups "$@"`
    return spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', ...argv], { encoding: 'utf8', env: environment(), timeout: 60_000 })
  }
  for (const name of ['/', '//', '/usr/..']) {
    const theirs = guarded(['rm', '-r', name])
    const ours = guarded([process.execPath, BIN, 'rm', '-r', name])
    t.is(ours.status, 1)
    t.is(ours.status, theirs.status)
    // GNU adds "use --no-preserve-root to override this failsafe": io-aio has no such option.
    t.is(ours.stderr, `${theirs.stderr.split('\n')[0].replace(/^rm: /, 'io-aio rm: ')}\n`)
  }
})

test("rm -r of 'link/' naming a link to a directory is refused and removes nothing (GNU empties the directory)", async (t) => {
  const dir = scratchDir(t)
  await tree(dir)
  const before = fs.readdirSync(path.join(dir, 'tree', 'a')).sort()
  const r = cli(['rm', '-r', 'tree/dirlink/'], { cwd: dir })
  t.is(r.status, 1)
  t.is(r.stderr, "io-aio rm: cannot remove 'tree/dirlink/': Not a directory\n")
  t.deepEqual(fs.readdirSync(path.join(dir, 'tree', 'a')).sort(), before)
  t.true(fs.lstatSync(path.join(dir, 'tree', 'dirlink')).isSymbolicLink())
})

// Serial: the other tests' spawnSync calls would stall the polling that catches the removal
// under way (see interruptMidway).
test.serial('rm -r: Ctrl-C stops the removal, says so and exits with 130; what is left is intact', async (t) => {
  const dir = scratchDir(t)
  const big = path.join(dir, 'big')
  const setup = () => {
    fs.rmSync(big, { recursive: true, force: true })
    for (let d = 0; d < 200; d++) {
      fs.mkdirSync(path.join(big, `d${d}`), { recursive: true })
      for (let f = 0; f < 150; f++) fs.writeFileSync(path.join(big, `d${d}`, `f${f}`), `${d}/${f}\n`)
    }
  }
  // Under way: the child holds part of the tree open, or some directory lost an entry.
  const started = (child) => {
    if (holdsOpen(child, big)) return true
    try {
      return fs.readdirSync(big).length < 200 || fs.readdirSync(path.join(big, 'd0')).length < 150 || fs.readdirSync(path.join(big, 'd199')).length < 150
    } catch {
      return true
    }
  }
  const { code, stderr } = await interruptMidway(t, ['rm', '-r', 'big'], { cwd: dir, setup, started })
  t.is(code, 130, stderr)
  t.regex(stderr, /^io-aio rm: interrupted: removed [\d,]+ entr(y|ies), [\d.]+ (B|KiB|MiB|GiB) before stopping$/m)
  // What is left is whole: each remaining file still holds what it held.
  for (const d of fs.existsSync(big) ? fs.readdirSync(big) : []) {
    for (const f of fs.readdirSync(path.join(big, d))) t.is(fs.readFileSync(path.join(big, d, f), 'utf8'), `${d.slice(1)}/${f.slice(1)}\n`)
  }
})

test('rm --help', (t) => {
  const r = cli(['rm', '--help'])
  t.is(r.status, 0)
  t.regex(r.stdout, /^Usage: io-aio rm /)
})

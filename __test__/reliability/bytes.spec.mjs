// Filenames are bytes: names that are not valid UTF-8 survive every names-returning and
// tree-copying request byte for byte, as Buffers (`encoding: 'buffer'`, Buffer paths).
// Requests not on this branch yet are skipped with a note, so coverage grows as they land.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import * as eio from '../../index.js'
import { ENTRY, have, tmpdir } from '../helpers.mjs'

/** Names no UTF-8 decoder round-trips: lone continuation bytes, overlongs, 0xff. */
const NAMES = [
  Buffer.from([0xff]),
  Buffer.from([0x66, 0x80, 0x6f]),
  Buffer.from([0xc0, 0xaf]), // an overlong '/'
  Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate, encoded
  Buffer.from('caf\u00e9', 'latin1'),
]
const CONTENT = (i) => Buffer.from(`content ${i}\n`)

const bpath = (...parts) => Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [Buffer.from(p)] : [Buffer.from('/'), Buffer.from(p)])))
const hex = (names) => names.map((n) => Buffer.from(n).toString('hex')).sort()

/** A tree: dir/<name_i> files, and dir/<name_0>.d/<name_1> one level down. */
function makeTree(root) {
  const dir = bpath(root, 'tree')
  fs.mkdirSync(dir)
  NAMES.forEach((n, i) => fs.writeFileSync(bpath(dir, n), CONTENT(i)))
  const sub = Buffer.concat([NAMES[0], Buffer.from('.d')])
  fs.mkdirSync(bpath(dir, sub))
  fs.writeFileSync(bpath(dir, sub, NAMES[1]), CONTENT(99))
  return { dir, sub }
}

/** Every entry of a tree, as hex relative paths with file contents (names as bytes). */
function treeBytes(dir, rel = Buffer.alloc(0)) {
  const out = {}
  for (const name of fs.readdirSync(dir, { encoding: 'buffer' })) {
    const full = bpath(dir, name)
    const r = rel.length ? Buffer.concat([rel, Buffer.from('/'), name]) : name
    const st = fs.lstatSync(full)
    if (st.isDirectory()) Object.assign(out, { [r.toString('hex')]: 'dir' }, treeBytes(full, r))
    else out[r.toString('hex')] = fs.readFileSync(full).toString('hex')
  }
  return out
}

function available(t, name) {
  if (typeof eio[name] === 'function') return true
  t.log(`${name} is not exported on this branch yet: skipped`)
  t.pass()
  return false
}

test('readdir returns non-UTF-8 names byte for byte as Buffers', async (t) => {
  const { dir, sub } = makeTree(tmpdir(t))
  const names = await eio.readdir(dir, { encoding: 'buffer' })
  t.true(names.every((n) => Buffer.isBuffer(n)))
  t.deepEqual(hex(names), hex([...NAMES, sub]))
  t.deepEqual(hex(names), hex(fs.readdirSync(dir, { encoding: 'buffer' })))
})

test('readdirx returns non-UTF-8 names byte for byte, with and without READDIR_DENTS', async (t) => {
  if (!available(t, 'readdirx')) return
  const { dir, sub } = makeTree(tmpdir(t))
  const plain = await eio.readdirx(dir, 0, { encoding: 'buffer' })
  t.deepEqual(hex(plain.entries), hex([...NAMES, sub]))
  const dents = await eio.readdirx(dir, eio.constants.READDIR_DENTS, { encoding: 'buffer' })
  t.true(dents.entries.every((e) => Buffer.isBuffer(e.name)))
  t.deepEqual(hex(dents.entries.map((e) => e.name)), hex([...NAMES, sub]))
})

test('a non-UTF-8 Buffer path reaches the file it names (stat, open, read, readlink, realpath)', async (t) => {
  const root = tmpdir(t)
  const file = bpath(root, NAMES[1])
  fs.writeFileSync(file, 'bytes')
  t.is((await eio.stat(file)).size, 5)
  const fd = await eio.open(file, 'r')
  const buf = Buffer.alloc(5)
  t.is(await eio.read(fd, 0, 5, buf), 5)
  await eio.close(fd)
  t.is(buf.toString(), 'bytes')
  if (!available(t, 'readlink')) return
  const link = bpath(root, NAMES[0])
  fs.symlinkSync(file, link)
  t.is((await eio.readlink(link, { encoding: 'buffer' })).toString('hex'), file.toString('hex'))
  // (node:fs's own realpath decodes the bytes and cannot find the file: compare by hand.)
  t.is((await eio.realpath(link, { encoding: 'buffer' })).toString('hex'), bpath(fs.realpathSync(root), NAMES[1]).toString('hex'))
})

test('scandir returns non-UTF-8 names byte for byte', async (t) => {
  if (!available(t, 'scandir')) return
  const { dir, sub } = makeTree(tmpdir(t))
  const { dirs, nondirs } = await eio.scandir(dir, 0, { encoding: 'buffer' })
  t.deepEqual(hex(dirs), hex([sub]))
  t.deepEqual(hex(nondirs), hex(NAMES))
})

test('readdirIter yields non-UTF-8 names byte for byte', async (t) => {
  if (!available(t, 'readdirIter')) return
  const { dir, sub } = makeTree(tmpdir(t))
  const seen = []
  for await (const e of eio.readdirIter(dir, { encoding: 'buffer' })) seen.push(e.name)
  t.true(seen.every((n) => Buffer.isBuffer(n)))
  t.deepEqual(hex(seen), hex([...NAMES, sub]))
})

test('walk yields non-UTF-8 names and paths byte for byte', async (t) => {
  if (!available(t, 'walk')) return
  const { dir, sub } = makeTree(tmpdir(t))
  const seen = []
  for await (const e of eio.walk(dir, { encoding: 'buffer' })) seen.push(e)
  t.deepEqual(hex(seen.map((e) => e.name)), hex([...NAMES, sub, NAMES[1]]))
  // Each path names the entry it came with: stat through it finds the same file.
  for (const e of seen) {
    t.true(Buffer.isBuffer(e.path))
    t.true(e.path.subarray(e.path.length - e.name.length).equals(e.name))
    t.true(fs.existsSync(path.isAbsolute(e.path.toString('latin1')) ? e.path : bpath(dir, e.path)))
  }
})

test('copy and move keep non-UTF-8 names and contents byte for byte', async (t) => {
  if (!available(t, 'copy') || !available(t, 'move')) return
  const root = tmpdir(t)
  const src = bpath(root, NAMES[2])
  fs.writeFileSync(src, CONTENT(2))
  const copied = bpath(root, NAMES[3])
  await eio.copy(src, copied)
  t.true(fs.readFileSync(copied).equals(CONTENT(2)))
  const moved = bpath(root, NAMES[4])
  await eio.move(copied, moved)
  t.false(fs.existsSync(copied))
  t.true(fs.readFileSync(moved).equals(CONTENT(2)))
  t.deepEqual(hex(fs.readdirSync(root, { encoding: 'buffer' })), hex([NAMES[2], NAMES[4]]))
})

test('move of a non-UTF-8 tree keeps every name (a directory rename)', async (t) => {
  if (!available(t, 'move')) return
  const root = tmpdir(t)
  const { dir } = makeTree(root)
  const before = treeBytes(dir)
  const dest = bpath(root, NAMES[0])
  await eio.move(dir, dest)
  t.deepEqual(treeBytes(dest), before)
})

test('rmtree removes a tree of non-UTF-8 names entirely', async (t) => {
  if (!available(t, 'rmtree')) return
  const root = tmpdir(t)
  const { dir } = makeTree(root)
  await eio.rmtree(dir)
  t.false(fs.existsSync(dir))
  t.deepEqual(fs.readdirSync(root), [])
})

test('move across filesystems (the EXDEV copy) keeps a non-UTF-8 name byte for byte', (t) => {
  if (!available(t, 'move')) return
  if (process.getuid?.() !== 0 || !have('unshare')) return t.pass('needs root and unshare for a second filesystem')
  const root = tmpdir(t)
  const mnt = path.join(root, 'other')
  fs.mkdirSync(mnt)
  const src = bpath(root, NAMES[1])
  fs.writeFileSync(src, CONTENT(1))
  const dst = bpath(mnt, NAMES[2])
  // In a private mount namespace: a tmpfs at `mnt`, so that rename(2) fails with EXDEV.
  const script = `
    import * as eio from ${JSON.stringify(ENTRY)}
    import fs from 'node:fs'
    const src = Buffer.from(${JSON.stringify(src.toString('hex'))}, 'hex')
    const dst = Buffer.from(${JSON.stringify(dst.toString('hex'))}, 'hex')
    await eio.move(src, dst)
    const names = fs.readdirSync(${JSON.stringify(mnt)}, { encoding: 'buffer' }).map((n) => n.toString('hex'))
    process.stdout.write(JSON.stringify({ names, content: fs.readFileSync(dst).toString('hex'), srcGone: !fs.existsSync(src) }))
  `
  const file = path.join(root, 'child.mjs')
  fs.writeFileSync(file, script)
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs none '${mnt}' && exec "$0" "$1"`, process.execPath, file], { encoding: 'utf8', timeout: 30_000 })
  t.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.deepEqual(out.names, [NAMES[2].toString('hex')])
  t.is(out.content, CONTENT(1).toString('hex'))
  t.true(out.srcGone)
})

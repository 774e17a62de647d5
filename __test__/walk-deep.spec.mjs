// Trees deeper than PATH_MAX: walk opens every directory relative to its parent's fd, so a
// tree 10,000 levels deep (paths of 20 KB) is walked whole with a bounded number of fds,
// and wd() reaches such a directory by [wd, relative] steps.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import test from 'ava'

import * as eio from '../index.js'
import { ENTRY, have, runNode } from './helpers.mjs'

const LEVELS = 10_000
const FIXTURES = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir()

/**
 * Builds `levels` directories `d` one inside the other below `root` (in a child that
 * chdirs down: no path names them from the root), each with a file `f` and, for a comb,
 * a sibling directory `s` holding a file; the deepest holds `leaf`.
 */
function buildDeep(root, levels, comb) {
  const r = runNode(
    `
    import fs from 'node:fs'
    process.chdir(${JSON.stringify(root)})
    for (let i = 0; i < ${levels}; i++) {
      fs.writeFileSync('f', '')
      if (${comb}) { fs.mkdirSync('s'); fs.writeFileSync('s/x', '') }
      fs.mkdirSync('d')
      process.chdir('d')
    }
    fs.writeFileSync('leaf', 'deepest')
  `,
    { timeout: 120_000 },
  )
  if (r.status !== 0) throw new Error(`building the tree failed: ${r.stderr}`)
}

/** A fresh directory, removed (however deep) when the test ends. */
function deepDir(t) {
  const dir = fs.mkdtempSync(path.join(FIXTURES, 'eio-deep-'))
  // rm -r works relative to fds; fs.rmSync would stop at PATH_MAX.
  t.teardown(() => spawnSync('rm', ['-rf', dir]))
  return dir
}

/** Walks `root` in a child limited to 64 fds, sampling its open fds as it goes. */
function walkInChild(root, options) {
  const r = spawnSync(
    'prlimit',
    [
      '--nofile=64:64',
      process.execPath,
      '--input-type=module',
      '-e',
      `
      import fs from 'node:fs'
      import * as eio from ${JSON.stringify(ENTRY)}
      const fds = () => fs.readdirSync('/proc/self/fd').length
      await eio.nop()
      const before = fds()
      let entries = 0, maxFds = 0, deepest = null, depths = new Set()
      for await (const e of eio.walk(${JSON.stringify(root)}, ${JSON.stringify(options)})) {
        entries++
        depths.add(e.depth)
        if (entries % 250 === 0) maxFds = Math.max(maxFds, fds() - before)
        if (e.name === 'leaf') deepest = { depth: e.depth, rel: e.relativePath.length, path: e.path.length, size: e.stats?.size }
      }
      await eio.flush()
      console.log(JSON.stringify({ entries, maxFds, deepest, depths: depths.size, leaked: fds() - before }))
    `,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  )
  if (r.status !== 0) throw new Error(`the walk failed (${r.status} ${r.signal}): ${r.stderr}`)
  return JSON.parse(r.stdout)
}

for (const comb of [false, true]) {
  const shape = comb ? 'with a sibling directory at every level' : 'one directory in the other'
  test(`walk of a tree ${LEVELS.toLocaleString('en')} levels deep (${shape}): every entry, with at most a few fds`, async (t) => {
    if (process.platform !== 'linux' || !have('prlimit')) return t.pass('needs Linux and prlimit')
    const root = deepDir(t)
    buildDeep(root, LEVELS, comb)
    const perLevel = comb ? 4 : 2 // d, f (s, s/x)
    const want = LEVELS * perLevel + 1
    // find walks it too (GNU find uses fds as well): the count to compare with.
    const find = spawnSync('find', [root, '-mindepth', '1'], { encoding: 'utf8', maxBuffer: 1 << 30 })
    t.is(find.stdout.trim().split('\n').length, want)
    for (const stat of [false, true]) {
      const got = walkInChild(root, { stat })
      t.is(got.entries, want)
      t.is(got.depths, LEVELS + 1)
      // 'd/' 10,000 times, then the leaf: far past PATH_MAX.
      const deepest = { depth: LEVELS, rel: 2 * LEVELS + 4, path: root.length + 1 + 2 * LEVELS + 4 }
      t.deepEqual(got.deepest, stat ? { ...deepest, size: 7 } : deepest)
      // At most 16 kept plus those of reads running (the portable build reads each
      // directory through a duplicate fd): a bound, whatever the depth.
      t.true(got.maxFds <= 48, `${got.maxFds} fds open at most`)
      t.is(got.leaked, 0)
    }
  })
}

test(`wd() steps down a tree ${LEVELS.toLocaleString('en')} levels deep; requests through it work`, async (t) => {
  if (process.platform !== 'linux') return t.pass('needs Linux')
  const root = deepDir(t)
  buildDeep(root, LEVELS, false)
  const step = Array(1000).fill('d').join('/')
  let wd = await eio.wd(root)
  const opened = [wd]
  t.teardown(() => opened.forEach((w) => w.close()))
  for (let i = 0; i < LEVELS / 1000; i++) {
    wd = await eio.wd([wd, step])
    opened.push(wd)
  }
  // Its canonical path, as the kernel cannot give it (longer than PATH_MAX).
  t.is(wd.path, fs.realpathSync(root) + '/d'.repeat(LEVELS))
  t.true(wd.path.length > 4096 * 4)
  t.is((await eio.stat([wd, 'leaf'])).size, 7)
  t.is((await eio.load([wd, 'leaf'])).toString(), 'deepest')
  const entries = []
  for await (const e of eio.walk(wd)) entries.push(e)
  t.deepEqual(entries.map((e) => [e.name, e.path]), [['leaf', `${wd.path}/leaf`]])
  // And back up: `..` of the deepest is the level above.
  const up = await eio.wd([wd, '..'])
  opened.push(up)
  t.is(up.path, fs.realpathSync(root) + '/d'.repeat(LEVELS - 1))
})

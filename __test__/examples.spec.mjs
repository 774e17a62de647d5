// The scripts in examples/ do their jobs on a generated tree. An example whose eio
// functions are not exported yet (request families still being written) is skipped, and
// the reason is printed.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { have, ROOT, tmpdir } from './helpers.mjs'

const eio = createRequire(import.meta.url)('../index.js')

/** The names an example imports from 'io-aio' that the package does not export. */
function missingImports(example) {
  const source = fs.readFileSync(path.join(ROOT, 'examples', example), 'utf8')
  const match = /import \{([^}]*)\} from 'io-aio'/.exec(source)
  if (!match) throw new Error(`${example} imports nothing from eio`)
  return match[1]
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name && !(name in eio))
}

/** `test`, or `test.skip` with the reason printed when the example cannot run yet. */
function exampleTest(example) {
  const missing = missingImports(example)
  if (missing.length === 0) return test
  console.log(`examples/${example}: skipped, eio does not export ${missing.join(', ')} yet`)
  return test.skip
}

function run(example, args, options = {}) {
  return spawnSync(process.execPath, [path.join(ROOT, 'examples', example), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...options,
  })
}

/** A tree with nested directories, small and larger files, a hard link and symlinks. */
function makeTree(root) {
  fs.mkdirSync(path.join(root, 'a', 'b', 'c'), { recursive: true })
  fs.mkdirSync(path.join(root, 'empty'))
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(root, 'a', `small${i}`), `file ${i}\n`)
  fs.writeFileSync(path.join(root, 'a', 'b', 'medium'), Buffer.alloc(300_000, 7))
  fs.writeFileSync(path.join(root, 'a', 'b', 'c', 'deep'), 'deep\n')
  fs.chmodSync(path.join(root, 'a', 'b', 'c', 'deep'), 0o640)
  fs.linkSync(path.join(root, 'a', 'small0'), path.join(root, 'hardlink'))
  fs.symlinkSync('a/small1', path.join(root, 'link'))
  fs.symlinkSync('/nonexistent/target', path.join(root, 'dangling'))
}

/** relative path → a description of the entry: type, mode, size, content or target, mtime (s). */
function describe(root) {
  const out = {}
  const visit = (dir) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name)
      const st = fs.lstatSync(full)
      const rel = path.relative(root, full)
      if (st.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(full)}`
      else if (st.isDirectory()) {
        out[rel] = `dir ${(st.mode & 0o7777).toString(8)}`
        visit(full)
      } else {
        const sum = fs.readFileSync(full).reduce((a, b) => (a * 31 + b) >>> 0, 0)
        out[rel] = `file ${(st.mode & 0o7777).toString(8)} ${st.size} ${sum} ${Math.floor(st.mtimeMs / 1000)}`
      }
    }
  }
  visit(root)
  return out
}

exampleTest('mirror.mjs')('mirror.mjs: DST becomes SRC; a second run copies nothing; changes propagate', (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const dst = path.join(dir, 'dst')
  makeTree(src)

  const first = run('mirror.mjs', [src, dst])
  t.is(first.status, 0, first.stderr)
  t.deepEqual(describe(dst), describe(src))

  const second = run('mirror.mjs', [src, dst])
  t.is(second.status, 0, second.stderr)
  t.regex(second.stdout, /mirror: 0 files \(0 bytes\) and 0 symlinks copied, 0 directories made, 0 stale entries removed, 0 directory modes set/)

  // Changes: a file removed, one rewritten, a symlink retargeted, a directory replaced by
  // a file, and junk that exists only in DST.
  fs.rmSync(path.join(src, 'a', 'small3'))
  fs.writeFileSync(path.join(src, 'a', 'small4'), 'rewritten, longer than before\n')
  fs.rmSync(path.join(src, 'link'))
  fs.symlinkSync('a/small2', path.join(src, 'link'))
  fs.rmSync(path.join(src, 'empty'), { recursive: true })
  fs.writeFileSync(path.join(src, 'empty'), 'now a file\n')
  fs.mkdirSync(path.join(dst, 'junk', 'deeper'), { recursive: true })
  fs.writeFileSync(path.join(dst, 'junk', 'deeper', 'x'), 'x')
  const third = run('mirror.mjs', [src, dst])
  t.is(third.status, 0, third.stderr)
  t.deepEqual(describe(dst), describe(src))

  // Only modes change (same size, same mtime): a file's and a directory's.
  fs.chmodSync(path.join(src, 'a', 'small5'), 0o600)
  fs.chmodSync(path.join(src, 'a', 'b'), 0o700)
  const fourth = run('mirror.mjs', [src, dst])
  t.is(fourth.status, 0, fourth.stderr)
  t.regex(fourth.stdout, /mirror: 1 files \(\d+ bytes\) .* 1 directory modes set/)
  t.deepEqual(describe(dst), describe(src))
})

exampleTest('mirror.mjs')('mirror.mjs: a missing, mistyped, unreadable or overlapping SRC changes nothing in DST', (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'src')
  const dst = path.join(dir, 'dst')
  makeTree(src)
  t.is(run('mirror.mjs', [src, dst]).status, 0)
  fs.writeFileSync(path.join(dst, 'only-in-dst'), 'precious\n')
  const before = describe(dst)
  const refusals = [
    [[path.join(dir, 'srcc'), dst], /mirror: cannot mirror '.*srcc': ENOENT/],
    [[path.join(src, 'a', 'small1'), dst], /mirror: cannot mirror '.*small1': not a directory/],
    [[src, path.join(src, 'a', 'inside')], /overlap/],
    [[path.join(src, 'a'), src], /overlap/],
  ]
  for (const [args, message] of refusals) {
    const r = run('mirror.mjs', args)
    t.is(r.status, 1, args.join(' '))
    t.regex(r.stderr, message)
    t.deepEqual(describe(dst), before)
  }
  t.false(fs.existsSync(path.join(src, 'a', 'inside')))
  if (process.getuid?.() === 0 && have('setpriv')) {
    // A subdirectory of SRC that cannot be read: DST keeps what SRC may still have there.
    fs.chmodSync(dir, 0o755)
    spawnSync('chown', ['-R', '65534:65534', dst])
    fs.chmodSync(path.join(src, 'a', 'b'), 0o700)
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(ROOT, 'examples', 'mirror.mjs'), src, dst], { encoding: 'utf8', timeout: 60_000 })
    t.is(r.status, 1)
    t.regex(r.stderr, /mirror: cannot read '.*a\/b'/)
    t.deepEqual(describe(dst), before)
  }
})

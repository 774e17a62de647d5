// Helpers of the CLI tests: running `io-aio <command>` and the GNU tool it imitates side by
// side (same arguments, locale and user), comparing what they print, and generating trees
// with every kind of entry to run them on.

import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { have, ROOT, tmpdir } from '../helpers.mjs'

const eio = createRequire(import.meta.url)('../../index.js')

export const BIN = path.join(ROOT, 'bin', 'io-aio.js')
/** The user that permission tests run as, with setpriv. */
export const NOBODY = 65534
/** Whether tests can drop privileges (root with setpriv) and make device nodes. */
export const root = process.getuid?.() === 0 && have('setpriv')

/**
 * The environment both sides run in: the locale given (C by default) and none of the
 * variables that change GNU's output (block sizes, POSIXLY_CORRECT).
 */
export function environment(locale = 'C') {
  const env = { ...process.env, LC_ALL: locale, TZ: 'UTC' }
  for (const key of ['BLOCK_SIZE', 'BLOCKSIZE', 'DU_BLOCK_SIZE', 'POSIXLY_CORRECT', 'LANG', 'LC_CTYPE']) delete env[key]
  return env
}

/** The command line that runs `argv` as `user` (a uid), or as it is. */
function asUser(argv, user) {
  return user === undefined ? argv : ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--clear-groups', ...argv]
}

/**
 * Runs `argv` and returns `{ status, signal, stdout, stderr }`, the outputs as latin1
 * strings (one character per byte, so that names that are not UTF-8 compare exactly).
 */
export function run(argv, { cwd, locale, user, timeout = 120_000 } = {}) {
  const [cmd, ...args] = asUser(argv, user)
  const r = spawnSync(cmd, args, { cwd, env: environment(locale), encoding: 'latin1', timeout })
  if (r.error) throw r.error
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

/** `io-aio <args>`. */
export function cli(args, options) {
  return run([process.execPath, BIN, ...args], options)
}

/** `io-aio <args>` started in the background (for signals): the ChildProcess. */
export function cliChild(args, { cwd, locale, user } = {}) {
  const [cmd, ...rest] = asUser([process.execPath, BIN, ...args], user)
  return spawn(cmd, rest, { cwd, env: environment(locale), stdio: ['ignore', 'pipe', 'pipe'] })
}

/** The lines of an output (NUL-separated with `nul`), sorted, the empty end dropped. */
export function lines(output, nul = false) {
  const list = output.split(nul ? '\0' : '\n')
  if (list.at(-1) === '') list.pop()
  return list.sort()
}

/** GNU's messages with io-aio's program name (`du: x` → `io-aio du: x`). */
export function asOurs(stderr, command) {
  return stderr.replace(new RegExp(`^${command}: `, 'gm'), `io-aio ${command}: `).replace(new RegExp(`'${command} --help'`, 'g'), `'io-aio ${command} --help'`)
}

/**
 * Asserts that `io-aio <command> <args>` does what GNU's `<command> <args>` does: the same
 * exit status, the same output lines (sorted unless `ordered`), the same messages (sorted:
 * parallel work reports in its own order).
 */
export function sameAsGnu(t, command, args, { nul = false, ordered = false, ...options } = {}) {
  const theirs = run([command, ...args], options)
  const ours = cli([command, ...args], options)
  const what = `${command} ${args.join(' ')}`
  t.is(ours.status, theirs.status, `exit status of ${what}; stderr: ${ours.stderr}`)
  if (ordered) t.is(ours.stdout, theirs.stdout, `output of ${what}`)
  else t.deepEqual(lines(ours.stdout, nul), lines(theirs.stdout, nul), `output of ${what}`)
  t.deepEqual(lines(ours.stderr), lines(asOurs(theirs.stderr, command)), `messages of ${what}`)
  return { ours, theirs }
}

/** A file name that is not UTF-8 (`f\xff.bin`), as a Buffer path below `dir`. */
export function latin1Name(dir) {
  return Buffer.concat([Buffer.from(`${dir}/f`), Buffer.of(0xff), Buffer.from('.bin')])
}

/** A temporary directory (removed after the test) that every user may read, for tests as nobody. */
export function scratchDir(t) {
  const dir = tmpdir(t)
  fs.chmodSync(dir, 0o755)
  return dir
}

/** makeTree in `dir/tree`: the scenario most tests start from. */
export function tree(dir) {
  return makeTree(path.join(dir, 'tree'))
}

/** `dir/name` as a Buffer (names that are not UTF-8 stay intact). */
function child(dir, name) {
  return Buffer.concat([dir, Buffer.from('/'), name])
}

/**
 * Sets a file's times (a link's own with `link`): mtime in the past, atime ahead, both with
 * nanoseconds (eio's utime takes them exactly; Node's utimes stops at microseconds).
 */
async function setTimes(p, seed, link = false) {
  const mtime = (1_000_000_000n + BigInt(seed) * 3607n) * 1_000_000_000n + 123_456_789n + BigInt(seed)
  // atime in 2100: relatime never updates an atime later than mtime and ctime (a copy reads the file).
  const atime = (4_102_444_800n + BigInt(seed)) * 1_000_000_000n + 987_654_321n
  await (link ? eio.lutime : eio.utime)(p, atime, mtime)
}

/**
 * A tree with every kind of entry: nested directories with several modes, small, empty,
 * larger and sparse files, names with spaces, quotes, a newline and bytes that are not
 * UTF-8, hard links (in one directory and across two), symlinks (relative, absolute,
 * dangling, to a directory), a FIFO, a socket and (as root) a device node; owners, modes
 * and times (with fractions of seconds) that differ from entry to entry.
 */
export async function makeTree(top) {
  const p = (...parts) => path.join(top, ...parts)
  fs.mkdirSync(p('a', 'b', 'c'), { recursive: true })
  fs.mkdirSync(p('empty'))
  fs.mkdirSync(p('x'))
  for (let i = 0; i < 20; i++) fs.writeFileSync(p('a', `small${i}.txt`), `file ${i}\n`.repeat(i * 50))
  fs.writeFileSync(p('a', 'b', 'medium.bin'), Buffer.alloc(300_000, 7))
  fs.writeFileSync(p('a', 'b', 'c', 'deep'), 'deep\n')
  fs.writeFileSync(p('a', 'with space'), 'space\n')
  fs.writeFileSync(p('a', "it's"), 'quote\n')
  fs.writeFileSync(p('a', 'new\nline'), 'newline\n')
  fs.writeFileSync(latin1Name(p('a')), 'latin1\n')
  fs.writeFileSync(p('Upper.TXT'), 'upper\n')
  fs.writeFileSync(p('x', 'empty-file'), '')
  const sparse = fs.openSync(p('a', 'sparse.db'), 'w')
  fs.writeSync(sparse, 'head', 0)
  fs.writeSync(sparse, 'tail', 4 << 20)
  fs.closeSync(sparse)
  fs.linkSync(p('a', 'small3.txt'), p('a', 'hard-same-dir'))
  fs.linkSync(p('a', 'small4.txt'), p('x', 'hard-other-dir'))
  fs.symlinkSync('a/small1.txt', p('link-rel'))
  fs.symlinkSync(p('a', 'b'), p('link-abs'))
  fs.symlinkSync('/nonexistent/target', p('dangling'))
  fs.symlinkSync('a', p('dirlink'))
  spawnSync('mkfifo', [p('x', 'fifo')])
  const sock = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(p('x', 'socket'))}, () => process.exit(0))`])
  if (sock.status !== 0) throw new Error(`no socket: ${sock.stderr}`)
  if (root) spawnSync('mknod', [p('x', 'null-dev'), 'c', '1', '3'])
  fs.chmodSync(p('a', 'b', 'c', 'deep'), 0o640)
  fs.chmodSync(p('a', 'small5.txt'), 0o4755)
  fs.chmodSync(p('empty'), 0o700)
  fs.chmodSync(p('a', 'b'), 0o750)
  if (root) {
    fs.chownSync(p('a', 'small6.txt'), NOBODY, NOBODY)
    fs.chownSync(p('x'), 1000, 1000)
    fs.lchownSync(p('link-rel'), 1000, NOBODY)
  }
  // Times last, children before their directories (creating an entry changes its directory's mtime).
  let seed = 0
  const stamp = async (dir) => {
    for (const name of fs.readdirSync(dir, { encoding: 'buffer' })) {
      const full = child(dir, name)
      const st = fs.lstatSync(full)
      if (st.isDirectory()) await stamp(full)
      else await setTimes(full, seed++, st.isSymbolicLink())
    }
    await setTimes(dir, seed++)
  }
  await stamp(Buffer.from(top))
}

/**
 * A time as describeTree shows it: exact, or 'now' for a time the kernel stamped while the
 * test ran (a directory that got a new entry), which cannot match between two runs.
 */
function timeOf(ns) {
  return ns > BigInt(Date.now() - 3_600_000) * 1_000_000n && ns < BigInt(Date.now() + 3_600_000) * 1_000_000n ? 'now' : String(ns)
}

/**
 * Everything about a tree that `cp -a` keeps, by path relative to `top`: type, mode, owner,
 * size, content, link target (`home` in it shown as `<home>`), device number, mtime and
 * atime in ns (`times`: true, false, or 'files' for all but directories'), and which
 * entries are hard links of one another (by the first path of their inode).
 */
export function describeTree(top, { times = true, home } = {}) {
  const out = {}
  const inodes = new Map()
  const visit = (dir, rel) => {
    for (const name of fs.readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const full = child(dir, name)
      const relPath = rel === '' ? name.toString('latin1') : `${rel}/${name.toString('latin1')}`
      const st = fs.lstatSync(full, { bigint: true })
      const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'device'
      const entry = { type, mode: (Number(st.mode) & 0o7777).toString(8), owner: `${st.uid}:${st.gid}` }
      if (times === true || (times === 'files' && type !== 'dir')) {
        entry.mtime = timeOf(st.mtimeNs)
        if (type !== 'link') entry.atime = timeOf(st.atimeNs)
      }
      if (type === 'file') {
        entry.size = Number(st.size)
        entry.content = createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16)
        entry.allocated = Number(st.blocks) * 512 < Number(st.size) ? 'sparse' : 'full'
        const key = `${st.dev}:${st.ino}`
        entry.hardLink = inodes.get(key) ?? relPath
        inodes.set(key, entry.hardLink)
      }
      if (type === 'link') {
        entry.target = fs.readlinkSync(full, { encoding: 'latin1' })
        if (home !== undefined && entry.target.startsWith(home)) entry.target = `<home>${entry.target.slice(home.length)}`
      }
      if (type === 'device') entry.rdev = String(st.rdev)
      out[relPath] = entry
      if (type === 'dir') visit(full, relPath)
    }
  }
  visit(Buffer.from(top), '')
  return out
}

/** The entries of two described trees that differ, `{ path: { ours, gnu } }`. */
export function treeDiff(ours, gnu) {
  const diff = {}
  for (const rel of new Set([...Object.keys(ours), ...Object.keys(gnu)])) {
    if (JSON.stringify(ours[rel]) !== JSON.stringify(gnu[rel])) diff[rel] = { ours: ours[rel], gnu: gnu[rel] }
  }
  return diff
}

/** Every entry of `part` is in `whole`, of the same type and (files) content. */
function assertSubtree(t, part, whole, what) {
  for (const [rel, entry] of Object.entries(part)) {
    const other = whole[rel]
    t.truthy(other, `${rel} (made by io-aio ${what}) is in GNU's tree`)
    if (other === undefined) continue
    t.is(entry.type, other.type, `the type of ${rel}`)
    if (entry.type === 'file') t.is(entry.content, other.content, `the content of ${rel}`)
    if (entry.type === 'link') t.is(entry.target, other.target, `the target of ${rel}`)
  }
}

/**
 * Builds one scenario twice (`setup(dir)` in `base/gnu` and `base/ours`), runs GNU's
 * `<command> <gnuArgs or args>` in the one and `io-aio <command> <args>` in the other (from
 * inside), and asserts the same exit status, output lines, messages and resulting tree
 * (`times`: with the times). `messages: 'subset'`: io-aio's messages are some of GNU's
 * (where GNU names every entry it could not process and io-aio the first); `tree:
 * 'subset'`: io-aio's tree holds part of GNU's (where GNU goes on after an error and
 * io-aio stops). `cleanup(dir)` runs on each side before it is removed.
 */
export async function sameEffectAsGnu(t, command, args, setup, options = {}) {
  const { base, times = false, messages = 'same', tree = 'same', nul = false, gnuArgs = args, cleanup, ...runOptions } = options
  const dirs = {}
  for (const side of ['gnu', 'ours']) {
    dirs[side] = path.join(base, side)
    fs.mkdirSync(dirs[side], { mode: 0o755 })
    await setup(dirs[side])
  }
  const theirs = run([command, ...gnuArgs], { cwd: dirs.gnu, ...runOptions })
  const ours = cli([command, ...args], { cwd: dirs.ours, ...runOptions })
  const what = `${command} ${args.join(' ')}`
  t.is(ours.status, theirs.status, `exit status of ${what}; stderr: ${ours.stderr}`)
  t.deepEqual(lines(ours.stdout, nul), lines(theirs.stdout, nul), `output of ${what}`)
  const expected = lines(asOurs(theirs.stderr, command))
  if (messages === 'same') t.deepEqual(lines(ours.stderr), expected, `messages of ${what}`)
  else {
    t.is(ours.stderr === '', theirs.stderr === '', `messages of ${what}: ${ours.stderr} / ${theirs.stderr}`)
    for (const line of lines(ours.stderr)) t.true(expected.includes(line), `message ${line} of ${what} is one of GNU's:\n${expected.join('\n')}`)
  }
  const after = (side) => describeTree(dirs[side], { times, home: dirs[side] })
  if (tree === 'same') t.deepEqual(treeDiff(after('ours'), after('gnu')), {}, `the tree after ${what}: the entries that differ`)
  else assertSubtree(t, after('ours'), after('gnu'), what)
  for (const side of ['gnu', 'ours']) {
    await cleanup?.(dirs[side])
    fs.rmSync(dirs[side], { recursive: true, force: true })
  }
  return { ours, theirs }
}

/** Whether `child` holds a file below `dir` open (its work there has begun; Linux's /proc). */
export function holdsOpen(child, dir) {
  try {
    const fds = `/proc/${child.pid}/fd`
    return fs.readdirSync(fds).some((fd) => {
      try {
        return fs.readlinkSync(`${fds}/${fd}`).startsWith(dir)
      } catch {
        return false
      }
    })
  } catch {
    return false
  }
}

/**
 * Runs `io-aio <args>` and interrupts it (SIGINT) once `started(child)` says its work is
 * under way, freezing it first (SIGSTOP) so that the signal lands mid-work. A loaded machine may
 * let the child finish before the test sees it start: then the scenario is set up again
 * (`setup()`) and tried again, up to `attempts` times. Resolves to `{ code, stderr }` of
 * the interrupted run. Make such tests `test.serial`: the other tests of a file block the
 * process in spawnSync, and a blocked test cannot see the child start.
 */
export async function interruptMidway(t, args, { cwd, setup, started, attempts = 5 }) {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await setup()
    const child = cliChild(args, { cwd })
    let stderr = ''
    child.stderr.on('data', (b) => (stderr += b))
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
    while (child.exitCode === null && !started(child)) await new Promise((resolve) => setTimeout(resolve, 2))
    if (child.exitCode === null) {
      child.kill('SIGSTOP')
      child.kill('SIGINT')
      child.kill('SIGCONT')
    }
    const code = await exited
    if (code === 130) return { code, stderr }
    t.log(`attempt ${attempt}: ${args.join(' ')} ended (${code}) before it was interrupted; again`)
  }
  t.fail(`${args.join(' ')} always ended before it could be interrupted`)
  return { code: undefined, stderr: '' }
}

// The fuzzer's child process (run by fuzz.spec.mjs): fast-check throws hostile arguments at
// one exported function of eio and checks that each call either works or fails the Node
// way, never crashes, hangs or touches what it was not asked to.
//
//   node fuzz-child.mjs ROOT FUNCTION NUM_RUNS SEED RESULT_FILE
//
// ROOT is an empty directory (fuzz.spec.mjs mounts a small tmpfs there when it can). Under
// it: `box`, the sandbox and the cwd, rebuilt before every case, and `outside`, a sentinel
// the fuzzed calls can only reach through the symlink `box/link-out` and must never modify.
// Every argument is generated as a *recipe* (plain data that fast-check can shrink and
// print) and turned into a real value just before the call, against that case's fresh
// sandbox: so fds, Wds, detached buffers and revoked proxies are always the current ones,
// and every path is one inside the box (see `safePath`).

import fc from 'fast-check'
import crypto from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import * as eio from '../../index.js'

const [ROOT, FN, NUM_RUNS, SEED, RESULT] = process.argv.slice(2)
// Each function gets its own sequence of cases from the one seed.
const seed = [...FN].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, Number(SEED))
const BOX = path.join(ROOT, 'box')
const OUTSIDE = path.join(ROOT, 'outside')
const FIFO = path.join(ROOT, 'fifo')
const fn = FN.startsWith('selftest:') ? (await import('./fuzz-selftest.mjs'))[FN.slice(9)] : eio[FN]

/** Functions that return a value rather than a Promise and report errors by throwing. */
const SYNCHRONOUS = new Set([
  'sendfileSync', 'fadvise', 'madvise', 'mprotect', 'mmap', 'munmap', 'munlock', 'munlockall',
  'splice', 'tee', 'pipesize', 'pipe2', 'major', 'minor', 'makedev', 'configure',
  'nreqs', 'nready', 'npending', 'nthreads', 'group',
])
/** Functions returning async iterables: bad arguments may throw or reject the first next(). */
const ITERATORS = new Set(['walk', 'readdirIter'])
const CALL_TIMEOUT_MS = 5000
const ERROR_CODE = /^(ERR_[A-Z0-9_]+|E[A-Z0-9]+|ABORT_ERR)$/

// fds this process had before the fuzzer ran (libuv's epoll, eventfds, signal pipes):
// closing or writing one of them would break node itself, not test eio. A generated
// number equal to one of them is moved out of the way (to a number that is no fd).
const INTERNAL_FDS = new Set(fs.readdirSync('/proc/self/fd').map(Number).filter((n) => n > 2))
const tameFd = (n) => (INTERNAL_FDS.has(n) ? n + 100_000 : n)

// ---------------------------------------------------------------------------------------
// The sandbox

const SENTINEL = crypto.randomBytes(4096)
const NON_UTF8 = Buffer.from([0x66, 0xff, 0xfe, 0x80])

function buildBox() {
  fs.rmSync(BOX, { recursive: true, force: true })
  fs.mkdirSync(path.join(BOX, 'd', 'sub'), { recursive: true })
  fs.mkdirSync(path.join(BOX, 'empty'))
  fs.writeFileSync(path.join(BOX, 'a'), 'hello, world\n')
  fs.writeFileSync(path.join(BOX, 'sentinel'), SENTINEL, { mode: 0o644 })
  fs.writeFileSync(path.join(BOX, 'd', 'x'), 'x')
  fs.writeFileSync(Buffer.concat([Buffer.from(BOX + '/'), NON_UTF8]), 'bytes')
  fs.symlinkSync('../outside', path.join(BOX, 'link-out'))
  fs.symlinkSync('nope', path.join(BOX, 'dangling'))
  fs.symlinkSync('loop', path.join(BOX, 'loop'))
  fs.utimesSync(path.join(BOX, 'sentinel'), 1_000_000, 1_000_000)
}

function buildOutside() {
  fs.mkdirSync(OUTSIDE, { recursive: true })
  fs.writeFileSync(path.join(OUTSIDE, 'secret'), 'outside the box', { mode: 0o640 })
}

/** What a case may compare: every entry of a tree, not following symlinks. */
function snapshot(dir) {
  const out = {}
  const visit = (rel) => {
    const full = rel === '' ? dir : Buffer.concat([Buffer.from(dir + '/'), Buffer.from(rel, 'latin1')])
    let st
    try {
      st = fs.lstatSync(full, { bigint: true })
    } catch (e) {
      return
    }
    const rec = { mode: Number(st.mode), size: Number(st.size), uid: Number(st.uid), gid: Number(st.gid) }
    if (st.isFile()) rec.hash = crypto.createHash('sha1').update(fs.readFileSync(full)).digest('hex')
    if (st.isFile()) rec.mtime = String(st.mtimeNs)
    if (st.isSymbolicLink()) rec.link = fs.readlinkSync(full, 'latin1')
    out[rel] = rec
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(full, { encoding: 'buffer' })) visit(rel === '' ? name.toString('latin1') : `${rel}/${name.toString('latin1')}`)
    }
  }
  visit('')
  return out
}

/** The fds a call could open or close: node's own transient ones (it reads /sys, /proc) aside. */
const fdTable = () =>
  Object.fromEntries(
    fs
      .readdirSync('/proc/self/fd')
      .map((f) => {
        try {
          return [f, fs.readlinkSync(`/proc/self/fd/${f}`)]
        } catch {
          return [f, '?'] // the fd readdir itself used
        }
      })
      .filter(([, target]) => target.startsWith(ROOT) || /^(pipe|anon_inode):|^\/dev\//.test(target)),
  )

// ---------------------------------------------------------------------------------------
// Recipes: plain data describing an argument; `make` turns one into a value.

const specialNumbers = [
  0, -0, 1, -1, 2, 3, 7, 0o644, 0o777, 4096, 0x7ffff000, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32,
  2 ** 53 - 1, 2 ** 53, 2 ** 53 + 1, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity,
  0.5, -0.999, 1e-300, 13, 100,
]
const specialBigints = [0n, 1n, -1n, -2n, 4096n, 2n ** 31n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n, 10n ** 40n, -(10n ** 40n)]
const names = ['a', 'sentinel', 'd', 'd/x', 'd/sub', 'empty', 'new', 'new2', 'link-out', 'dangling', 'loop', 'nope/x', '.', '', 'a/', 'd/../a']
const words = ['r', 'r+', 'w', 'w+', 'a', 'ax', 'wx', 'rs+', 'buffer', 'utf8', 'utf-8', 'latin1', 'hex', '755', '0o7', '1', 'abc', '\u0000', 'a\u0000b', '\u{1f600}', '\ud800']
const bufferKinds = ['buffer', 'uint8', 'dataview', 'float64', 'detached', 'empty', 'sub', 'shared', 'mmap']

/** A safe single path component (or a `d/...` relative path) drawn freely. */
const randomName = fc
  .string({ unit: fc.constantFrom('a', 'b', '.', '-', ' ', '\u0000', 'é', '%', '\\'), maxLength: 6 })
  .filter((s) => s !== '..')

const leaf = fc.oneof(
  { arbitrary: fc.constantFrom(...specialNumbers).map((v) => ['num', v]), weight: 5 },
  { arbitrary: fc.integer({ min: -5000, max: 70000 }).map((v) => ['num', v]), weight: 2 },
  { arbitrary: fc.double().map((v) => ['num', v]), weight: 1 },
  { arbitrary: fc.constantFrom(...specialBigints).map((v) => ['bigint', String(v)]), weight: 2 },
  { arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((v) => ['bigint', String(v)]), weight: 1 },
  { arbitrary: fc.constantFrom(...names).map((v) => ['name', v]), weight: 5 },
  { arbitrary: fc.constantFrom(...names).map((v) => ['abs', v]), weight: 2 },
  { arbitrary: randomName.map((v) => ['name', v]), weight: 2 },
  { arbitrary: fc.constantFrom(...words).map((v) => ['str', v]), weight: 3 },
  { arbitrary: fc.constantFrom(...names).map((v) => ['bufpath', v]), weight: 2 },
  { arbitrary: fc.constantFrom('nonutf8', 'nul').map((v) => ['bufpath', v]), weight: 1 },
  { arbitrary: fc.constantFrom('file', 'file-nul', 'file-host', 'http', 'data', 'file-dotdot').map((v) => ['url', v]), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constantFrom(...bufferKinds), size: fc.constantFrom(0, 1, 13, 4096, 70000) }).map((v) => ['buf', v.kind, v.size]), weight: 5 },
  { arbitrary: fc.constantFrom('a', 'ro', 'sentinel', 'dir', 'pipe', 'closed').map((v) => ['fd', v]), weight: 6 },
  { arbitrary: fc.constantFrom('a', 'sentinel', 'dir').map((v) => ['fdobj', v]), weight: 2 },
  { arbitrary: fc.constantFrom('box', 'd', 'cwd', 'closed').map((v) => ['wd', v]), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('box', 'd', 'closed', 'null'), fc.constantFrom(...names)).map(([w, n]) => ['wdpair', w, n]), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      'undefined', 'null', 'true', 'false', 'symbol', 'function', 'asyncfn', 'revoked', 'throwing', 'getters',
      'emptyobj', 'emptyarr', 'date', 'regexp', 'promise', 'thenable', 'signal-aborted', 'signal-later',
      'signal-hostile', 'signal-getter', 'signal-fake-aborted', 'group-hostile', 'map', 'error',
    ).map((v) => ['special', v]),
    weight: 6,
  },
)

const optionKeys = ['signal', 'priority', 'group', 'encoding', 'maxDepth', 'followSymlinks', 'concurrency', 'onError', 'limit', 'feed', 'fd', 'length', 'minParallel', 'maxParallel', 'maxIdle', 'idleTimeout', 'maxPollReqs', 'maxPollTime']

const { recipe } = fc.letrec((tie) => ({
  recipe: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: leaf, weight: 8 },
    { arbitrary: tie('options'), weight: 1 },
    { arbitrary: tie('array'), weight: 1 },
  ),
  options: fc.dictionary(fc.constantFrom(...optionKeys), tie('recipe'), { maxKeys: 3 }).map((o) => ['object', o]),
  array: fc.array(tie('recipe'), { maxLength: 3 }).map((a) => ['array', a]),
}))

/** Plausible calls, as recipes: most bugs hide one wrong argument away from a right call. */
const N = (v) => ['num', v]
const F = (v) => ['fd', v]
const P = (v) => ['name', v]
const MAP = ['buf', 'mmap', 4096]
const PLAUSIBLE = {
  open: [P('a'), ['str', 'r+'], N(0o644)], close: [F('a')], seek: [F('a'), N(0), N(0)],
  read: [F('a'), N(0), N(5), ['buf', 'buffer', 13], N(0)], write: [F('a'), N(0), N(5), ['buf', 'buffer', 13], N(0)],
  sendfile: [F('sentinel'), F('ro'), N(0), N(5)], readahead: [F('a'), N(0), N(4096)],
  stat: [P('a')], lstat: [P('link-out')], statvfs: [P('a')], utime: [P('a'), N(1), N(2)], lutime: [P('link-out'), N(1), N(2)], chown: [P('a'), N(-1), N(-1)],
  chmod: [P('a'), N(0o644)], truncate: [P('a'), N(5)], allocate: [F('a'), N(0), N(0), N(4096)],
  unlink: [P('a')], mkdir: [P('new'), N(0o755)], rmdir: [P('empty')], mknod: [P('new'), N(0o100644), N(0)],
  link: [P('a'), P('new')], symlink: [P('a'), P('new')], readlink: [P('link-out')], realpath: [P('d/x')],
  rename: [P('a'), P('new'), N(0)], readdir: [P('d')], readdirx: [P('d'), N(0)], scandir: [P('d'), N(0)],
  load: [P('a')], copy: [P('a'), P('new')], move: [P('a'), P('new')], rmtree: [P('d')],
  fsync: [F('a')], fdatasync: [F('a')], syncfs: [F('a')], syncFileRange: [F('a'), N(0), N(5), N(0)], pathsync: [P('a')],
  msync: [MAP, N(0), N(4096), N(4)], mtouch: [MAP, N(0), N(4096)], mlock: [MAP, N(0), N(4096)],
  fiemap: [F('a'), N(0), N(4096), N(0), N(10)], nop: [], busy: [N(0.001)], wd: [P('d')], group: [['object', {}]],
  readdirIter: [P('d')], walk: [P('.')],
  sendfileSync: [F('sentinel'), F('ro'), N(0), N(5)], fadvise: [F('a'), N(0), N(5), N(0)],
  madvise: [MAP, N(0), N(4096), N(0)], mprotect: [MAP, N(0), N(4096), N(3)], mmap: [N(4096), N(3), N(0x22)],
  munmap: [MAP], munlock: [MAP, N(0), N(4096)], munlockall: [], splice: [F('a'), N(0), F('pipe'), ['special', 'null'], N(5), N(0)],
  tee: [F('pipe'), F('pipe'), N(5), N(0)], pipesize: [F('pipe')], pipe2: [N(0)], major: [N(0x801)], minor: [N(0x801)],
  makedev: [N(8), N(1)], configure: [['object', { maxIdle: N(4) }]],
}

/**
 * Argument positions that only take integers (fds, offsets, lengths, positions): a number
 * there that is not a safe integer (NaN, ±Infinity, 0.5, 2**53) must be refused with an
 * ERR_* code, never rounded or wrapped into a syscall (a NaN position once overwrote a
 * file's head: oven-sh/bun#36135).
 */
const INTEGER_ARGS = {
  read: [0, 1, 2, 4], write: [0, 1, 2, 4], sendfile: [0, 1, 2, 3], sendfileSync: [0, 1, 2, 3], readahead: [0, 1, 2],
  allocate: [0, 1, 2, 3], syncFileRange: [0, 1, 2, 3], fiemap: [0, 1, 2, 3, 4], seek: [0, 1, 2], close: [0],
  fsync: [0], fdatasync: [0], syncfs: [0], truncate: [1], fadvise: [0, 1, 2, 3], tee: [0, 1, 2], pipesize: [0],
}
const notSafeInteger = (v) => typeof v === 'number' && !Number.isSafeInteger(v)

/** The argument lists: free ones, and a plausible call with one or two arguments replaced. */
const argLists = (name, arity) => {
  const base = PLAUSIBLE[name] ?? Array.from({ length: arity }, () => P('a'))
  const mutated = fc
    .tuple(fc.array(fc.tuple(fc.nat(base.length), recipe), { minLength: 1, maxLength: 2 }), fc.boolean())
    .map(([edits, trim]) => {
      const out = base.slice()
      for (const [at, r] of edits) out[at] = r
      // Sometimes cut the list short: missing arguments are undefined.
      return trim && edits[0][0] < out.length ? out.slice(0, edits[0][0] + 1) : out
    })
  return fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: fc.array(recipe, { maxLength: base.length + 2 }), weight: 1 })
}

/** The live values a case's recipes are made from. */
let env

async function makeEnv() {
  buildBox()
  const open = (p, flags) => fs.openSync(path.join(BOX, p), flags)
  const e = {
    fds: {
      a: open('a', 'r+'),
      ro: open('a', 'r'),
      sentinel: open('sentinel', 'r+'),
      dir: fs.openSync(BOX, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY),
      // A FIFO without writers, opened non-blocking: reads see EOF at once, never block.
      pipe: fs.openSync(FIFO, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK),
      closed: 99_999,
    },
    wds: { box: await eio.wd(BOX), d: await eio.wd(path.join(BOX, 'd')), cwd: eio.CWD },
    controllers: [],
    maps: [],
  }
  e.wds.closed = await eio.wd(BOX)
  e.wds.closed.close()
  return e
}

function teardownEnv(e) {
  for (const c of e.controllers) c.abort()
  for (const m of e.maps) {
    try {
      eio.munmap(m)
    } catch {
      // already unmapped by the call under test
    }
  }
  for (const fd of Object.values(e.fds)) {
    try {
      if (fd !== 99_999) fs.closeSync(fd)
    } catch {
      // closed by the call under test
    }
  }
  e.wds.box.close()
  e.wds.d.close()
}

function makeBuffer(kind, size) {
  const fill = (b) => {
    for (let i = 0; i < b.length; i++) b[i] = (i * 7 + 1) & 0xff
    return b
  }
  switch (kind) {
    case 'buffer': return fill(Buffer.alloc(size))
    case 'uint8': return fill(new Uint8Array(size))
    case 'dataview': return new DataView(fill(new Uint8Array(size)).buffer)
    case 'float64': return new Float64Array(Math.ceil(size / 8))
    case 'empty': return Buffer.alloc(0)
    case 'sub': return fill(Buffer.alloc(size + 16)).subarray(8, 8 + size)
    case 'shared': return new Uint8Array(new SharedArrayBuffer(size))
    case 'detached': {
      const u = fill(new Uint8Array(size))
      structuredClone(u.buffer, { transfer: [u.buffer] })
      return u
    }
    case 'mmap': {
      if (typeof eio.mmap !== 'function') return Buffer.alloc(size)
      const m = eio.mmap(Math.max(size, 1), eio.constants.PROT_READ | eio.constants.PROT_WRITE, eio.constants.MAP_PRIVATE | eio.constants.MAP_ANONYMOUS)
      env.maps.push(m)
      return m
    }
  }
  throw new Error(`unknown buffer kind ${kind}`)
}

function make(r) {
  switch (r[0]) {
    case 'num': return tameFd(r[1])
    case 'bigint': return BigInt(r[1])
    case 'name': return r[1]
    case 'abs': return `${BOX}/${r[1]}`
    case 'str': return r[1]
    case 'bufpath':
      if (r[1] === 'nonutf8') return NON_UTF8
      if (r[1] === 'nul') return Buffer.from('a\u0000b')
      return Buffer.from(r[1])
    case 'url':
      switch (r[1]) {
        case 'file': return pathToFileURL(path.join(BOX, 'a'))
        case 'file-nul': return new URL(`${pathToFileURL(BOX).href}/a%00b`)
        case 'file-host': return new URL('file://example.com/a')
        case 'http': return new URL('http://example.com/a')
        case 'data': return new URL('data:text/plain,a')
        case 'file-dotdot': return new URL(`${pathToFileURL(BOX).href}/d/%2e%2e/a`)
      }
      break
    case 'buf': return makeBuffer(r[1], r[2])
    case 'fd': return env.fds[r[1]]
    case 'fdobj': return { fd: env.fds[r[1]] }
    case 'wd': return env.wds[r[1]]
    case 'wdpair': return [r[1] === 'null' ? null : env.wds[r[1]], r[2]]
    case 'object': return Object.fromEntries(Object.entries(r[1]).map(([k, v]) => [k, make(v)]))
    case 'array': return r[1].map(make)
    case 'special': return special(r[1])
  }
  throw new Error(`unknown recipe ${JSON.stringify(r)}`)
}

function special(kind) {
  const boom = () => {
    throw Object.assign(new Error('hostile getter'), { [HOSTILE]: true })
  }
  switch (kind) {
    case 'undefined': return undefined
    case 'null': return null
    case 'true': return true
    case 'false': return false
    case 'symbol': return Symbol('hostile')
    case 'function': return () => undefined
    case 'asyncfn': return async () => undefined
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      return proxy
    }
    case 'throwing': return new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom })
    case 'getters': {
      const o = {}
      for (const k of [...optionKeys, 'fd', 'aborted', 'addEventListener', 'removeEventListener', 'href', 'protocol', 'byteLength', 'buffer', 'then', 'add', 'priority']) {
        Object.defineProperty(o, k, { get: boom, enumerable: true })
      }
      return o
    }
    case 'emptyobj': return {}
    case 'emptyarr': return []
    case 'date': return new Date(0)
    case 'regexp': return /a/
    case 'promise': return Promise.resolve(1)
    case 'thenable': return { then: boom }
    case 'map': return new Map()
    case 'error': return new Error('an argument')
    case 'signal-aborted': return { signal: AbortSignal.abort() }
    case 'signal-later': {
      const c = new AbortController()
      env.controllers.push(c)
      queueMicrotask(() => c.abort())
      return { signal: c.signal }
    }
    case 'signal-hostile': return { signal: { aborted: false, addEventListener: boom, removeEventListener: boom } }
    case 'signal-getter': return { signal: { get aborted() { return boom() }, addEventListener() {}, removeEventListener() {} } }
    case 'signal-fake-aborted': return { signal: { aborted: true, reason: undefined, addEventListener() {}, removeEventListener() {} } }
    case 'group-hostile': return { group: { add: boom, get priority() { return boom() } } }
  }
  throw new Error(`unknown special ${kind}`)
}

/**
 * Functions whose *valid* arguments can still be costly or unsafe for a shared machine:
 * they are bounded here, and only in the direction of harmless (invalid values pass on).
 */
function tame(name, args) {
  const clamp = (v, max) => (typeof v === 'number' && Number.isFinite(v) && v > max ? max : v)
  switch (name) {
    case 'busy': args[0] = clamp(args[0], 0.01); break
    case 'mmap': args[0] = clamp(args[0], 1 << 20); break
    case 'configure': {
      // Thousands of threads, or a paused pool, would hurt everyone: cap the numbers.
      const o = args[0]
      if (o !== null && typeof o === 'object' && quietly(() => Object.getPrototypeOf(o) === Object.prototype)) {
        for (const k of Object.keys(o)) {
          const d = Object.getOwnPropertyDescriptor(o, k)
          if ('value' in d) o[k] = k === 'maxParallel' && d.value === 0 ? 1 : clamp(d.value, 8) // (getters stay hostile)
        }
      }
      break
    }
  }
  return args
}

// ---------------------------------------------------------------------------------------
// The property

/** Runs a type test that a revoked proxy would make throw; such a value is no path. */
function quietly(test) {
  try {
    return test()
  } catch {
    return false
  }
}

/** Refuses (as a harness bug) any path-looking argument that could leave the sandbox. */
function safePath(v, depth = 0) {
  if (depth > 3) return
  if (typeof v === 'string' || quietly(() => v instanceof Uint8Array)) {
    const s = typeof v === 'string' ? v : Buffer.from(v).toString('latin1')
    if ((s.startsWith('/') && !s.startsWith(BOX + '/')) || (s.split('/').includes('..') && !s.endsWith('d/../a'))) {
      throw new Error(`harness bug: unsafe path ${JSON.stringify(s)}`)
    }
  } else if (quietly(() => Array.isArray(v))) {
    for (const x of v) safePath(x, depth + 1)
  } else if (quietly(() => v instanceof URL) && v.protocol === 'file:' && v.host === '' && !decodeURIComponent(v.pathname).startsWith(BOX)) {
    // (A file: URL with a host is refused by fileURLToPath on POSIX, so it reaches nothing.)
    throw new Error(`harness bug: unsafe URL ${v.href}`)
  }
}

function isNodeError(e) {
  if (!(e instanceof Error) || typeof e.code !== 'string' || !ERROR_CODE.test(e.code)) return false
  if (/^E[A-Z]/.test(e.code) && !e.code.startsWith('ERR_')) return Number.isInteger(e.errno) && e.errno < 0 && typeof e.syscall === 'string'
  return true
}

/** Marks the errors the hostile arguments themselves throw: passing those on is fine. */
const HOSTILE = Symbol('hostile')
const acceptable = (e) => isNodeError(e) || (e instanceof Error && e[HOSTILE] === true)
const codeOf = (e) => (e[HOSTILE] ? 'ERR_HOSTILE_PASSED_ON' : e.code)

const describe = (e) => (e instanceof Error ? `${e.name} ${e.code ?? ''}: ${e.message}` : `non-Error ${String(e)}`)

function withTimeout(p, what) {
  let timer
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS)
    }),
  ])
}

const stats = { cases: 0, resolved: 0, codes: {} }

async function runCase(recipes) {
  env = await makeEnv()
  process.chdir(BOX) // relative names resolve inside the box
  const fdsBefore = fdTable()
  const boxBefore = snapshot(BOX)
  const outsideBefore = snapshot(OUTSIDE)
  let outcome // { ok: true } | { code }
  let made = [] // the arguments as passed
  try {
    const args = tame(FN, recipes.map(make))
    made = args.slice()
    safePath(args)
    let ret
    try {
      ret = fn(...args)
    } catch (e) {
      if (!SYNCHRONOUS.has(FN) && !ITERATORS.has(FN)) throw new Error(`${FN} threw synchronously: ${describe(e)}`)
      if (!acceptable(e)) throw new Error(`${FN} threw a non-Node error: ${describe(e)}`)
      outcome = { code: codeOf(e) }
    }
    if (outcome === undefined) {
      try {
        if (ITERATORS.has(FN) && ret && typeof ret[Symbol.asyncIterator] === 'function') {
          await withTimeout(
            (async () => {
              let n = 0
              for await (const _ of ret) if (++n >= 50) break
            })(),
            FN,
          )
        } else if (ret && typeof ret.then === 'function') {
          const value = await withTimeout(Promise.resolve(ret), FN)
          if (value instanceof eio.Wd) value.close()
        } else if (!SYNCHRONOUS.has(FN)) {
          throw new Error(`${FN} returned ${typeof ret}, not a Promise`)
        } else if (FN === 'mmap' && ret) {
          env.maps.push(ret)
        }
        outcome = { ok: true }
      } catch (e) {
        if (String(e.message).startsWith('hang:') || String(e.message).startsWith(`${FN} returned`)) throw e
        if (!acceptable(e)) throw new Error(`${FN} rejected with a non-Node error: ${describe(e)}`)
        outcome = { code: codeOf(e) }
      }
    }
  } finally {
    if (FN === 'configure') eio.configure({ minParallel: 1, maxParallel: 8, maxIdle: 4, idleTimeout: 10, maxPollReqs: 0, maxPollTime: 0 })
  }
  await eio.flush()

  const strict = (INTEGER_ARGS[FN] ?? []).filter((i) => notSafeInteger(made[i]))
  if (strict.length > 0 && !outcome.code?.startsWith('ERR_')) {
    throw new Error(`${FN} took ${strict.map((i) => String(made[i])).join(', ')} for an integer: ${JSON.stringify(outcome)}`)
  }

  stats.cases++
  if (outcome.ok) stats.resolved++
  else stats.codes[outcome.code] = (stats.codes[outcome.code] ?? 0) + 1

  // Nothing outside the box may ever change.
  assertSame(snapshot(OUTSIDE), outsideBefore, 'the tree outside the sandbox')
  if (outcome.code?.startsWith('ERR_')) {
    // Rejected arguments: no syscall ran, so nothing changed, no fd came or went.
    assertSame(snapshot(BOX), boxBefore, `the sandbox after a ${outcome.code} rejection`)
    assertSame(fdTable(), fdsBefore, `the fd table after a ${outcome.code} rejection`)
  } else if (outcome.code !== undefined && outcome.code !== 'ABORT_ERR') {
    // A failed call must not have written into the sentinel (e.g. at a bad offset).
    const s = snapshot(BOX).sentinel
    const b = boxBefore.sentinel
    if (s && (s.hash !== b.hash || s.size !== b.size)) throw new Error(`a ${outcome.code} rejection modified the sentinel file`)
  }
  closeStrays(fdsBefore)
  teardownEnv(env)
}

function assertSame(now, before, what) {
  const a = JSON.stringify(now)
  const b = JSON.stringify(before)
  if (a !== b) {
    const keys = new Set([...Object.keys(now), ...Object.keys(before)])
    const diff = [...keys].filter((k) => JSON.stringify(now[k]) !== JSON.stringify(before[k]))
    throw new Error(`${what} changed: ${diff.map((k) => `${k}: ${JSON.stringify(before[k])} -> ${JSON.stringify(now[k])}`).join('; ')}`)
  }
}

/** Closes fds the call opened and left (open, pipe2, ...): those are the caller's to close. */
function closeStrays(before) {
  for (const [fd, target] of Object.entries(fdTable())) {
    if (before[fd] === undefined && (target.startsWith(ROOT) || target.startsWith('pipe:'))) {
      try {
        fs.closeSync(Number(fd))
      } catch {
        // gone meanwhile
      }
    }
  }
}

// ---------------------------------------------------------------------------------------

buildOutside()
execFileSync('mkfifo', [FIFO])
let failure = null
try {
  await fc.assert(
    fc.asyncProperty(argLists(FN, fn.length), async (recipes) => {
      process.chdir(ROOT)
      await runCase(recipes)
    }),
    { numRuns: Number(NUM_RUNS), seed, endOnFailure: true, interruptAfterTimeLimit: 60_000 },
  )
} catch (e) {
  failure = `${e.message}\n${e.cause instanceof Error ? e.cause.stack : String(e.cause ?? '')}`
}
fs.writeFileSync(RESULT, JSON.stringify({ fn: FN, failure, ...stats }))
process.exit(0)

// Hostile option objects: revoked proxies, throwing getters, and AbortSignal look-alikes
// that throw, lie or call back at the wrong time. Each request rejects (never throws),
// never runs when it was refused, and never stays outstanding (flush() settles, nreqs()
// drops back to 0), so no request is stranded. Serial: nreqs() counts every test's requests.

import test from 'ava'
import fs from 'node:fs'
import path from 'node:path'

import * as eio from '../../index.js'
import { tmpdir } from '../helpers.mjs'

function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

const boom = () => {
  throw new Error('hostile')
}

/** An options object whose every interesting property throws when read. */
function throwingGetters() {
  const o = {}
  for (const k of ['signal', 'priority', 'group', 'encoding']) Object.defineProperty(o, k, { get: boom, enumerable: true })
  return o
}

/** An object that throws from every trap. */
const trapsThrow = () => new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom })

/** Calls each request with `options` in its options slot; the requests touch `dir`. */
function calls(dir, options) {
  const file = path.join(dir, 'file')
  return {
    readdir: () => eio.readdir(dir, options),
    stat: () => eio.stat(file, options),
    lstat: () => eio.lstat(file, options),
    open: () => eio.open(path.join(dir, 'created'), 'wx', 0o644, options),
    mkdir: () => eio.mkdir(path.join(dir, 'made'), 0o755, options),
    unlink: () => eio.unlink(file, options),
    nop: () => eio.nop(options),
    ...(eio.readdirx && { readdirx: () => eio.readdirx(dir, 0, options) }),
    ...(eio.chmod && { chmod: () => eio.chmod(file, 0o600, options) }),
    ...(eio.load && { load: () => eio.load(file, options) }),
    ...(eio.rmtree && { rmtree: () => eio.rmtree(path.join(dir, 'tree'), options) }),
  }
}

function setup(t) {
  const dir = tmpdir(t)
  fs.writeFileSync(path.join(dir, 'file'), 'data', { mode: 0o644 })
  fs.mkdirSync(path.join(dir, 'tree'))
  return dir
}

/** What the requests above could have changed. */
const state = (dir) => ({
  names: fs.readdirSync(dir).sort(),
  mode: fs.statSync(path.join(dir, 'file')).mode,
})

async function assertNothingRanOrStranded(t, dir, before) {
  await eio.flush()
  t.is(eio.nreqs(), 0, 'no request outstanding')
  t.deepEqual(state(dir), before, 'no refused request ran')
}

const badOptions = {
  'a revoked proxy': revoked,
  'a proxy whose traps throw': trapsThrow,
  'throwing getters': throwingGetters,
  'a revoked proxy as signal': () => ({ signal: revoked() }),
  'a revoked proxy as group': () => ({ group: revoked() }),
  'a signal whose aborted getter throws': () => ({ signal: { get aborted() { return boom() }, addEventListener() {}, removeEventListener() {} } }),
  'a signal whose addEventListener throws': () => ({ signal: { aborted: false, addEventListener: boom, removeEventListener() {} } }),
  'a group whose add throws': () => ({ group: { add: boom } }),
  'a Symbol': () => Symbol('options'),
  'a function': () => () => {},
}

for (const [what, make] of Object.entries(badOptions)) {
  test.serial(`requests reject ${what} as options, run nothing and strand nothing`, async (t) => {
    const dir = setup(t)
    const before = state(dir)
    for (const [name, call] of Object.entries(calls(dir, make()))) {
      let promise
      t.notThrows(() => {
        promise = call()
      }, `${name} must not throw synchronously`)
      const err = await t.throwsAsync(promise, undefined, `${name} rejects`)
      // Either eio's own validation error, or the hostile object's own exception passed on.
      t.true(typeof err?.code === 'string' || err?.message === 'hostile', `${name}: ${err?.code} ${err?.message}`)
    }
    await assertNothingRanOrStranded(t, dir, before)
  })
}

test.serial('a signal that aborts from inside addEventListener strands nothing', async (t) => {
  const dir = setup(t)
  const signal = {
    aborted: false,
    addEventListener(type, listener) {
      listener() // a real AbortSignal never calls back from here
    },
    removeEventListener() {},
  }
  for (const [name, call] of Object.entries(calls(dir, { signal }))) {
    // The request may take the abort or miss it; either way it settles, the Node way.
    const outcome = await call().then(
      () => 'fulfilled',
      (err) => err.code,
    )
    t.true(outcome === 'fulfilled' || typeof outcome === 'string', `${name}: ${outcome}`)
  }
  await eio.flush()
  t.is(eio.nreqs(), 0, 'no request outstanding')
})

test.serial('a signal that fires twice, or after completion, changes nothing', async (t) => {
  const dir = setup(t)
  const listeners = []
  const signal = {
    aborted: false,
    addEventListener(type, listener) {
      listeners.push(listener)
    },
    removeEventListener() {}, // keeps the listener, so it can fire late
  }
  await eio.mkdir(path.join(dir, 'made'), 0o755, { signal })
  t.true(fs.existsSync(path.join(dir, 'made')))
  for (const l of listeners) {
    l()
    l()
  }
  await eio.flush()
  t.is(eio.nreqs(), 0)
  // The pool still works.
  t.deepEqual((await eio.readdir(dir)).sort(), ['file', 'made', 'tree'])
})

test.serial('a signal whose removeEventListener throws still settles its request and the rest of the batch', async (t) => {
  const dir = setup(t)
  const signal = { aborted: false, addEventListener() {}, removeEventListener: boom }
  const hostile = eio.stat(path.join(dir, 'file'), { signal })
  const others = Array.from({ length: 20 }, () => eio.stat(path.join(dir, 'file')))
  // The hostile request's completion cannot call its signal back: it rejects with that error.
  await t.throwsAsync(hostile, { message: 'hostile' })
  for (const st of await Promise.all(others)) t.is(st.size, 4)
  await eio.flush()
  t.is(eio.nreqs(), 0)
})

test.serial('a signal-like object that says aborted rejects at once and submits nothing', async (t) => {
  const dir = setup(t)
  const before = state(dir)
  const signal = { aborted: true, reason: new Error('why'), addEventListener: boom, removeEventListener: boom }
  for (const [name, call] of Object.entries(calls(dir, { signal }))) {
    const err = await t.throwsAsync(call(), undefined, name)
    t.is(err?.code, 'ABORT_ERR', name)
  }
  await assertNothingRanOrStranded(t, dir, before)
})

// The engine: the JS half of every request. Every request gets a slot number from the
// binding and a record here; the binding's batched drain calls `dispatch` with many
// completions at once, which settles their promises. Also: request options (priority,
// signal, group), AbortSignal wiring, flush().

import { binding } from './native.js'
import { AbortError, abortError, invalidArgType, outOfRange } from './errors.js'
import { isUnusableProxy, validateObject, validateSignal } from './validators.js'
import * as wire from './wire.js'

export const PRI_MIN = -4
export const PRI_MAX = 4
export const PRI_DEFAULT = 0

/** How a successful completion becomes the promise's value. */
export const enum Out {
  /** `undefined` */
  Void,
  /** the value the wire carried (see wire.ts `decode`) */
  Value,
}

/**
 * Something that joins groups: implemented by AsyncGroup.
 *
 * @group Options and arguments
 */
export interface GroupLike {
  /** Adopts request promises (or groups) as members; throws if the group has finished, even given none. */
  add(...members: unknown[]): unknown
  /** The priority members get when they name none. */
  readonly priority?: number
}

/**
 * The options every request takes.
 *
 * @group Options and arguments
 */
export interface RequestOptions {
  /**
   * Aborting before the request runs skips it; aborting while it runs lets the syscall
   * finish on its thread and frees what it acquired then (`flush()` waits for that). Either
   * way the promise rejects with an `AbortError` at once.
   */
  signal?: AbortSignal
  /** `PRI_MIN` (-4) to `PRI_MAX` (4), default 0 (or the group's): higher runs first. */
  priority?: number
  /** The `AsyncGroup` the request joins, as if `group.add(request)` was called. */
  group?: GroupLike
}

/** Validated request options. */
export interface Opts {
  priority: number
  signal: AbortSignal | undefined
  group: GroupLike | undefined
}

/** The options of a request made without any. */
export const NO_OPTIONS: Opts = { priority: PRI_DEFAULT, signal: undefined, group: undefined }

/** Checks a request's options argument; `undefined` costs nothing. */
export function requestOptions(options: unknown, name = 'options'): Opts {
  if (options === undefined || options === null) return NO_OPTIONS
  const o = validateObject(options, name)
  const group = o.group as GroupLike | undefined
  if (group !== undefined && (group === null || typeof group !== 'object' || isUnusableProxy(group) || typeof group.add !== 'function')) {
    throw invalidArgType(`${name}.group`, 'an instance of AsyncGroup', group)
  }
  // Members inherit their group's priority unless they name one (IO::AIO's composites
  // and groups re-apply theirs to each sub-request).
  let priority = group?.priority ?? PRI_DEFAULT
  if (o.priority !== undefined) {
    if (typeof o.priority !== 'number') throw invalidArgType(`${name}.priority`, 'of type number', o.priority)
    if (!Number.isInteger(o.priority) || o.priority < PRI_MIN || o.priority > PRI_MAX) {
      throw outOfRange(`${name}.priority`, `an integer >= ${PRI_MIN} and <= ${PRI_MAX}`, o.priority)
    }
    priority = o.priority
  }
  const signal = validateSignal(o.signal, `${name}.signal`)
  return { priority, signal, group }
}

/** How the result becomes the promise's value: an `Out`, or a function applied to it. */
export type Convert = Out | ((value: unknown) => unknown)

/** Set while `request` validates a request whose signal was already aborted. */
let withdrawing = false

/** Marks a request's promise with its record, so that groups can cancel it. */
const kRequest = Symbol('eio.request')

/** One request in flight. */
interface Pending {
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
  out: Convert
  syscall: string
  path: unknown
  dest: unknown
  signal: AbortSignal | undefined
  /** Whether it is in its signal's watch (see `watchSignal`). */
  watched: boolean
  aborted: boolean
  id: number
  /** Why it was cancelled, when not by its signal. */
  reason?: unknown
}

const pending: (Pending | undefined)[] = []
/**
 * The buffer of each read in flight, by slot: the binding copies the bytes read into it at
 * completion, and holding it here keeps it alive until then without a Node-API reference
 * per read. Set by `read` after the binding call, cleared with the slot's record: only
 * where set, since storing `undefined` far beyond the array's end (slot numbers of a
 * million nops in flight) would turn it into a slow dictionary.
 */
export const readTargets: (ArrayBufferView | undefined)[] = []
/** Whether a microtask will hand this job's requests to the pool. */
let submitQueued = false

function submitStaged(): void {
  submitQueued = false
  binding.submitStaged()
}

/**
 * The binding stages requests: they enter the pool together when this JS job ends
 * (`submitStaged`), which also ends the job for the binding's JS-thread policy.
 */
function endOfJob(): void {
  if (!submitQueued) {
    submitQueued = true
    queueMicrotask(submitStaged)
  }
}

/** The promise of a request the binding answered during the call (`wire.ANSWERED_NOW`). */
export function answeredNow<T>(value: T): Promise<T> {
  endOfJob()
  return Promise.resolve(value)
}
let outstanding = 0
/**
 * Requests aborted while running: their promises have settled, their syscalls not yet
 * returned (what those acquire is freed then). flush() waits for them too.
 */
let abandoned = 0
let flushWaiters: (() => void)[] = []

function dispatch(view: Float64Array, count: number, extras: unknown[] | undefined, more: boolean): void {
  wire.attach(view)
  for (let i = 0, at = wire.RECORDS_AT; i < count; i++, at += wire.RECORD) {
    const id = view[at]
    const rec = pending[id]
    if (rec === undefined) {
      abandoned-- // the binding freed what it returned
      continue
    }
    pending[id] = undefined
    if (readTargets[id] !== undefined) readTargets[id] = undefined
    outstanding--
    const tag = view[at + 1]
    // The two completions made most often (a stat; a request with nothing to report)
    // settle here, without `settle`'s checks or `wire.decode`'s switch: no signal to
    // unwatch, not aborted, and the value as the wire carries it.
    if (!rec.watched && !rec.aborted) {
      if (tag === wire.Tag.Stat && rec.out === Out.Value) {
        rec.resolve(wire.stats(view[at + 2]))
        continue
      }
      if (tag === wire.Tag.Undefined && rec.out === Out.Void) {
        rec.resolve(undefined)
        continue
      }
    }
    try {
      settle(rec, tag, view[at + 2], view[at + 3], extras)
    } catch (err) {
      // Only user objects can throw here (a signal whose removeEventListener throws);
      // the rest of the batch must still settle.
      rec.reject(err)
    }
  }
  if (idle() && flushWaiters.length > 0) settleFlush()
  // The drain stopped at maxPollReqs/maxPollTime: let timers and I/O run, then go on.
  if (more) setImmediate(binding.poll)
}

function settle(rec: Pending, tag: number, a: number, b: number, extras: unknown[] | undefined): void {
  if (rec.watched) unwatchSignal(rec)
  if (rec.aborted || tag === wire.Tag.Aborted) {
    rec.reject(abortErrorFor(rec))
  } else if (tag >= wire.Tag.Errno) {
    rejectWithCallerStack(rec, () => wire.failure(tag, a, b, extras, rec.syscall, rec.path, rec.dest))
  } else if (rec.out === Out.Void) {
    rec.resolve(undefined)
  } else {
    const value = wire.decode(tag, a, b, extras)
    rec.resolve(rec.out === Out.Value ? value : rec.out(value))
  }
}

/**
 * Rejects `rec`'s promise with the error `make()` builds, inside a promise reaction that
 * the promise adopts, as fs.promises does (`handleErrorFromBinding`): the error's stack
 * then walks the promise's awaiters and names the caller's async functions
 * (`at async yourFunction`), where an error made in the drain would show only the
 * drain's frames. The reaction runs only after the promise adopted `failed` (its job is
 * queued first), so that the chain to the awaiters exists when the stack is taken. Only
 * failures pay for it: two promises and two microtask ticks.
 */
function rejectWithCallerStack(rec: Pending, make: () => Error): void {
  let fail!: () => void
  const gate = new Promise<never>((_, reject) => {
    fail = reject
  })
  const failed = gate.then(undefined, function capture() {
    const err = make()
    Error.captureStackTrace(err, capture)
    throw err
  })
  rec.resolve(failed)
  fail()
}

/**
 * The requests waiting on one signal, behind a single 'abort' listener. One listener per
 * request would cost quadratic time (Node's EventTarget removes listeners by a linear
 * search: 40k requests sharing a signal took 5 s instead of 0.15 s) and print
 * MaxListenersExceededWarning as soon as 11 requests share a signal.
 */
interface SignalWatch {
  recs: Set<Pending>
  onAbort: () => void
}

const watches = new WeakMap<AbortSignal, SignalWatch>()

function watchSignal(signal: AbortSignal, rec: Pending): void {
  let watch = watches.get(signal)
  if (watch === undefined) {
    const recs = new Set<Pending>()
    const onAbort = () => {
      // `once` removed the listener; the requests leave the watch as they are aborted.
      watches.delete(signal)
      for (const r of recs) {
        r.watched = false
        abortRequest(r.id, r)
      }
    }
    signal.addEventListener('abort', onAbort, { once: true })
    watch = { recs, onAbort }
    watches.set(signal, watch)
  }
  watch.recs.add(rec)
  rec.watched = true
}

/** Takes `rec` out of its signal's watch; the listener goes with the last request. */
function unwatchSignal(rec: Pending): void {
  rec.watched = false
  const signal = rec.signal!
  const watch = watches.get(signal)
  if (watch === undefined || !watch.recs.delete(rec) || watch.recs.size > 0) return
  watches.delete(signal)
  signal.removeEventListener('abort', watch.onAbort)
}

function abortErrorFor(rec: Pending) {
  return rec.signal?.aborted ? abortError(rec.signal) : new AbortError(undefined, { cause: rec.reason })
}

function settleFlush(): void {
  const waiters = flushWaiters
  flushWaiters = []
  for (const w of waiters) w()
}

wire.attach(binding.init(dispatch, readTargets))
// At exit, threads may still finish requests: make them drop the results quietly.
process.once('exit', () => binding.shutdown())

/** The resolving functions of the promise `track` makes, handed over by `takeResolvers`. */
const noResolver = (): void => {}
let madeResolve: (value: unknown) => void = noResolver
let madeReject: (reason: unknown) => void = noResolver

/** One executor for every request's promise: no closure (and context) per request. */
function takeResolvers(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  madeResolve = resolve as (value: unknown) => void
  madeReject = reject
}

/**
 * Registers the request the binding just queued as slot `id` and returns its promise.
 * `syscall`, `path` and `dest` describe it in errors.
 */
export function track<T>(id: number, opts: Opts, out: Convert, syscall: string, path?: unknown, dest?: unknown): Promise<T> {
  if (withdrawing) {
    // Its signal was already aborted (see `request`): still staged, it is skipped.
    binding.cancel(id)
    if (readTargets[id] !== undefined) readTargets[id] = undefined
    return new Promise<T>(() => {})
  }
  const promise = new Promise<T>(takeResolvers)
  const rec: Pending = { resolve: madeResolve, reject: madeReject, out, syscall, path, dest, signal: undefined, watched: false, aborted: false, id }
  // Held here, they would keep the last promise, and its value, alive.
  madeResolve = madeReject = noResolver
  pending[id] = rec
  endOfJob()
  ;(promise as Promise<T> & { [kRequest]?: Pending })[kRequest] = rec
  outstanding++
  try {
    const signal = opts.signal
    if (signal !== undefined) {
      rec.signal = signal
      watchSignal(signal, rec)
    }
    if (opts.group !== undefined) opts.group.add(promise)
  } catch (err) {
    // A hostile signal or a finished group: the request must not run for a promise that
    // nobody will hold. It is still staged, so cancelling it skips it.
    withdraw(id, rec)
    throw err
  }
  return promise
}

function withdraw(id: number, rec: Pending): void {
  try {
    if (rec.watched) unwatchSignal(rec)
  } catch {
    // The signal is what failed; nothing more to undo there.
  }
  rec.aborted = true
  // Nobody holds the promise: it is left pending. The request is skipped (or, should a
  // worker have taken it already, abandoned: what it acquires is freed when it returns).
  if (!binding.cancel(id)) abandoned++
  pending[id] = undefined
  if (readTargets[id] !== undefined) readTargets[id] = undefined
  outstanding--
}

function abortRequest(id: number, rec: Pending): void {
  if (pending[id] !== rec) return
  rec.aborted = true
  // Still queued, it is gone and no completion will come. Running, its syscall finishes
  // on its thread (it may never, as an open of a FIFO without a writer), and the binding
  // frees what it returns then; either way the promise rejects now.
  if (!binding.cancel(id)) abandoned++
  pending[id] = undefined
  if (readTargets[id] !== undefined) readTargets[id] = undefined
  outstanding--
  rec.reject(abortErrorFor(rec))
  if (idle() && flushWaiters.length > 0) settleFlush()
}

/**
 * Cancels the request behind `promise` (one that an eio request function returned): it
 * rejects with an AbortError, as if its signal had aborted, and `reason` becomes the
 * error's cause. False if it is not an eio request or has already settled.
 */
export function cancelRequest(promise: unknown, reason?: unknown): boolean {
  const rec = (promise as { [kRequest]?: Pending } | null)?.[kRequest]
  if (rec === undefined || pending[rec.id] !== rec || rec.aborted) return false
  if (rec.watched) unwatchSignal(rec)
  rec.reason = reason
  abortRequest(rec.id, rec)
  return true
}

/** Whether `promise` is one that an eio request function returned (groups watch those). */
export function isRequest(promise: unknown): boolean {
  return typeof promise === 'object' && promise !== null && kRequest in promise
}

/**
 * Runs `submit` (validation plus one binding call) so that nothing throws: bad arguments
 * reject, an already-aborted signal rejects without submitting.
 */
export function request<T>(options: unknown, submit: (opts: Opts) => Promise<T>): Promise<T> {
  try {
    const opts = requestOptions(options)
    // A finished group throws on `add()`, even given no member: refuse before anything
    // exists (else the aborted promise below would be left rejected with no handler).
    opts.group?.add()
    if (opts.signal?.aborted) {
      // Arguments are checked first, as Node does, so a bad one is reported even with an
      // aborted signal; `track` then withdraws the staged request, so nothing runs.
      withdrawing = true
      try {
        submit(opts).catch(() => {})
      } finally {
        withdrawing = false
      }
      const p = Promise.reject(abortError(opts.signal))
      // A request's promise still (with no record: nothing left to cancel).
      ;(p as Promise<T> & { [kRequest]?: Pending })[kRequest] = undefined
      if (opts.group !== undefined) opts.group.add(p)
      return p as Promise<T>
    }
    return submit(opts)
  } catch (err) {
    return Promise.reject(err)
  }
}

/** No request of this environment is outstanding, nor running after an abort. */
function idle(): boolean {
  return outstanding === 0 && abandoned === 0
}

/**
 * A promise that fulfils once no request of this environment is outstanding: every
 * promise settled, and every request aborted while running has returned (so that what it
 * acquired is freed).
 */
export function flush(): Promise<void> {
  if (idle()) return Promise.resolve()
  return new Promise((resolve) => flushWaiters.push(resolve))
}

/** Requests of this environment not yet settled. */
export function outstandingCount(): number {
  return outstanding
}

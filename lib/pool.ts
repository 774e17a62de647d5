// The pool's settings and IO::AIO's counters.

import { binding } from './native.js'
import { flush as requestsSettled } from './engine.js'
import { optionKeys, validateInteger, validateObject, validateOptionKeys, validateSeconds } from './validators.js'

/**
 * Groups of this environment not yet settled. IO::AIO counts a group as a request from its
 * creation until its callback has run (t/06_group.t: an empty group is one request), so
 * `nreqs()` counts them and `flush()` waits for them.
 */
let liveGroups = 0
let groupWaiters: (() => void)[] = []

/** Called by every new group. */
export function groupOpened(): void {
  liveGroups++
}

/** Called once by every group when it settles (fulfilled, rejected or cancelled). */
export function groupSettled(): void {
  liveGroups--
  if (liveGroups > 0 || groupWaiters.length === 0) return
  const waiters = groupWaiters
  groupWaiters = []
  for (const w of waiters) w()
}

/**
 * A promise that fulfils once no request and no group of this environment is outstanding
 * (IO::AIO's `flush`). Settling groups may make requests, and requests' continuations
 * groups: it waits until both are none at once.
 *
 * @group The pool
 */
export async function flush(): Promise<void> {
  for (;;) {
    await requestsSettled()
    if (liveGroups === 0) return
    await new Promise<void>((resolve) => groupWaiters.push(resolve))
  }
}

/**
 * IO::AIO's pool settings; times in seconds.
 *
 * @group Options and arguments
 */
export interface PoolOptions {
  /** At least this many threads may run (IO::AIO's `min_parallel`; default 8). */
  minParallel?: number
  /** At most this many threads may run; 0 pauses execution (IO::AIO's `max_parallel`). */
  maxParallel?: number
  /** Idle threads beyond this many exit after `idleTimeout` (default 4). */
  maxIdle?: number
  /** Seconds an idle thread beyond `maxIdle` waits before exiting (default 10). */
  idleTimeout?: number
  /** Most completions handled per event-loop turn; 0 is unlimited (the default). */
  maxPollReqs?: number
  /** Most seconds spent handling completions per event-loop turn; 0 is unlimited. */
  maxPollTime?: number
}

const THREADS_MAX = 1024
const CONFIGURE_OPTIONS = optionKeys('configure', ['minParallel', 'maxParallel', 'maxIdle', 'idleTimeout', 'maxPollReqs', 'maxPollTime'])

/**
 * Changes the pool's settings (IO::AIO's `min_parallel` ... `max_poll_time`). Threads are
 * shared by the whole process; `maxPollReqs` and `maxPollTime` apply to this environment.
 * Lowering `maxParallel` returns at once; surplus threads exit when their request ends.
 *
 * @group The pool
 */
export function configure(options: PoolOptions): void {
  const o = validateObject(options, 'options')
  validateOptionKeys(o, CONFIGURE_OPTIONS)
  const n = (key: keyof PoolOptions, max: number): number | undefined =>
    o[key] === undefined ? undefined : validateInteger(o[key], `options.${key}`, 0, max)
  const s = (key: keyof PoolOptions): number | undefined =>
    o[key] === undefined ? undefined : validateSeconds(o[key], `options.${key}`)
  binding.configure({
    minParallel: n('minParallel', THREADS_MAX),
    maxParallel: n('maxParallel', THREADS_MAX),
    maxIdle: n('maxIdle', THREADS_MAX),
    idleTimeout: s('idleTimeout'),
    maxPollReqs: n('maxPollReqs', 2 ** 32 - 1),
    maxPollTime: s('maxPollTime'),
  })
}

/**
 * Requests of this environment not yet settled, groups included (IO::AIO's `nreqs`).
 *
 * @group The pool
 */
export function nreqs(): number {
  return binding.nreqs() + liveGroups
}

/**
 * Requests of this environment waiting for a thread (IO::AIO's `nready`).
 *
 * @group The pool
 */
export function nready(): number {
  return binding.nready()
}

/**
 * Requests of this environment executed, whose promises are not yet settled (`npending`).
 *
 * @group The pool
 */
export function npending(): number {
  return binding.npending()
}

/**
 * Worker threads in the process (IO::AIO's `nthreads`).
 *
 * @group The pool
 */
export function nthreads(): number {
  return binding.nthreads()
}

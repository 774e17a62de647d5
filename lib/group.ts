// AsyncGroup: IO::AIO's aio_group for promises. A group collects members (eio request
// promises, other groups, any promise or thenable), can generate them on demand with a
// feeder bounded by `limit`, and settles once every member has settled.
//
// Life of a group (`State`): Open → Done when its members have drained; Open → Draining
// on cancelSubs() → Done; Open or Draining → Cancelled on cancel(). Only outstanding
// members are held: a million fed requests cost `limit` entries, never a million.
//
// What `await grp` does with members' errors: a member's error is the group's unless user
// code took it. A member that user code subscribed to (then, catch, finally, await,
// Promise.all...) while it was in the group hands its error down that chain, where it is
// handled, or reported by Node as unhandled; only errors nobody took make the group reject
// (the first of them). So a feeder that handles each member's failure itself gets a group
// that fulfils, and an error nobody handled still reaches the user: through `await grp`,
// or, if nobody awaits the group, as the group's unhandled rejection. Subscriptions are
// seen on eio's own requests and on nested groups; any other promise added to a group
// counts as not taken (add `p.catch(...)` instead to handle its error yourself).
//
// Where IO::AIO gives no answer a Node user could rely on, the choices are:
// - A cancelled group rejects with an AbortError at once (IO::AIO never calls it back).
// - A feeder that throws is removed and the group rejects with its exception once the
//   members in flight have settled (IO::AIO swallows it, hiding the bug).
// - Members added to a cancelled or draining group are cancelled on arrival instead of
//   throwing, so that late continuations never leak a request or an unhandled rejection;
//   only a group that has finished normally refuses members (ERR_INVALID_STATE).

import { cancelRequest, type GroupLike, isRequest, PRI_DEFAULT, PRI_MAX, PRI_MIN } from './engine.js'
import { AbortError, invalidArgType, invalidArgValue, invalidState } from './errors.js'
import { groupOpened, groupSettled } from './pool.js'
import { optionKeys, validateFunction, validateInteger, validateObject, validateOptionKeys, validateSignal } from './validators.js'

const GROUP_OPTIONS = optionKeys('group', ['limit', 'feed', 'signal', 'priority'])

/**
 * Generates members: called with the group whenever it has fewer than `limit` outstanding.
 *
 * @group Options and arguments
 */
export type Feeder<T = unknown> = (group: AsyncGroup<T>) => void

/**
 * Options of `group()`.
 *
 * @group Options and arguments
 */
export interface GroupOptions<T = unknown> {
  /** The feeder's concurrency: it is called while fewer members are outstanding. Default 0 (2 once a feeder is set). */
  limit?: number
  /** A feeder, as if set with `grp.feed(fn)` (it runs at once, before `group()` returns). */
  feed?: Feeder<T>
  /** Aborting it cancels the group, as `grp.cancel(signal.reason)`. */
  signal?: AbortSignal
  /** The priority of requests submitted with `{ group }` that name none (-4..4, default 0). */
  priority?: number
}

const enum State {
  /** Takes members; settles once they have all settled. */
  Open,
  /** cancelSubs() was called: members are cancelled (late ones on arrival), their outcomes no longer count. */
  Draining,
  /** Settled after its members: `add` throws. */
  Done,
  /** cancel() was called: rejected with an AbortError; late members are cancelled on arrival. */
  Cancelled,
}

/** What a member must be: anything with a `then` method. */
type Member = PromiseLike<unknown>

function isThenable(value: unknown): value is Member {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** Node's default abort reason, as `AbortController.abort()` makes it. */
function defaultReason(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError')
}

/** eio requests in a group that user code subscribed to: their errors are the user's. */
const taken = new WeakSet<object>()
const promiseThen = Promise.prototype.then

/** `then` of a request in a group: notes that user code took it, then subscribes as usual. */
function takenThen(this: Promise<unknown>, onFulfilled?: unknown, onRejected?: unknown): Promise<unknown> {
  taken.add(this)
  return promiseThen.call(this, onFulfilled as never, onRejected as never)
}

/**
 * Makes every subscription to `request` visible: an own `then` notes it (`catch` and
 * `finally` call `then`), and an own `constructor` that is not `Promise` makes `await`,
 * `Promise.resolve()` and `Promise.all()` call `then` too (for a plain native promise they
 * subscribe without calling it). The group itself subscribes with `promiseThen`.
 */
function watchTakers(request: Promise<unknown>): void {
  Object.defineProperties(request, {
    then: { value: takenThen, writable: true, configurable: true },
    constructor: { value: undefined, writable: true, configurable: true },
  })
}

function cancelMember(member: Member, reason: unknown): void {
  if (member instanceof AsyncGroup) member.cancel(reason)
  else cancelRequest(member, reason) // false (and harmless) for anything but an eio request
}

/**
 * A set of requests that settles as one, as IO::AIO's `aio_group`: `await grp` waits
 * until every member has settled and no feeder remains. Create one with `group()`.
 *
 * `await grp` fulfils with what `result()` set (default `undefined`), rejects with what
 * `error()` set, or else with the first error of a member that nobody took: a request
 * whose promise your code subscribed to (`then`, `catch`, `await`...) while it was in the
 * group hands its error to your code instead, and members the group cancelled do not
 * count. It rejects with an `AbortError` if the group was cancelled. Members' rejections
 * never become unhandled rejections of their own; a group that rejects (other than by
 * being cancelled) and that nobody awaits is an unhandled rejection, as a promise would be.
 *
 * @group Groups
 */
export class AsyncGroup<T = unknown> implements PromiseLike<T | undefined>, GroupLike {
  /** The priority requests submitted with `{ group: grp }` get when they name none. */
  readonly priority: number

  #state = State.Open
  /** Outstanding members. While Cancelled, those still running (see #whenQuiet). */
  readonly #members = new Set<Member>()
  /** Members adopted so far: the feeder's progress check. */
  #adopted = 0
  #limit = 0
  #feeder: Feeder<T> | undefined
  /** True while the feed loop runs (a feeder's own adds must not re-enter it). */
  #feeding = false
  /** A completion check is scheduled (see #maybeFinish). */
  #checkScheduled = false

  /** 'result' or 'error' once result()/error() decided the outcome. */
  #decided: 'result' | 'error' | undefined
  #decision: unknown
  #firstError: { error: unknown } | undefined
  #feederError: { error: unknown } | undefined

  /** The outcome, once Done or Cancelled. */
  #outcome: { ok: boolean; value: unknown } | undefined
  /**
   * The promise `then` delegates to, made on first use or when the group rejects, so that
   * a cancelled group nobody awaits never rejects unhandled.
   */
  #promise: Promise<T | undefined> | undefined
  #resolve: ((value: unknown) => void) | undefined
  #reject: ((reason: unknown) => void) | undefined

  /** Whether user code subscribed to the group (then, catch, finally, await): its error is theirs then, not a parent group's. */
  #taken = false

  /** `grp.signal`'s controller, made on first use. */
  #controller: AbortController | undefined
  /** Why cancel() or cancelSubs() was called: the cause of the members' AbortErrors. */
  #cancelReason: unknown
  /** The `signal` option and its listener, removed once the group settles. */
  #optionSignal: AbortSignal | undefined
  #onAbort: (() => void) | undefined
  /** Called once a cancelled group's members have all settled. */
  #quietWaiters: (() => void)[] = []

  /** Same as `group(options)`. Throws on bad options (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE). */
  constructor(options?: GroupOptions<T>) {
    let limit = 0
    let feed: Feeder<T> | undefined
    let signal: AbortSignal | undefined
    let priority = PRI_DEFAULT
    if (options !== undefined && options !== null) {
      const o = validateObject(options, 'options')
      validateOptionKeys(o, GROUP_OPTIONS)
      if (o.limit !== undefined) limit = validateInteger(o.limit, 'options.limit', 0)
      if (o.feed !== undefined) feed = validateFunction(o.feed, 'options.feed') as Feeder<T>
      signal = validateSignal(o.signal, 'options.signal')
      if (o.priority !== undefined) priority = validateInteger(o.priority, 'options.priority', PRI_MIN, PRI_MAX)
    }
    this.priority = priority
    this.#limit = limit
    groupOpened()
    if (signal !== undefined) {
      if (signal.aborted) {
        this.cancel(signal.reason)
        return
      }
      const onAbort = () => this.cancel(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#optionSignal = signal
      this.#onAbort = onAbort
    }
    if (feed !== undefined) this.feed(feed)
    // IO::AIO: an empty group finishes at the next poll, so members can be added first.
    this.#maybeFinish()
  }

  /**
   * Adds members: eio request promises, other groups, or any promise or thenable (the
   * group waits for it, but can only cancel eio requests and groups). Returns its
   * arguments. A member already in the group is not added twice. Throws
   * ERR_INVALID_STATE if the group has finished; members added to a cancelled group (or
   * after `cancelSubs()`) are cancelled at once.
   */
  add<M extends unknown[]>(...members: M): M {
    if (this.#state === State.Done) throw invalidState('cannot add members to a group that has finished')
    for (const member of members) {
      if (!isThenable(member)) throw invalidArgType('member', 'a Promise, a thenable or an AsyncGroup', member)
      if (member instanceof AsyncGroup && (member === this || member.#contains(this))) {
        throw invalidArgValue('member', member, 'would make the group contain itself')
      }
    }
    for (const member of members) this.#adopt(member as Member)
    return members
  }

  /**
   * The feeder's concurrency: while fewer members are outstanding, the feeder is called.
   * 0 pauses feeding; the group still finishes once its members drain (IO::AIO).
   * Setting it feeds at once.
   */
  get limit(): number {
    return this.#limit
  }

  /** Sets the limit and feeds at once (see the getter). */
  set limit(value: number) {
    this.#limit = validateInteger(value, 'limit', 0)
    this.#feed()
    this.#maybeFinish()
  }

  /**
   * Sets the feeder: `fn(grp)` is called synchronously, now and after each member
   * settles, while fewer than `limit` members are outstanding, and is expected to add
   * members (synchronously: an async feeder's later adds do not count). A call that adds
   * nothing removes it. A `limit` of 0 becomes 2. If it throws, it is removed and the
   * group rejects with the exception once its members have settled. Throws
   * ERR_INVALID_STATE on a finished group; ignored on a cancelled or draining one.
   */
  feed(fn: Feeder<T>): void {
    validateFunction(fn, 'fn')
    if (this.#state === State.Done) throw invalidState('cannot feed a group that has finished')
    if (this.#state !== State.Open) return
    this.#feeder = fn
    if (this.#limit === 0) this.#limit = 2
    this.#feed()
    this.#maybeFinish()
  }

  /** Decides that `await grp` fulfils with `value` (the last of result()/error() wins). Ignored once settled. */
  result(value?: T): void {
    if (this.#outcome !== undefined) return
    this.#decided = 'result'
    this.#decision = value
  }

  /** Decides that `await grp` rejects with `err` (the last of result()/error() wins). Ignored once settled. */
  error(err: unknown): void {
    if (this.#outcome !== undefined) return
    this.#decided = 'error'
    this.#decision = err
  }

  /**
   * Cancels the group and every member, nested groups included: queued requests are
   * skipped, running ones have their results discarded. The group rejects with an
   * AbortError at once (its `cause` is `reason`), `grp.signal` aborts with `reason`.
   * No-op once settled.
   */
  cancel(reason?: unknown): void {
    if (this.#state === State.Done || this.#state === State.Cancelled) return
    this.#state = State.Cancelled
    this.#feeder = undefined
    this.#detachOptionSignal()
    const why = reason === undefined ? defaultReason() : reason
    this.#cancelReason = why
    for (const member of this.#members) cancelMember(member, why)
    this.#controller?.abort(why)
    this.#settle(false, new AbortError(undefined, { cause: why }), true)
  }

  /**
   * Cancels the members and removes the feeder, but not the group: it settles normally
   * once the members have settled. Outcomes from then on no longer count (the group
   * fulfils unless result()/error() or an earlier member's error decide otherwise).
   * Members added later are cancelled on arrival.
   */
  cancelSubs(reason?: unknown): void {
    if (this.#state !== State.Open) return
    this.#state = State.Draining
    this.#feeder = undefined
    this.#cancelReason = reason === undefined ? defaultReason() : reason
    for (const member of this.#members) cancelMember(member, this.#cancelReason)
    this.#maybeFinish()
  }

  /** Aborts when the group is cancelled (by `cancel()`, its `signal` option or a parent group). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#state === State.Cancelled) this.#controller.abort(this.#cancelReason)
    }
    return this.#controller.signal
  }

  /** Settles as described on the class; `await grp` uses it. */
  then<R1 = T | undefined, R2 = never>(
    onFulfilled?: ((value: T | undefined) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#taken = true
    return this.#settled().then(onFulfilled, onRejected)
  }

  /** As `Promise.prototype.catch`. */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | undefined | R> {
    this.#taken = true
    return this.#settled().catch(onRejected)
  }

  /** As `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<T | undefined> {
    this.#taken = true
    return this.#settled().finally(onFinally)
  }

  /** `using grp = group()`: leaving the scope cancels the group unless it has settled. */
  [Symbol.dispose](): void {
    this.cancel()
  }

  /**
   * `await using grp = group()`: leaving the scope cancels the group unless it has
   * settled, then waits until its members (nested groups' too) have stopped: no request
   * of the group is still running afterwards. Never rejects.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.cancel()
    return new Promise((resolve) => this.#whenQuiet(resolve))
  }

  /** `'AsyncGroup'`, as `Object.prototype.toString` shows it. */
  get [Symbol.toStringTag](): string {
    return 'AsyncGroup'
  }

  #adopt(member: Member): void {
    if (this.#members.has(member)) return
    this.#members.add(member)
    this.#adopted++
    // One microtask later, so that the member's own continuations (attached after it
    // joined, as `{ group }` does) run first, as IO::AIO runs a member's callback before
    // its group's bookkeeping: by the time the feeder runs, they have seen the result.
    const onSettled = (ok: boolean, value: unknown) => queueMicrotask(() => this.#memberSettled(member, ok, value))
    const fulfilled = (value: unknown) => onSettled(true, value)
    const rejected = (error: unknown) => onSettled(false, error)
    try {
      // The group's own subscription must not count as user code taking the member.
      if (member instanceof AsyncGroup) member.#settled().then(fulfilled, rejected)
      else if (isRequest(member)) {
        watchTakers(member as Promise<unknown>)
        promiseThen.call(member, fulfilled, rejected)
      } else member.then(fulfilled, rejected)
    } catch (error) {
      onSettled(false, error) // a thenable whose `then` throws
    }
    if (this.#state === State.Cancelled || this.#state === State.Draining) cancelMember(member, this.#cancelReason)
  }

  #memberSettled(member: Member, ok: boolean, value: unknown): void {
    if (!this.#members.has(member)) return // a thenable calling back twice
    if (this.#state === State.Cancelled) {
      // A cancelled group only tracks when its members stop (for asyncDispose); a nested
      // group rejects at once, so wait for its own members.
      if (member instanceof AsyncGroup) member.#whenQuiet(() => this.#release(member))
      else this.#release(member)
      return
    }
    this.#members.delete(member)
    if (!ok && this.#state === State.Open && this.#firstError === undefined && !AsyncGroup.#isTaken(member)) this.#firstError = { error: value }
    // IO::AIO: the feeder runs after each member, before the completion check.
    this.#feed()
    this.#maybeFinish()
  }

  /** Whether user code took `member` (see `watchTakers`): its error is not the group's. */
  static #isTaken(member: Member): boolean {
    return member instanceof AsyncGroup ? member.#taken : taken.has(member)
  }

  /** Calls the feeder while the group is below its limit (IO::AIO's grp_try_feed). */
  #feed(): void {
    if (this.#feeding) return
    this.#feeding = true
    try {
      while (this.#feeder !== undefined && this.#state === State.Open && this.#members.size < this.#limit) {
        const feeder = this.#feeder
        const before = this.#adopted
        try {
          feeder(this)
        } catch (error) {
          if (this.#feeder === feeder) this.#feeder = undefined
          this.#feederError ??= { error }
          break
        }
        // No progress: the feeder is exhausted (unless it installed another one).
        if (this.#adopted === before && this.#feeder === feeder) this.#feeder = undefined
      }
    } finally {
      this.#feeding = false
    }
  }

  /**
   * Finishes the group if it has no members left, one event-loop turn later: members'
   * continuations (`.then` callbacks, async functions awaiting them) run first and may
   * add more, as IO::AIO lets member callbacks add to their group.
   */
  #maybeFinish(): void {
    if (this.#members.size !== 0 || this.#checkScheduled) return
    if (this.#state !== State.Open && this.#state !== State.Draining) return
    this.#checkScheduled = true
    setImmediate(() => {
      this.#checkScheduled = false
      if (this.#members.size !== 0) return
      if (this.#state !== State.Open && this.#state !== State.Draining) return
      this.#finish()
    })
  }

  #finish(): void {
    this.#state = State.Done
    this.#feeder = undefined
    this.#detachOptionSignal()
    if (this.#feederError !== undefined) this.#settle(false, this.#feederError.error)
    else if (this.#decided === 'result') this.#settle(true, this.#decision)
    else if (this.#decided === 'error') this.#settle(false, this.#decision)
    else if (this.#firstError !== undefined) this.#settle(false, this.#firstError.error)
    else this.#settle(true, undefined)
    this.#decision = undefined
    this.#firstError = undefined
    this.#feederError = undefined
  }

  /** Decides the outcome; `cancelled`: by cancel(), which never rejects unhandled. */
  #settle(ok: boolean, value: unknown, cancelled = false): void {
    this.#outcome = { ok, value }
    if (ok) this.#resolve?.(value)
    else if (this.#reject !== undefined) this.#reject(value)
    // Nobody awaits the group (yet): its error must not vanish. Unless a handler is
    // attached in this turn, Node reports it as an unhandled rejection.
    else if (!cancelled) this.#promise = Promise.reject(value)
    this.#resolve = this.#reject = undefined
    groupSettled()
  }

  #settled(): Promise<T | undefined> {
    if (this.#promise === undefined) {
      const outcome = this.#outcome
      if (outcome === undefined) {
        this.#promise = new Promise((resolve, reject) => {
          this.#resolve = resolve as (value: unknown) => void
          this.#reject = reject
        })
      } else {
        this.#promise = outcome.ok ? Promise.resolve(outcome.value as T) : Promise.reject(outcome.value)
      }
    }
    return this.#promise
  }

  #detachOptionSignal(): void {
    if (this.#onAbort !== undefined) this.#optionSignal!.removeEventListener('abort', this.#onAbort)
    this.#optionSignal = this.#onAbort = undefined
  }

  /** Whether `group` is a member of this group or of one nested in it. */
  #contains(group: object): boolean {
    for (const member of this.#members) {
      if (member === group || (member instanceof AsyncGroup && member.#contains(group))) return true
    }
    return false
  }

  /** Calls `done` once no member is left (members of a cancelled group are still running). */
  #whenQuiet(done: () => void): void {
    if (this.#members.size === 0) done()
    else this.#quietWaiters.push(done)
  }

  #release(member: Member): void {
    this.#members.delete(member)
    if (this.#members.size !== 0) return
    const waiters = this.#quietWaiters
    this.#quietWaiters = []
    for (const done of waiters) done()
  }
}

/**
 * `aio_group`: a new `AsyncGroup`. Members join with `grp.add(...)` or by passing
 * `{ group: grp }` to a request. Throws on bad options (ERR_INVALID_ARG_TYPE,
 * ERR_OUT_OF_RANGE).
 *
 * ```js fixture=tree
 * import { group, stat } from 'io-aio'
 *
 * const files = ['a.txt', 'b.txt', 'c.txt']
 * const grp = group({ limit: 8, feed: (g) => { const f = files.pop(); if (f) stat(f, { group: g }) } })
 * await grp
 * ```
 *
 * @group Groups
 */
export function group<T = unknown>(options?: GroupOptions<T>): AsyncGroup<T> {
  return new AsyncGroup<T>(options)
}

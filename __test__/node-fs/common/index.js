'use strict';
// A stand-in for the parts of Node's test/common that the ported tests use, written for
// io-aio (see ../README.md). It keeps Node's contract: call-count checks run when the
// process exits and fail it with exit code 1; `skip()` exits 0 with a TAP skip line.

const assert = require('assert');
const { inspect } = require('util');
const { isMainThread } = require('worker_threads');

const isWindows = process.platform === 'win32';
const isMacOS = process.platform === 'darwin';
const isLinux = process.platform === 'linux';
const isFreeBSD = process.platform === 'freebsd';

// Every expectation made by mustCall() and friends: checked once, at exit.
const expectations = [];

function checkExpectations(exitCode) {
  if (exitCode !== 0) return;
  const unmet = expectations.filter((e) => (e.minimum !== undefined ? e.calls < e.minimum : e.calls !== e.exact));
  for (const e of unmet) {
    const wanted = e.minimum !== undefined ? `at least ${e.minimum}` : `exactly ${e.exact}`;
    console.log(`Mismatched ${e.name} function calls. Expected ${wanted}, actual ${e.calls}.`);
    console.log(e.where);
  }
  if (unmet.length > 0) process.exit(1);
}

function expectCalls(fn, count, kind) {
  if (typeof fn === 'number') {
    count = fn;
    fn = undefined;
  }
  const target = fn ?? (() => {});
  if (count === undefined) count = 1;
  if (typeof count !== 'number') throw new TypeError(`Invalid ${kind} value: ${count}`);
  if (expectations.length === 0) process.on('exit', checkExpectations);
  const expectation = {
    name: target.name || '<anonymous>',
    calls: 0,
    where: new Error('expected here').stack.split('\n').slice(3).join('\n'),
    [kind]: count,
  };
  expectations.push(expectation);
  const counted = function(...args) {
    expectation.calls++;
    return target.apply(this, args);
  };
  Object.defineProperty(counted, 'name', { value: target.name, configurable: true });
  Object.defineProperty(counted, 'length', { value: target.length, configurable: true });
  return counted;
}

/** `fn` (or a no-op) must be called exactly `exact` times (default 1) before exit. */
function mustCall(fn, exact) {
  return expectCalls(fn, exact, 'exact');
}

/** `fn` (or a no-op) must be called at least `minimum` times (default 1). */
function mustCallAtLeast(fn, minimum) {
  return expectCalls(fn, minimum, 'minimum');
}

/** A Node-style callback that must be called, without an error, then calls `fn` with the results. */
function mustSucceed(fn, exact) {
  return mustCall(function(err, ...results) {
    assert.ifError(err);
    if (typeof fn === 'function') return fn.apply(this, results);
  }, exact);
}

/** A function that fails the test if it is ever called. */
function mustNotCall(reason = 'function should not have been called') {
  const where = new Error('created here').stack;
  return function mustNotCall(...args) {
    const shown = args.length > 0 ? `\ncalled with arguments: ${args.map((a) => inspect(a)).join(', ')}` : '';
    assert.fail(`${reason}${shown}\n${where}`);
  };
}

const guarded = new WeakMap();

/**
 * `value` behind a proxy that fails the test on any change to it or to anything reached
 * through it: for checking that a function does not modify its options.
 */
function mustNotMutateObjectDeep(value) {
  if (value === null || typeof value !== 'object') return value;
  // An AbortSignal is passed through as it is: io-aio listens for its 'abort' event (to
  // cancel the request on the pool), and EventTarget's listener bookkeeping does not work
  // through a proxy. A listener is state of the signal, not a change to the options that
  // carry it. (Node's own stand-in wraps it too; see ../README.md.)
  if (value instanceof AbortSignal) return value;
  if (guarded.has(value)) return guarded.get(value);
  const refuse = (what) => () => assert.fail(`Expected no side effects, got ${what}`);
  const proxy = new Proxy(value, {
    get: (target, key, receiver) => mustNotMutateObjectDeep(Reflect.get(target, key, receiver)),
    set: (target, key) => assert.fail(`Expected no side effects, got ${inspect(key)} assigned`),
    defineProperty: (target, key) => assert.fail(`Expected no side effects, got ${inspect(key)} defined`),
    deleteProperty: (target, key) => assert.fail(`Expected no side effects, got ${inspect(key)} deleted`),
    preventExtensions: refuse('extensions prevented'),
    setPrototypeOf: refuse('the prototype set'),
  });
  guarded.set(value, proxy);
  return proxy;
}

/** A function (called once, or `exact` times) that checks the error it is given against `validator`. */
function expectsError(validator, exact) {
  return mustCall((...args) => {
    assert.strictEqual(args.length, 1, 'expectsError takes one error');
    const [error] = args;
    if (typeof validator === 'function') return validator(error);
    assert.throws(() => { throw error; }, validator);
    return true;
  }, exact);
}

let warningListeners;

/**
 * Expects the warnings of each kind (`{ Warning: [[message, code]], DeprecationWarning:
 * [...] }`, or a kind and its messages), each once, in order; an unexpected kind of warning
 * fails the test.
 */
function expectWarning(kindOrMap, expected, code) {
  if (warningListeners === undefined) {
    warningListeners = {};
    process.on('warning', (warning) => {
      const check = warningListeners[warning.name];
      if (check === undefined) throw new TypeError(`unexpected warning ${warning.name}: ${warning.message}`);
      check(warning);
    });
  }
  const expectKind = (kind, list, listCode) => {
    let pending;
    if (typeof list === 'string') pending = [[list, listCode]];
    else if (!Array.isArray(list)) pending = Object.entries(list).map(([c, m]) => [m, c]);
    else if (list.length > 0 && !Array.isArray(list[0])) pending = [[list[0], list[1]]];
    else pending = list.map((e) => [...e]);
    warningListeners[kind] = mustCall((warning) => {
      const next = pending.shift();
      if (next === undefined) assert.fail(`unexpected extra warning: ${warning.message}`);
      const [message, wantCode] = next;
      if (typeof message === 'string') assert.strictEqual(warning.message, message);
      else assert.match(warning.message, message);
      assert.strictEqual(warning.code, wantCode);
    }, pending.length);
  };
  if (typeof kindOrMap === 'string') expectKind(kindOrMap, expected, code);
  else for (const [kind, list] of Object.entries(kindOrMap)) expectKind(kind, list);
}

function printSkipMessage(msg) {
  console.log(`1..0 # Skipped: ${msg}`);
}

function skip(msg) {
  printSkipMessage(msg);
  process.exit(0);
}

/** Whether this process may create symlinks (always, on the platforms eio supports). */
function canCreateSymLink() {
  return !isWindows;
}

/** The tail Node's ERR_INVALID_ARG_TYPE messages end with, for `input`. */
function invalidArgTypeHelper(input) {
  if (input == null) return ` Received ${input}`;
  if (typeof input === 'function') return ` Received function ${input.name}`;
  if (typeof input === 'object') {
    if (input.constructor?.name) return ` Received an instance of ${input.constructor.name}`;
    return ` Received ${inspect(input, { depth: -1 })}`;
  }
  let shown = inspect(input, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof input} (${shown})`;
}

function platformTimeout(ms) {
  return ms;
}

module.exports = {
  canCreateSymLink,
  expectsError,
  expectWarning,
  hasIntl: typeof Intl === 'object',
  invalidArgTypeHelper,
  isAIX: process.platform === 'aix',
  isFreeBSD,
  isIBMi: false,
  isLinux,
  isMacOS,
  isMainThread,
  isWindows,
  mustCall,
  mustCallAtLeast,
  mustNotCall,
  mustNotMutateObjectDeep,
  mustSucceed,
  platformTimeout,
  printSkipMessage,
  skip,
};

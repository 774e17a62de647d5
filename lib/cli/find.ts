// io-aio find: GNU find's listing over eio's parallel walk. Starting points, then an
// expression of tests and actions joined by an implicit -and, evaluated left to right:
// -name/-iname PATTERN, -type LIST, -maxdepth/-mindepth N, -print, -print0, `!`/-not;
// -H, -L, -P before the starting points. Entries come in the walk's order (parallel, not
// the directory order find uses), paths as raw bytes.

import { constants, lstat, stat, walk } from '../../index.js'
import type { Stats, WalkEntry } from '../../index.js'
import { UsageError } from './args.js'
import { typeOf } from './command.js'
import type { Command, Context } from './command.js'
import { compilePattern } from './fnmatch.js'
import { quoteLocale, utf8Locale } from './quote.js'
import { describeError, isAbort } from './report.js'

const SLASH = 0x2f

/** What the expression looks at. */
interface Candidate {
  path: Buffer
  name: Buffer
  type: number
}

/** One term of the expression: a test, or an action (which prints and is true). */
interface Term {
  eval(c: Candidate, ctx: Context): boolean
}

export interface FindArgs {
  /** -P (never follow symlinks), -H (follow the starting points), -L (follow all). */
  follow: 'P' | 'H' | 'L'
  roots: string[]
  terms: Term[]
  maxDepth: number
  minDepth: number
}

const TYPE_LETTERS: Record<string, number> = {
  b: constants.DT_BLK,
  c: constants.DT_CHR,
  d: constants.DT_DIR,
  p: constants.DT_FIFO,
  f: constants.DT_REG,
  l: constants.DT_LNK,
  s: constants.DT_SOCK,
}

/** `-type f,d`: the DT_* types it accepts (find's checks, in find's order). */
function parseTypes(arg: string): Set<number> {
  if (arg === '') throw new UsageError('Arguments to -type should contain at least one letter', false)
  const types = new Set<number>()
  for (let i = 0; i < arg.length; ) {
    const letter = arg[i++]
    if (letter === 'D') throw new UsageError('-type D is not supported because Solaris doors are not supported on the platform find was compiled on.', false)
    if (!Object.hasOwn(TYPE_LETTERS, letter)) throw new UsageError(`Unknown argument to -type: ${letter}`, false)
    if (types.has(TYPE_LETTERS[letter])) throw new UsageError(`Duplicate file type '${letter}' in the argument list to -type.`, false)
    types.add(TYPE_LETTERS[letter])
    if (i === arg.length) break
    if (arg[i++] !== ',') throw new UsageError("Must separate multiple arguments to -type using: ','", false)
    if (i === arg.length) throw new UsageError("Last file type in list argument to -type is missing, i.e., list is ending on: ','", false)
  }
  return types
}

function parseDepth(option: string, arg: string): number {
  if (!/^\+?\d+$/.test(arg)) throw new UsageError(`Expected a positive decimal integer argument to ${option}, but got ${quoteLocale(arg)}`, false)
  return Number(arg)
}

function printer(separator: number): Term {
  const sep = Buffer.of(separator)
  return {
    eval(c, ctx) {
      ctx.out.write(c.path)
      ctx.out.write(sep)
      return true
    },
  }
}

function nameTest(pattern: string, caseFold: boolean): Term {
  const re = compilePattern(pattern, caseFold)
  const encoding = utf8Locale() ? 'utf8' : 'latin1'
  return { eval: (c) => re.test(c.name.toString(encoding)) }
}

function negated(term: Term): Term {
  return { eval: (c, ctx) => !term.eval(c, ctx) }
}

/** Whether `arg` starts the expression (so it is not a starting point). */
function startsExpression(arg: string): boolean {
  return (arg.startsWith('-') && arg.length > 1) || ['(', ')', '!', ','].includes(arg)
}

function parse(args: readonly string[]): FindArgs | 'help' | 'version' {
  let i = 0
  let follow: FindArgs['follow'] = 'P'
  for (; i < args.length && /^-[HLP]$/.test(args[i]); i++) follow = args[i][1] as FindArgs['follow']
  const roots: string[] = []
  for (; i < args.length && !startsExpression(args[i]); i++) roots.push(args[i])
  const terms: Term[] = []
  let maxDepth = Infinity
  let minDepth = 0
  let negate = false
  /** The last `!`/`-not` until a test follows it; `-a` until something follows it. */
  let pendingNot: string | undefined
  let pendingAnd = false
  let seen = false
  let action = false
  const argument = (option: string): string => {
    if (i >= args.length) throw new UsageError(`missing argument to \`${option}'`, false)
    return args[i++]
  }
  while (i < args.length) {
    const arg = args[i++]
    let term: Term | undefined
    switch (arg) {
      case '-help':
      case '--help':
        return 'help'
      case '-version':
      case '--version':
        return 'version'
      case '-name':
      case '-iname':
        term = nameTest(argument(arg), arg === '-iname')
        break
      case '-type':
        {
          const types = parseTypes(argument(arg))
          term = { eval: (c) => types.has(c.type) }
        }
        break
      case '-maxdepth':
        maxDepth = parseDepth(arg, argument(arg))
        break
      case '-mindepth':
        minDepth = parseDepth(arg, argument(arg))
        break
      case '-print':
      case '-print0':
        term = printer(arg === '-print' ? 0x0a : 0)
        action = true
        break
      case '!':
      case '-not':
        negate = !negate
        pendingNot = arg
        continue
      case '-a':
      case '-and':
        if (!seen) throw new UsageError(`invalid expression; you have used a binary operator '${arg}' with nothing before it.`, false)
        pendingAnd = true
        continue
      case '-o':
      case '-or':
      case ',':
      case '(':
      case ')':
        throw new UsageError(`the operator ${quoteLocale(arg)} is not supported (only tests joined by -and)`, false)
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown predicate \`${arg}'` : `paths must precede expression: \`${arg}'`, false)
    }
    seen = true
    pendingAnd = false
    if (term === undefined) continue
    terms.push(negate ? negated(term) : term)
    negate = false
    pendingNot = undefined
  }
  if (pendingNot !== undefined) throw new UsageError(`expected an expression after '${pendingNot}'`, false)
  if (pendingAnd) throw new UsageError('invalid expression', false)
  if (!action) terms.push(printer(0x0a))
  return { follow, roots: roots.length > 0 ? roots : ['.'], terms, maxDepth, minDepth }
}

/** The name -name matches for a starting point: its last component ('/' for '/'). */
function rootName(root: string): Buffer {
  const trimmed = root.replace(/\/+$/, '')
  if (trimmed === '') return Buffer.from(root === '' ? '' : '/')
  return Buffer.from(trimmed.slice(trimmed.lastIndexOf('/') + 1))
}

/** The starting point's own stats: followed with -H and -L (a dangling link stays a link). */
async function rootStats(root: string, follow: FindArgs['follow'], signal: AbortSignal): Promise<Stats> {
  if (follow === 'P') return lstat(root, { signal })
  try {
    return await stat(root, { signal })
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err
    return lstat(root, { signal })
  }
}

/** What find -L makes of an entry: a type to test, a loop or an error to report. */
type Followed = { type: number } | { loop: Buffer } | { error: unknown }

function identity(st: Stats): string {
  return `${st.dev}:${st.ino}`
}

/**
 * find -L's view of the walk's entries. The walk follows links but does not enter a
 * directory it is already in, and yields a link it cannot follow as a link. find lists a
 * dangling link as a link, reports a link it cannot follow otherwise (ELOOP...), and
 * reports a directory that is one of the directories above it (a loop) instead of listing
 * it. The directories' identities are recorded as they are listed; one above an entry that
 * was not listed yet (the walk reads in parallel) is looked up once.
 */
class Follower {
  /** Directories by path (as latin1, byte for byte) → dev:ino. */
  readonly #dirs = new Map<string, string>()
  readonly #root: Buffer

  constructor(root: string, st: Stats) {
    this.#root = Buffer.from(root)
    this.#dirs.set(this.#root.toString('latin1'), identity(st))
  }

  /** The identity of the directory `path` (undefined if it cannot be stat'ed). */
  async #identity(path: Buffer, signal: AbortSignal): Promise<string | undefined> {
    const key = path.toString('latin1')
    const known = this.#dirs.get(key)
    if (known !== undefined) return known
    try {
      const id = identity(await stat(path, { signal }))
      this.#dirs.set(key, id)
      return id
    } catch (err) {
      if (isAbort(err)) throw err
      return undefined
    }
  }

  async classify(entry: WalkEntry<Buffer>, signal: AbortSignal): Promise<Followed> {
    if (entry.type !== constants.DT_DIR && entry.type !== constants.DT_LNK) return { type: entry.type }
    let st: Stats
    try {
      st = await stat(entry.path, { signal })
    } catch (err) {
      if (isAbort(err)) throw err
      return (err as { code?: string }).code === 'ENOENT' ? { type: entry.type } : { error: err }
    }
    if (!st.isDirectory()) return { type: typeOf(st) }
    const id = identity(st)
    const path = entry.path
    if ((await this.#identity(this.#root, signal)) === id) return { loop: this.#root }
    for (let slash = path.indexOf(SLASH, this.#root.length); slash >= 0; slash = path.indexOf(SLASH, slash + 1)) {
      const above = path.subarray(0, slash)
      if (slash > this.#root.length && (await this.#identity(above, signal)) === id) return { loop: above }
    }
    this.#dirs.set(path.toString('latin1'), id)
    return { type: constants.DT_DIR }
  }
}

/** Applies the expression to one entry: its terms in order, while they are true. */
function evaluate(ctx: Context, args: FindArgs, c: Candidate): void {
  for (const term of args.terms) if (!term.eval(c, ctx)) return
}

async function findRoot(ctx: Context, args: FindArgs, root: string): Promise<void> {
  const { report, signal } = ctx
  let st: Stats
  try {
    st = await rootStats(root, args.follow, signal)
  } catch (err) {
    if (isAbort(err)) throw err
    report.error(`${quoteLocale(root)}: ${describeError(err)}`)
    return
  }
  if (args.minDepth === 0) evaluate(ctx, args, { path: Buffer.from(root), name: rootName(root), type: typeOf(st) })
  if (!st.isDirectory() || args.maxDepth === 0) return

  try {
    await walkRoot(ctx, args, root, args.follow === 'L' ? new Follower(root, st) : undefined)
  } catch (err) {
    // The starting point itself could not be read (its subdirectories go to onError).
    if (isAbort(err) || (err as { path?: unknown }).path === undefined) throw err
    report.error(`${quoteLocale(root)}: ${describeError(err)}`)
  }
}

async function walkRoot(ctx: Context, args: FindArgs, root: string, follower: Follower | undefined): Promise<void> {
  const { report, signal } = ctx
  const entries = walk(root, {
    encoding: 'buffer',
    followSymlinks: args.follow === 'L',
    maxDepth: args.maxDepth - 1,
    signal,
    onError: (err) => report.error(`${quoteLocale(err.path ?? root)}: ${describeError(err)}`),
  })
  for await (const entry of entries) {
    let type = entry.type
    if (follower !== undefined) {
      const followed = await follower.classify(entry, signal)
      if ('loop' in followed) {
        report.error(`File system loop detected; ${quoteLocale(entry.path)} is part of the same file system loop as ${quoteLocale(followed.loop)}.`)
        continue
      }
      if ('error' in followed) {
        report.error(`${quoteLocale(entry.path)}: ${describeError(followed.error)}`)
        continue
      }
      type = followed.type
    }
    if (entry.depth + 1 < args.minDepth) continue
    evaluate(ctx, args, { path: entry.path, name: entry.name, type })
    const ready = ctx.out.ready()
    if (ready !== undefined) await ready
  }
}

export const find: Command<FindArgs> = {
  name: 'find',
  summary: 'list the files of trees, as GNU find',
  help: `Usage: io-aio find [-H] [-L] [-P] [starting-point...] [expression]

List the entries below each starting point (default: .), the starting point
included, as GNU find does, reading the tree in parallel. Entries are listed in
the order the parallel walk reads them, not in directory order.

Options before the starting points:
  -P      never follow symbolic links (the default)
  -H      follow symbolic links given as starting points
  -L      follow all symbolic links (a link that closes a loop is reported)

Expression (terms joined by an implicit -and, evaluated left to right):
  -name PATTERN    the name matches the shell pattern (*, ?, [...])
  -iname PATTERN   the same, ignoring case
  -type C[,C...]   the type is one of: f d l b c p s
  -maxdepth N      descend at most N levels (0: the starting points only)
  -mindepth N      apply the expression only at depth N and below
  ! TEST, -not TEST  negate a test
  -print           print the path and a newline (the default action)
  -print0          print the path and a NUL byte

Exit status: 0 if all went well, 1 if a starting point or directory could not
be read, 130 if interrupted.
`,
  parse,
  showsProgress: () => process.stdout.isTTY !== true,
  async run(ctx, args) {
    for (const root of args.roots) {
      if (ctx.signal.aborted) return
      try {
        await findRoot(ctx, args, root)
      } catch (err) {
        if (isAbort(err)) return
        throw err
      }
    }
  },
}

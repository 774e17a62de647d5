// Where cp and mv put each source, as GNU decides it: `SOURCE DEST`, `SOURCE... DIRECTORY`,
// `-t DIRECTORY SOURCE...`, and `-T` (DEST is never a directory to go into).

import { lstat, realpath, stat } from '../../index.js'
import type { Stats } from '../../index.js'
import { UsageError } from './args.js'
import type { Context } from './command.js'
import { quote } from './quote.js'
import { describeError, isAbort, Tally } from './report.js'

/** How the operands were given. */
export interface TargetOptions {
  /** `-t DIRECTORY`. */
  targetDirectory?: string
  /** `-T`: DEST is the name to create, even if it is a directory. */
  noTargetDirectory: boolean
}

/** The options of cp and mv that say where sources go. */
export const TARGET_OPTIONS = {
  'no-target-directory': { type: 'boolean', short: 'T' },
  'target-directory': { type: 'string', short: 't' },
} as const

/** TargetOptions from parsed option values. */
export function targetOptions(values: Record<string, string | boolean | undefined>): TargetOptions {
  return { targetDirectory: values['target-directory'] as string | undefined, noTargetDirectory: values['no-target-directory'] === true }
}

/** One source and the path it goes to. */
export interface Pair {
  src: string
  dst: string
}

/** A target that makes the whole command fail before anything is done (GNU: exit 1). */
export class TargetError extends Error {}

/** `dir/name` without doubling a slash. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`
}

/** The last component of `path`, trailing slashes aside (what goes into a directory). */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

/** The directory `path` is in (its parent): '.' for a bare name, '/' for one in the root. */
export function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '') || '/'
  const slash = trimmed.lastIndexOf('/')
  return slash < 0 ? '.' : trimmed.slice(0, slash) || '/'
}

/** `path`'s stats (its lstat unless `follow`), or undefined if it cannot be had. */
export async function statOrUndefined(path: string, follow: boolean): Promise<Stats | undefined> {
  try {
    return await (follow ? stat(path) : lstat(path))
  } catch {
    return undefined
  }
}

/**
 * Whether `dst` is the directory `src` or would be inside it (copying or moving a
 * directory into itself): `dst`'s parent resolved, its name as given, compared with
 * `src` resolved. False when either cannot be resolved (the operation reports why).
 */
export async function isInside(dst: string, src: string): Promise<boolean> {
  try {
    const from = await realpath(src)
    const to = joinPath(await realpath(parentOf(dst)), baseName(dst))
    return to === from || to.startsWith(from.endsWith('/') ? from : `${from}/`)
  } catch {
    return false
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

/**
 * Checks that `dir` is a directory to copy or move into; throws a TargetError if not
 * (`what`: as GNU names it, 'target directory' for -t, else 'target').
 */
async function checkDirectory(dir: string, what: string): Promise<void> {
  let isDir: boolean
  try {
    isDir = (await stat(dir)).isDirectory()
  } catch (err) {
    throw new TargetError(`${what} ${quote(dir)}: ${describeError(err)}`)
  }
  if (!isDir) throw new TargetError(`${what} ${quote(dir)}: Not a directory`)
}

/** The source → destination pairs of a cp or mv command line, in order. */
export async function pairs(operands: readonly string[], options: TargetOptions): Promise<Pair[]> {
  const { targetDirectory, noTargetDirectory } = options
  if (targetDirectory !== undefined) {
    if (noTargetDirectory) throw new UsageError('cannot combine --target-directory (-t) and --no-target-directory (-T)', false)
    if (operands.length === 0) throw new UsageError('missing file operand')
    await checkDirectory(targetDirectory, 'target directory')
    return operands.map((src) => ({ src, dst: joinPath(targetDirectory, baseName(src)) }))
  }
  if (operands.length === 0) throw new UsageError('missing file operand')
  if (operands.length === 1) throw new UsageError(`missing destination file operand after ${quote(operands[0])}`)
  const dest = operands[operands.length - 1]
  const sources = operands.slice(0, -1)
  if (noTargetDirectory) {
    if (operands.length > 2) throw new UsageError(`extra operand ${quote(operands[2])}`)
    return [{ src: sources[0], dst: dest }]
  }
  if (sources.length === 1 && !(await isDirectory(dest))) return [{ src: sources[0], dst: dest }]
  await checkDirectory(dest, 'target')
  return sources.map((src) => ({ src, dst: joinPath(dest, baseName(src)) }))
}

/**
 * Runs `each` on every source of a cp or mv command line, in order, until Ctrl-C; then
 * reports what was done (`verb`: 'copied', 'moved') if interrupted.
 */
export async function forEachPair(ctx: Context, options: TargetOptions & { operands: string[] }, verb: string, each: (pair: Pair, tally: Tally) => Promise<void>): Promise<void> {
  let list: Pair[]
  try {
    list = await pairs(options.operands, options)
  } catch (err) {
    if (err instanceof TargetError) return ctx.report.error(err.message)
    throw err
  }
  const tally = new Tally()
  try {
    for (const pair of list) {
      if (ctx.signal.aborted) break
      await each(pair, tally)
    }
  } catch (err) {
    if (!isAbort(err)) throw err
  }
  if (ctx.interrupt.status !== undefined) ctx.report.interrupted(verb, tally.total)
}

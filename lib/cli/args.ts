// Command-line options read as GNU getopt_long reads them, on top of node:util's
// parseArgs: options and operands in any order, `--` ending the options, short options
// grouped (`-sh`) or with their value attached (`-d1`), long options abbreviated to any
// unambiguous prefix (`--max=1`), and getopt's own messages for a bad option.

import { parseArgs } from 'node:util'

/** One option: a flag, or one that takes a value; `short` is its one-letter form. */
export interface OptionSpec {
  type: 'boolean' | 'string'
  short?: string
}

export type OptionSpecs = Record<string, OptionSpec>

/** The options given (by long name), the order they came in (each with its value), and the operands. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>
  /** Long names of the options as given, in order (where the last of several wins). */
  order: string[]
  /** Every option as given, in order: its long name, how it was spelled, its value. */
  given: GivenOption[]
  operands: string[]
}

/** One option of a command line (for tools where each occurrence counts, as getopt sees them). */
export interface GivenOption {
  name: string
  /** `-B`, `--block-size`: as the messages name it (a long option by its full name). */
  spelled: string
  value: string | undefined
}

/** A mistake in the command line: the message getopt (or the tool) prints for it. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Follow the message with "Try '... --help'" (coreutils do, find does not). */
    readonly hint = true,
  ) {
    super(message)
  }
}

/** `--max=1` → `--max-depth=1` when `max` starts only one long option's name. */
function expandLongOption(arg: string, specs: OptionSpecs): string {
  const eq = arg.indexOf('=')
  const name = arg.slice(2, eq < 0 ? undefined : eq)
  if (Object.hasOwn(specs, name)) return arg
  const matches = Object.keys(specs).filter((long) => long.length > 1 && long.startsWith(name))
  if (matches.length === 0) throw new UsageError(`unrecognized option '${arg}'`)
  if (matches.length > 1) {
    const list = matches.map((m) => `'--${m}'`).join(' ')
    throw new UsageError(`option '--${name}' is ambiguous; possibilities: ${list}`)
  }
  return `--${matches[0]}${eq < 0 ? '' : arg.slice(eq)}`
}

/** Parses `args` against `specs`; throws a UsageError with getopt's message for a bad option. */
export function parseOptions(args: readonly string[], specs: OptionSpecs): ParsedArgs {
  const end = args.indexOf('--')
  const expanded = args.map((arg, i) => ((end < 0 || i < end) && arg.startsWith('--') && arg.length > 2 ? expandLongOption(arg, specs) : arg))
  const { values, tokens } = parseArgs({ args: expanded, options: specs, allowPositionals: true, strict: false, tokens: true })
  const operands: string[] = []
  const given: GivenOption[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') operands.push(token.value)
    if (token.kind !== 'option') continue
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined
    const long = token.rawName.startsWith('--')
    if (spec === undefined) throw new UsageError(long ? `unrecognized option '${token.rawName}'` : `invalid option -- '${token.rawName.slice(1)}'`)
    if (spec.type === 'string' && token.value === undefined) {
      throw new UsageError(long ? `option '${token.rawName}' requires an argument` : `option requires an argument -- '${token.rawName.slice(1)}'`)
    }
    if (spec.type === 'boolean' && token.inlineValue) throw new UsageError(`option '${token.rawName}' doesn't allow an argument`)
    given.push({ name: token.name, spelled: long ? `--${token.name}` : token.rawName, value: token.value })
  }
  return { values: values as ParsedArgs['values'], order: given.map((g) => g.name), given, operands }
}

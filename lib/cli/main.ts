// The io-aio command: `io-aio <command> [options] [operands]`, GNU's cp, du, find, mv and rm
// built on eio's tree operations. This module picks the subcommand, gives it its context
// (Ctrl-C, stdout, stderr) and turns what happened into the exit status.

import { UsageError } from './args.js'
import type { Command } from './command.js'
import { cp } from './cp.js'
import { du } from './du.js'
import { find } from './find.js'
import { Interrupt } from './interrupt.js'
import { BROKEN_PIPE_STATUS, Output } from './output.js'
import { mv } from './mv.js'
import { Report } from './report.js'
import { rm } from './rm.js'

// Each command's own parse result is opaque here.
const COMMANDS: Command<any>[] = [cp, du, find, mv, rm]

const PROGRAM = 'io-aio'

function version(): string {
  const pkg = require('../../package.json') as { name: string; version: string }
  return `${pkg.name} ${pkg.version}\n`
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return `Usage: ${PROGRAM} <command> [option]... [operand]...

GNU's file tools on eio's native thread pool: trees are read, copied and removed
in parallel, Ctrl-C stops cleanly, and a progress line shows on a terminal.

Commands:
${lines.join('\n')}

'${PROGRAM} <command> --help' describes a command and its options.
`
}

function usageError(program: string, message: string, hint: boolean): number {
  process.stderr.write(`${program}: ${message}\n`)
  if (hint) process.stderr.write(`Try '${program} --help' for more information.\n`)
  return 1
}

/** Runs `io-aio <args>`; resolves to the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args
  if (name === undefined) return usageError(PROGRAM, 'missing command', true)
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help())
    return 0
  }
  if (name === '--version') {
    process.stdout.write(version())
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (command === undefined) return usageError(PROGRAM, `unknown command '${name}'`, true)
  return runCommand(command, rest)
}

async function runCommand<P>(command: Command<P>, args: readonly string[]): Promise<number> {
  const program = `${PROGRAM} ${command.name}`
  let parsed: P
  try {
    const result = command.parse(args)
    if (result === 'help' || result === 'version') {
      process.stdout.write(result === 'help' ? command.help : version())
      return 0
    }
    parsed = result
  } catch (err) {
    if (err instanceof UsageError) return usageError(program, err.message, err.hint)
    throw err
  }
  const interrupt = new Interrupt().listen()
  const report = new Report(program, command.showsProgress(parsed))
  const out = new Output((err) => {
    if (err.code !== 'EPIPE') report.fail('write error', err)
    interrupt.stop(err.code === 'EPIPE' ? BROKEN_PIPE_STATUS : 1)
  })
  try {
    await command.run({ signal: interrupt.signal, interrupt, out, report }, parsed)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    report.clearProgress()
    return usageError(program, err.message, err.hint)
  } finally {
    report.clearProgress()
    await out.close()
    interrupt.dispose()
  }
  return interrupt.status ?? report.status
}

/** The bin script's entry: runs `io-aio` with the process's arguments and sets its exit status. */
export function run(): void {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status
    },
    (err: unknown) => {
      process.stderr.write(`${PROGRAM}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
      process.exitCode = 2
    },
  )
}

// What a result is worth depends on where and how it was measured: the machine facts,
// and benches/RESULTS.md, which records them with the tables.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { formatBytes, resultTable, targetTable } from './harness.mjs'
import { toolVersion } from './external.mjs'

/** The version in a package.json (read directly: `exports` may hide it from require). */
function packageVersion(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version
  } catch {
    return 'not installed'
  }
}

function output(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}

/** The load averages, as `uptime` shows them. */
export function loadAverage() {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
}

/** The facts about this machine and software that a reader needs to weigh the numbers. */
export function machineFacts({ tmpDir, ioAio, repoDir }) {
  const cpus = os.cpus()
  const commit = output('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD'])
  const dirty = output('git', ['-C', repoDir, 'status', '--porcelain', '--untracked-files=no'])
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    tmpDir: `${tmpDir} (${output('findmnt', ['-n', '-o', 'FSTYPE', '-T', tmpDir]) ?? output('stat', ['-f', '-c', '%T', tmpDir]) ?? 'unknown'})`,
    node: process.version,
    eio: `${packageVersion(repoDir)} at ${commit ?? 'unknown commit'}${dirty ? ' (with uncommitted changes)' : ''}`,
    packages: ['fdir', '@nodelib/fs.walk', 'rimraf'].map((p) => `${p} ${packageVersion(path.join(repoDir, 'node_modules', p))}`).join(', '),
    perl: ioAio.version
      ? `perl ${output('perl', ['-e', 'print $^V']) ?? '?'}, IO::AIO ${ioAio.version} (Debian libio-aio-perl ${output('dpkg-query', ['-W', '-f', '${Version}', 'libio-aio-perl']) ?? '?'})`
      : `IO::AIO not available: ${ioAio.reason}`,
    tools: [toolVersion('cp'), toolVersion('find')].filter(Boolean).join('; '),
    threadPools: `eio: its defaults; libuv: ${process.env.UV_THREADPOOL_SIZE ?? 4} threads; IO::AIO: its defaults (8 threads for aio_rmtree)`,
  }
}

/** The hand-written analysis of missed targets (benches/ANALYSIS.md), kept with every run's tables. */
function analysis() {
  const file = new URL('../ANALYSIS.md', import.meta.url)
  return fs.existsSync(file) ? `\n${fs.readFileSync(file, 'utf8')}` : ''
}

/** Writes RESULTS.md: how the suite was run, on what, the result and target tables. */
export function writeResults(file, { command, started, facts, loadStart, loadEnd, size, quick, measured, notes, skipped }) {
  const rows = measured.map(({ row, warmup, runs }) => `- \`${row.id}\`: ${row.title} (${warmup} warm-up, ${runs} measured rounds).`)
  const text = `# eio benchmark results

Produced by \`${command}\` (benches/run.mjs), started ${started.toISOString()}.
Do not edit by hand: run \`npm run bench\` (a full run takes 15–30 minutes on 2 cores) or \`npm run bench -- --quick\`.

## How it was run

- Corpus${quick ? ' (`--quick`)' : ''}: ${size.files.toLocaleString('en')} files of 0–4 KiB in ${size.dirs.toLocaleString('en')} directories up to depth ${size.maxDepth}, ${size.symlinks} symlinks, and a ${formatBytes(size.bigFileBytes)} file, generated from a fixed seed in a fresh directory under the temp dir and removed afterwards. Everything is in the page cache (warm cache).
- Each row runs every contender in the same process run, in interleaved rounds (each round runs each contender once, the order rotating from round to round): a warm-up round, then several measured rounds (the counts are given for each row below). The table gives the median and the range of the measured rounds.
- "eio vs it" is the ratio of medians, oriented so that above 1 means eio is better (faster, or smaller for memory).
- IO::AIO runs in perl (benches/perl/), which times its own work after loading and warming its pool; command-line tools are timed from spawn to exit.
- Load average (1, 5, 15 min) at start: ${loadStart}; at end: ${loadEnd}. ${facts.cpu.startsWith('2 ') ? 'On a 2-core machine shared with other work, a load above ~1 means the numbers are noisy.' : ''}

## Machine

- CPU: ${facts.cpu}; memory ${facts.memory}
- Kernel: ${facts.kernel}
- Temp dir: ${facts.tmpDir}
- Node ${facts.node}; eio ${facts.eio}
- JS anchors: ${facts.packages}
- ${facts.perl}
- ${facts.tools}
- Thread pools: ${facts.threadPools}

## Rows

${rows.join('\n')}

## Results

${resultTable(measured)}
${notes.length ? `\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
## Targets

${targetTable(measured)}
${skipped.length ? `\n## Not measured\n\n${skipped.map((s) => `- ${s}`).join('\n')}\n` : ''}${analysis()}`
  fs.writeFileSync(file, text)
}

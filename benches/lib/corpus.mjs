// The files the workloads run on, generated deterministically (same seed, same tree) in a
// fresh directory under the temp dir, and removed afterwards.
//
// Layout of the work directory:
//   tree/        the corpus: `dirs` directories up to `maxDepth` deep, `files` regular
//                files of 0–4 KiB spread over them, and a few symlinks (to files, to
//                directories, and one dangling)
//   files.txt    the absolute path of every regular file in tree/, one a line (for perl)
//   big.bin      one large file for the copy and random-read rows
// Workloads may add their own scratch files next to these.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** The corpus of a full run and of `--quick`. */
export const SIZES = {
  full: { files: 100_000, dirs: 5_000, maxDepth: 6, symlinks: 50, bigFileBytes: 2 ** 30 },
  quick: { files: 10_000, dirs: 500, maxDepth: 6, symlinks: 10, bigFileBytes: 64 * 2 ** 20 },
}

/**
 * A deterministic pseudo-random generator of floats in [0, 1): a Weyl sequence passed
 * through a 32-bit integer mixer. Plenty for laying out files; not for anything secret.
 */
export function random(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32
  }
}

/** Random bytes from `rand`, for file contents. */
function randomBytes(rand, length) {
  const words = new Uint32Array(Math.ceil(length / 4))
  for (let i = 0; i < words.length; i++) words[i] = rand() * 2 ** 32
  return Buffer.from(words.buffer, 0, length)
}

/** Creates the work directory (under `base`, default the OS temp dir). */
export function makeWorkDir(base = os.tmpdir()) {
  return fs.mkdtempSync(path.join(base, 'eio-bench-'))
}

/**
 * Builds the directory tree of `size` in `workDir/tree` and lists its files in
 * `workDir/files.txt`. Returns what the workloads need to know about it.
 */
export function createTree(workDir, size, seed = 1) {
  const root = path.join(workDir, 'tree')
  const { files, entries } = buildTree(root, size, seed)
  const fileList = path.join(workDir, 'files.txt')
  fs.writeFileSync(fileList, files.join('\n') + '\n')
  return { root, files, fileList, entries }
}

/**
 * Builds the tree of `size` at `root`: the same tree for the same seed, wherever it is
 * (so the rmtree row gets a fresh copy of the corpus by building it again, which is
 * faster than `cp -a`). Returns the paths of its regular files and its number of entries.
 */
export function buildTree(root, size, seed = 1) {
  const rand = random(seed)
  const pick = (list) => list[Math.floor(rand() * list.length)]
  fs.mkdirSync(root)

  // Each directory hangs under a random earlier one that is not yet at the maximum depth.
  const dirs = [root]
  const parents = [{ dir: root, depth: 0 }]
  for (let i = 1; i <= size.dirs; i++) {
    const parent = pick(parents)
    const dir = path.join(parent.dir, `d${i}`)
    fs.mkdirSync(dir)
    dirs.push(dir)
    if (parent.depth + 1 < size.maxDepth) parents.push({ dir, depth: parent.depth + 1 })
  }

  // Contents are slices of one random pool, so writing them costs little.
  const pool = randomBytes(rand, 1 << 20)
  const files = new Array(size.files)
  for (let i = 0; i < size.files; i++) {
    const length = Math.floor(rand() * 4097)
    const offset = Math.floor(rand() * (pool.length - length))
    files[i] = path.join(pick(dirs), `f${i}`)
    fs.writeFileSync(files[i], pool.subarray(offset, offset + length))
  }

  // Relative links, so that they point within the tree wherever it is.
  for (let i = 0; i < size.symlinks; i++) {
    const at = path.join(pick(dirs), `l${i}`)
    const target = i === 0 ? 'no-such-file' : path.relative(path.dirname(at), i % 2 ? pick(files) : pick(dirs))
    fs.symlinkSync(target, at)
  }
  return { files, entries: size.dirs + size.files + size.symlinks }
}

/**
 * Writes the big file: `bytes` of random data (one random block, each copy stamped with
 * its index so that no two blocks are equal).
 */
export function createBigFile(workDir, bytes, seed = 2) {
  const file = path.join(workDir, 'big.bin')
  const block = randomBytes(random(seed), Math.min(bytes, 4 << 20))
  const fd = fs.openSync(file, 'w')
  try {
    for (let offset = 0, index = 0; offset < bytes; offset += block.length, index++) {
      block.writeUInt32LE(index, 0)
      fs.writeSync(fd, block, 0, Math.min(block.length, bytes - offset), offset)
    }
  } finally {
    fs.closeSync(fd)
  }
  return { file, bytes }
}

/**
 * Flushes the filesystem of `dir` (syncfs), so that writeback of earlier steps does not
 * land inside the next measurement.
 */
export function settle(dir) {
  run('sync', ['-f', dir])
}

/** Removes the work directory and everything in it. */
export function removeWorkDir(workDir) {
  fs.rmSync(workDir, { recursive: true, force: true })
}

function run(command, args) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.error ?? r.stderr}`)
}

#!/usr/bin/env node
// mirror: makes DST an exact copy of the tree SRC, copying only what changed (by size and
// modification time, as rsync does by default, and by mode) and removing what SRC no
// longer has. Both trees are scanned in parallel on eio's pool; the copies are all queued
// at once with priorities by size, so the many small files land first and a few huge ones
// cannot hold them up. Files keep their mode, owner and times (`copy` restores them), so
// a second run copies nothing.
//
//   node examples/mirror.mjs SRC DST
//
// Nothing in DST is touched unless SRC was read whole: a SRC that is missing, not a
// directory or partly unreadable (a mistyped path, a permission problem) stops the mirror
// with exit status 1 before anything changes; so does a DST inside SRC or the other way
// round. Directories, regular files and symlinks are mirrored; other file types are
// reported and skipped. Names are handled as UTF-8 strings.

import path from 'node:path'

import { chmod, constants, copy, group, lstat, mkdir, readlink, realpath, rmtree, symlink, unlink, walk } from 'io-aio'

const { DT_DIR, DT_LNK, DT_REG, PRI_DEFAULT, PRI_MAX, PRI_MIN } = constants
const SMALL = 64 * 1024
const LARGE = 16 * 1024 * 1024
/** lstat/readlink requests in flight per scan. */
const SCAN_LIMIT = 64

const [src, dst] = process.argv.slice(2)
if (!src || !dst) {
  console.error('usage: mirror.mjs SRC DST')
  process.exit(1)
}

function fail(message) {
  console.error(`mirror: ${message}`)
  process.exit(1)
}

/** Stops unless SRC is a readable directory that DST is neither inside of nor contains. */
async function checkRoots() {
  const st = await lstat(src).catch((err) => fail(`cannot mirror '${src}': ${err.message}`))
  if (!st.isDirectory()) fail(`cannot mirror '${src}': not a directory`)
  const from = await realpath(src)
  const to = await realpath(dst).catch((err) => (err.code === 'ENOENT' ? path.resolve(dst) : fail(`cannot mirror into '${dst}': ${err.message}`)))
  const inside = (a, b) => a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep)
  if (inside(to, from) || inside(from, to)) fail(`'${src}' and '${dst}' overlap: one is inside the other`)
}

/**
 * The tree below `root`: relative path → { type, st, target } (target: a symlink's).
 * Empty if `root` does not exist and `missingOk`; any other error stops the mirror, so
 * that a partial view of SRC never makes it remove what DST rightly has.
 */
async function scan(root, missingOk) {
  const entries = []
  try {
    for await (const entry of walk(root)) entries.push(entry)
  } catch (err) {
    if (missingOk && err.code === 'ENOENT' && err.path === root) return new Map()
    fail(`cannot read '${err.path ?? root}': ${err.message}`)
  }
  const tree = new Map()
  let next = 0
  // A feeder keeps SCAN_LIMIT requests in flight; the group settles after the last.
  await group({
    limit: SCAN_LIMIT,
    feed(grp) {
      if (next === entries.length) return // adds nothing: the feeder is done
      const entry = entries[next++]
      const node = { type: entry.type, st: undefined, target: undefined }
      tree.set(path.relative(root, entry.path), node)
      // A failure rejects the group: the mirror stops before changing anything.
      grp.add(lstat(entry.path).then((st) => (node.st = st)))
      if (entry.type === DT_LNK) grp.add(readlink(entry.path).then((target) => (node.target = target)))
    },
  }).catch((err) => fail(`cannot read '${err.path}': ${err.message}`))
  return tree
}

const permissions = (st) => st.mode & 0o7777

/**
 * Whether `dstNode` already is what `srcNode` should become. Directories are compared by
 * type only (their modes are set after the copies; their contents entry by entry).
 */
function same(srcNode, dstNode) {
  if (!dstNode || dstNode.type !== srcNode.type) return false
  if (srcNode.type === DT_REG) {
    return (
      dstNode.st.size === srcNode.st.size &&
      Math.floor(dstNode.st.mtimeMs / 1000) === Math.floor(srcNode.st.mtimeMs / 1000) &&
      permissions(dstNode.st) === permissions(srcNode.st)
    )
  }
  if (srcNode.type === DT_LNK) return dstNode.target === srcNode.target
  return true
}

function priorityFor(size) {
  if (size <= SMALL) return PRI_MAX
  return size >= LARGE ? PRI_MIN : PRI_DEFAULT
}

const depth = (rel) => rel.split(path.sep).length

await checkRoots()
const [srcTree, dstTree] = await Promise.all([scan(src, false), scan(dst, true)])
const stats = { removed: 0, dirs: 0, files: 0, bytes: 0, links: 0, unchanged: 0, modes: 0 }

// 1. Remove what SRC lacks or has as something else (topmost entries only: rmtree takes
//    their contents along).
const stale = [...dstTree.keys()].filter((rel) => {
  const srcNode = srcTree.get(rel)
  return !srcNode || !same(srcNode, dstTree.get(rel))
})
const doomed = new Set(stale)
const underDoomed = (rel) => {
  for (let dir = path.dirname(rel); dir !== '.'; dir = path.dirname(dir)) if (doomed.has(dir)) return true
  return false
}
const topmost = stale.filter((rel) => !underDoomed(rel))
const removal = group()
for (const rel of topmost) {
  const target = path.join(dst, rel)
  removal.add(dstTree.get(rel).type === DT_DIR ? rmtree(target) : unlink(target))
  stats.removed++
}
await removal
for (const rel of stale) dstTree.delete(rel)

// 2. Directories, parents before children (one group per level).
await mkdir(dst).catch((err) => {
  if (err.code !== 'EEXIST') throw err
})
const newDirs = [...srcTree].filter(([rel, node]) => node.type === DT_DIR && !dstTree.has(rel))
for (const level of [...new Set(newDirs.map(([rel]) => depth(rel)))].sort((a, b) => a - b)) {
  const grp = group()
  for (const [rel, node] of newDirs.filter(([r]) => depth(r) === level)) {
    grp.add(mkdir(path.join(dst, rel), node.st.mode & 0o7777))
    stats.dirs++
  }
  await grp
}

// 3. Files and symlinks, all queued at once: the pool runs small files first.
const copies = group()
for (const [rel, node] of srcTree) {
  if (same(node, dstTree.get(rel))) {
    if (node.type !== DT_DIR) stats.unchanged++
    continue
  }
  const from = path.join(src, rel)
  const to = path.join(dst, rel)
  if (node.type === DT_REG) {
    copies.add(copy(from, to, { priority: priorityFor(node.st.size) }))
    stats.files++
    stats.bytes += node.st.size
  } else if (node.type === DT_LNK) {
    copies.add(symlink(node.target, to, { priority: PRI_MAX }))
    stats.links++
  } else if (node.type !== DT_DIR) {
    console.error(`mirror: skipping ${from}: not a regular file, directory or symlink`)
  }
}
await copies

// 4. The modes of directories: those that differ, and the new ones (mkdir applies the umask).
const modes = group()
for (const [rel, node] of srcTree) {
  const old = dstTree.get(rel)
  if (node.type !== DT_DIR || (old && permissions(old.st) === permissions(node.st))) continue
  modes.add(chmod(path.join(dst, rel), permissions(node.st)))
  stats.modes++
}
await modes

console.log(
  `mirror: ${stats.files} files (${stats.bytes} bytes) and ${stats.links} symlinks copied, ` +
    `${stats.dirs} directories made, ${stats.removed} stale entries removed, ${stats.modes} directory modes set, ${stats.unchanged} unchanged`,
)

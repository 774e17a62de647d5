// The JavaScript examples of the documentation, and how to run one: each fenced js block
// of README.md, and each js block in a doc comment of index.ts and lib/*.ts (TypeDoc's
// examples). Used by readme.spec.mjs (every example runs) and pack.spec.mjs (the README's
// first example runs from the installed package).
//
// The info string of a block says what it needs, after the language:
//   ```js fixture=tree   the scratch directory is set up by FIXTURES.tree first
//   ```js linux          needs Linux's own calls (splice...): not run on the portable build
//   ```js pending=walk   not run yet: the named engineer is changing it
// A block runs as a program of its own (an ES module, top-level await allowed) in a
// scratch directory whose node_modules/io-aio is the package; it must exit with status 0.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { ROOT } from './helpers.mjs'

/** Scratch trees the examples work on, by the name a block's `fixture=` gives. */
export const FIXTURES = {
  /** A project directory: a package.json (an existing one is kept: pack.spec runs the first example in a real project). */
  project(dir) {
    const manifest = path.join(dir, 'package.json')
    if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{ "name": "example", "private": true }\n')
  },
  /** A small project: package.json, a few files, a source tree, a build directory, a sparse database. */
  tree(dir) {
    FIXTURES.project(dir)
    for (const name of ['a.txt', 'b.txt', 'c.txt']) fs.writeFileSync(path.join(dir, name), `${name}\n`)
    fs.mkdirSync(path.join(dir, 'src', 'lib'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'src', 'index.js'), 'export {}\n')
    fs.writeFileSync(path.join(dir, 'src', 'lib', 'util.js'), 'export {}\n')
    fs.mkdirSync(path.join(dir, 'build', 'out'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'build', 'out', 'bundle.js'), '')
    const db = fs.openSync(path.join(dir, 'data.db'), 'w')
    fs.writeSync(db, 'header', 0)
    fs.writeSync(db, 'tail', 1 << 20)
    fs.closeSync(db)
  },
}

/** `{ lang, attrs, code, line }` for each fenced block of a Markdown text (line: of the fence). */
export function fencedBlocks(markdown) {
  const blocks = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)(.*)$/.exec(lines[i])
    if (!open) continue
    const [, indent, lang, info] = open
    const body = []
    let j = i + 1
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++].slice(indent.length))
    blocks.push({ lang, attrs: attributes(info), code: body.join('\n'), line: i + 1 })
    i = j
  }
  return blocks
}

/** `fixture=tree linux` → `{ fixture: 'tree', linux: true }`. */
function attributes(info) {
  const attrs = {}
  for (const word of info.trim().split(/\s+/).filter(Boolean)) {
    const [key, value = true] = word.split('=')
    attrs[key] = value
  }
  return attrs
}

/** The fenced blocks inside the doc comments of a TypeScript source. */
function docCommentBlocks(source) {
  const out = []
  for (const m of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const first = source.slice(0, m.index).split('\n').length
    const text = m[1]
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
      .join('\n')
    for (const block of fencedBlocks(text)) out.push({ ...block, line: first + block.line - 1 })
  }
  return out
}

const RUNNABLE = new Set(['js', 'mjs', 'javascript'])

/** The README's runnable examples, in order: `{ where, attrs, code }`. */
export function readmeExamples(readme = path.join(ROOT, 'README.md')) {
  return fencedBlocks(fs.readFileSync(readme, 'utf8'))
    .filter((b) => RUNNABLE.has(b.lang))
    .map((b) => ({ where: `README.md:${b.line}`, attrs: b.attrs, code: b.code }))
}

/** The runnable examples in the doc comments of index.ts and lib/*.ts. */
export function docCommentExamples() {
  const lib = fs.readdirSync(path.join(ROOT, 'lib')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  const out = []
  for (const file of ['index.ts', ...lib.map((f) => `lib/${f}`)]) {
    for (const b of docCommentBlocks(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
      if (RUNNABLE.has(b.lang)) out.push({ where: `${file}:${b.line}`, attrs: b.attrs, code: b.code })
    }
  }
  return out
}

/**
 * Runs `example` in `dir` (set up by its fixture), with `packageDir` as its io-aio;
 * returns spawnSync's result.
 */
export function runExample(dir, example, { packageDir = ROOT, timeout = 60_000 } = {}) {
  const { fixture } = example.attrs
  if (fixture !== undefined) {
    if (!Object.hasOwn(FIXTURES, fixture)) throw new Error(`${example.where}: no fixture '${fixture}' in __test__/docs-examples.mjs`)
    FIXTURES[fixture](dir)
  }
  const modules = path.join(dir, 'node_modules')
  if (!fs.existsSync(path.join(modules, 'io-aio'))) {
    fs.mkdirSync(modules, { recursive: true })
    fs.symlinkSync(packageDir, path.join(modules, 'io-aio'))
  }
  const file = path.join(dir, 'example.mjs')
  fs.writeFileSync(file, `${example.code}\n`)
  return spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout })
}

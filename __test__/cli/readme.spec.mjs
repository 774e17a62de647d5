// The README's command-line examples (```sh cli blocks) run as written: each block as one
// shell script (`sh -e`: every command must succeed) in a scratch tree set up by the
// documentation's fixture, with the io-aio command on PATH as npm installs it.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { fencedBlocks, FIXTURES } from '../docs-examples.mjs'
import { ROOT, tmpdir } from '../helpers.mjs'
import { BIN, environment } from './helpers.mjs'

const blocks = fencedBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).filter((b) => b.lang === 'sh' && b.attrs.cli)

test('the README shows the command line', (t) => {
  t.true(blocks.length >= 1)
  for (const name of ['du', 'find', 'cp', 'mv', 'rm']) t.true(blocks.some((b) => new RegExp(`^io-aio ${name} `, 'm').test(b.code)), `an example of io-aio ${name}`)
})

for (const block of blocks) {
  test(`README.md:${block.line} runs`, (t) => {
    const dir = tmpdir(t)
    FIXTURES[block.attrs.fixture ?? 'tree'](dir)
    const bin = path.join(dir, '.bin')
    fs.mkdirSync(bin)
    fs.symlinkSync(BIN, path.join(bin, 'io-aio'))
    const env = { ...environment(), PATH: `${bin}${path.delimiter}${process.env.PATH}` }
    const r = spawnSync('sh', ['-e', '-c', block.code], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 })
    t.is(r.status, 0, `README.md:${block.line} failed:\n${r.stderr}`)
    t.is(r.stderr, '')
  })
}

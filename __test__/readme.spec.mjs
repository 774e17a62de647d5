// Every JavaScript example of the documentation runs as written: the README's fenced js
// blocks and the js blocks of doc comments (TypeDoc's examples), each as a program of its
// own on a scratch tree (see docs-examples.mjs for the info strings that set one up).

import test from 'ava'

import { docCommentExamples, readmeExamples, runExample } from './docs-examples.mjs'
import { linuxCalls, tmpdir } from './helpers.mjs'

const examples = [...readmeExamples(), ...docCommentExamples()]

test('the documentation has examples to run', (t) => {
  t.true(readmeExamples().length >= 3)
  t.true(docCommentExamples().length >= 1)
})

for (const example of examples) {
  const { pending, linux } = example.attrs
  if (pending !== undefined) {
    console.log(`${example.where}: not run, pending (${pending})`)
    test.skip(`${example.where} runs (pending: ${pending})`, () => {})
  } else if (linux && !linuxCalls) {
    test.skip(`${example.where} runs (needs Linux's calls)`, () => {})
  } else {
    test(`${example.where} runs`, (t) => {
      const r = runExample(tmpdir(t), example)
      t.is(r.error, undefined)
      t.is(r.status, 0, `${example.where} failed:\n${r.stderr}`)
    })
  }
}

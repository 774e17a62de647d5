// Row (e): random 4 KiB reads from the cached big file, 64 in flight, each in-flight slot
// reading into its own buffer. The block offsets come from a fixed seed and are written
// to offsets.bin so that IO::AIO reads the very same blocks. Anchors: FileHandle.read and
// IO::AIO's aio_read.

import fs from 'node:fs'
import path from 'node:path'
import * as eio from '../../index.js'
import { random } from '../lib/corpus.mjs'
import { perlAnchor } from '../lib/external.mjs'
import { formatBytes, inFlight, metrics, timed } from '../lib/harness.mjs'

const SIZE = 4096
const WIDTH = 64

export function rows(ctx) {
  const total = ctx.quick ? 50_000 : 200_000
  let blocks, offsetsFile, fd, handle
  const buffers = Array.from({ length: WIDTH }, () => Buffer.alloc(SIZE))
  return [
    {
      id: 'read',
      title: `${total.toLocaleString('en')} random ${SIZE / 1024} KiB reads of a cached ${formatBytes(ctx.size.bigFileBytes)} file, ${WIDTH} in flight`,
      requires: ['read'],
      needs: ['bigFile'],
      metric: metrics.opsPerSecond,
      targets: [{ vs: 'IO::AIO aio_read', atLeast: 1.25 }],
      setup: async () => {
        const rand = random(3)
        const count = Math.floor(ctx.big.bytes / SIZE)
        blocks = Uint32Array.from({ length: total }, () => Math.floor(rand() * count))
        offsetsFile = path.join(ctx.workDir, 'offsets.bin')
        fs.writeFileSync(offsetsFile, new Uint8Array(blocks.buffer))
        fd = fs.openSync(ctx.big.file, 'r')
        handle = await fs.promises.open(ctx.big.file, 'r')
      },
      teardown: async () => {
        fs.closeSync(fd)
        await handle.close()
      },
      contenders: [
        {
          name: 'eio',
          run: () => timed(total, () => inFlight(total, WIDTH, (i, lane) => eio.read(fd, blocks[i] * SIZE, SIZE, buffers[lane]))),
        },
        {
          name: 'FileHandle.read',
          run: () =>
            timed(total, () => inFlight(total, WIDTH, (i, lane) => handle.read(buffers[lane], 0, SIZE, blocks[i] * SIZE))),
        },
        perlAnchor(ctx.ioAio, 'IO::AIO aio_read', 'read.pl', () => [ctx.big.file, offsetsFile, SIZE, WIDTH]),
      ],
    },
  ]
}

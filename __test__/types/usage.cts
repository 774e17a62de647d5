// Typed usage from CommonJS (`require`): the same types as the ES module entry.

import eio = require('io-aio')

export async function example(dir: string): Promise<number> {
  const fd: number = await eio.open(`${dir}/f`, 'w+')
  await eio.close(fd)
  const st: eio.Stats = await eio.stat(dir)
  const mode: number = st.mode & eio.constants.S_IFMT
  {
    using here = await eio.wd(dir)
    await eio.stat([here, '.'])
  }
  return mode
}

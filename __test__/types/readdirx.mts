// readdirx is typed by its flags, and entry types are a DT_* union: no casts needed.
// Checked by `npm run test:types` (tsc --noEmit); never run. Each @ts-expect-error fails
// the check if the typing it guards stops holding.

import { constants, readdirx } from 'io-aio'
import type { DirentType, ReaddirxEntry, ReaddirxResult } from 'io-aio'

export async function typed(dir: string): Promise<void> {
  // READDIR_DENTS: entries with their name, type and inode.
  const dents = await readdirx(dir, constants.READDIR_DENTS)
  const entry: ReaddirxEntry = dents.entries[0]
  const name: string = entry.name
  const type: DirentType = entry.type
  const dirs = dents.entries.filter((e) => e.type === constants.DT_DIR).map((e) => e.ino)
  void [name, type, dirs]
  // @ts-expect-error: an entry is not a name
  const notNames: string[] = dents.entries
  void notNames

  // A literal combination with READDIR_DENTS (READDIR_DENTS | READDIR_STAT_ORDER is 5).
  const ordered: ReaddirxEntry[] = (await readdirx(dir, 5)).entries
  const raw: ReaddirxEntry<Buffer>[] = (await readdirx(dir, constants.READDIR_DENTS, { encoding: 'buffer' })).entries
  void [ordered, raw]

  // Without it: names.
  const names: string[] = (await readdirx(dir)).entries
  const sorted: string[] = (await readdirx(dir, constants.READDIR_STAT_ORDER)).entries
  const bytes: Buffer[] = (await readdirx(dir, 0, { encoding: 'buffer' })).entries
  void [names, sorted, bytes]
  // @ts-expect-error: names are not entries
  const notEntries: ReaddirxEntry[] = (await readdirx(dir, constants.READDIR_DIRS_FIRST)).entries
  void notEntries

  // Flags TypeScript only knows as a number: either kind.
  const flags = constants.READDIR_DENTS | constants.READDIR_DIRS_FIRST
  const either: ReaddirxResult = await readdirx(dir, flags)
  for (const e of either.entries) console.log(typeof e === 'string' ? e : e.name)

  // DT_* constants are the union's members; a number is not.
  const dt: DirentType = constants.DT_LNK
  // @ts-expect-error: 3 is no entry type
  const bad: DirentType = 3
  void [dt, bad]
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temp folder for one test file's fixtures; `write(name, text)` returns the path. */
export const tempFixtures = (): { dir: () => string; write: (name: string, data: string | Uint8Array) => string; cleanup: () => void } => {
  let dir: string | null = null;
  const get = (): string => (dir ??= mkdtempSync(join(tmpdir(), "reccompile-data-")));
  return {
    dir: get,
    write: (name, data) => {
      const p = join(get(), name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      dir = null;
    },
  };
};

/** The sequences as arrays of external item ids, keyed by external user id. */
export const external = (ds: { sequences: readonly Int32Array[]; userIds: readonly string[]; itemIds: readonly string[] }): Record<string, string[]> =>
  Object.fromEntries(ds.sequences.map((s, u) => [ds.userIds[u]!, Array.from(s, (i) => ds.itemIds[i]!)]));

export const SHARED_DATA = new URL("../../../shared/data/", import.meta.url).pathname;

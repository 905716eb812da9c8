/**
 * Loads memlab so that it leaves nothing behind in the machine's temp directory.
 *
 * memlab (2.0.x) keeps a "default working directory" at `os.tmpdir()/memlab` beside the `workDir`
 * a caller passes: its config singleton creates `memlab/{chrome,data,input,…}` there when the
 * module is first required, and every analysis creates `memlab/chrome` and `memlab/input` again
 * (FileManager.initDirs), whatever `workDir` says. Nothing removes them, so every test run that
 * touched memlab left `/tmp/memlab` behind.
 *
 * Two fixes, both confined to memlab: the first `require` runs with `TMPDIR` pointing at a
 * throw-away directory (synchronously, so no other code of this process can see the changed
 * variable), and memlab's file manager is then told where its temp directory is, per analysis,
 * through {@link LoadedMemlab.useTempDir}: the analysis's own scratch directory, which the caller
 * removes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Memlab from 'memlab';

/** The one method of memlab's FileManager (in @memlab/core) that every path it builds starts from. */
interface MemlabFileManager {
  getTmpDir(): string;
}

export interface LoadedMemlab {
  api: typeof Memlab;
  /** Where memlab's default working directory goes until the next call (`undefined`: the OS temp dir). */
  useTempDir: (dir: string | undefined) => void;
}

let loaded: LoadedMemlab | undefined;

export function loadMemlab(): LoadedMemlab {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  const importDir = mkdtempSync(join(tmpdir(), 'oya-memlab-import-'));
  const savedTmpDir = process.env.TMPDIR;
  let api: typeof Memlab;
  let fileManager: MemlabFileManager;
  try {
    process.env.TMPDIR = importDir;
    api = require('memlab') as typeof Memlab;
    // The @memlab/core instance memlab itself resolved, not whichever copy a hoist put beside us.
    fileManager = (createRequire(require.resolve('memlab'))('@memlab/core') as { fileManager: MemlabFileManager }).fileManager;
  } finally {
    if (savedTmpDir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpDir;
    rmSync(importDir, { recursive: true, force: true });
  }
  let current: string | undefined;
  fileManager.getTmpDir = () => current ?? tmpdir();
  loaded = {
    api,
    useTempDir: (dir) => {
      current = dir;
    },
  };
  return loaded;
}

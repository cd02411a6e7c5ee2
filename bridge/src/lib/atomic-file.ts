/**
 * Writes a file under a temporary name and renames it over the target, so a crash never leaves
 * half a file (a credentials list, a key, saved sessions) behind. `mode` is set again after the
 * rename because the mode given to `writeFileSync` is filtered by the process umask.
 */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomically(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
  chmodSync(path, mode);
}

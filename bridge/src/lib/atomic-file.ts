/**
 * Writes a file under a temporary name and renames it over the target, so a crash never leaves
 * half a file (a credentials list, a key, saved sessions) behind. `mode` is set again after the
 * rename because the mode given to `writeFileSync` is filtered by the process umask.
 */
import { chmodSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeFileAtomically(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
  chmodSync(path, mode);
}

/**
 * Opens a file a previous run left for this one and deletes it at once (the open descriptor still
 * reads it), so whatever happens while it is read, it is taken back only once. Undefined when
 * there is none.
 */
export function openAndRemove(path: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  rmSync(path, { force: true });
  return fd;
}

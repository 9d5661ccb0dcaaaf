import { unwatchFile, watchFile, type Stats } from 'node:fs';

/**
 * Calls `onChange` when any of the files changes (size, mtime or inode). Polls with fs.watchFile,
 * which follows symlinks: Kubernetes Secret and ConfigMap volumes update by swapping a symlink,
 * which inotify-based watchers lose track of. Returns a function that stops watching.
 */
export function watchFiles(files: string[], intervalMs: number, onChange: () => void): () => void {
  const listener = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) onChange();
  };
  for (const f of files) watchFile(f, { interval: intervalMs, persistent: false }, listener);
  return () => {
    for (const f of files) unwatchFile(f, listener);
  };
}

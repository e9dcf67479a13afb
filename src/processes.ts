/**
 * Whether a process is still there, for files left behind by a run that was
 * killed (the report writer's temporary files, DuckDB's spill folders): a
 * folder named after a live process is that process's, not litter.
 */

/** Whether a process with this id exists (one of another user's counts as alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

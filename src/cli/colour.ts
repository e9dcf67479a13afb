/**
 * Whether output is coloured. In order: `--color` / `--no-color`; FORCE_COLOR
 * (set and not `0` or `false`: on; `0` or `false`: off), as CI systems set it;
 * NO_COLOR (set and not empty: off, no-color.org); TERM=dumb (off); else
 * colour only on a terminal.
 */
export function useColour(flag: boolean | undefined, env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

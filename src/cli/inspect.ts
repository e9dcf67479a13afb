import type { Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { UsageError } from './errors.js';

// TODO(owner of this command): replace with the real command.
export function register(program: Command, action: ActionWrapper): void {
  program
    .command('inspect')
    .description('not built yet')
    .action(action(async () => {
      throw new UsageError('inspect is not built yet');
    }));
}

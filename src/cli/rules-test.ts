import type { Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { UsageError } from './errors.js';

// TODO(owner of this command): replace with the real command.
export function register(program: Command, action: ActionWrapper): void {
  program
    .command('test')
    .description('not built yet')
    .action(action(async () => {
      throw new UsageError('rules-test is not built yet');
    }));
}

import type { CommandErrorCode } from '@repo/control';

/** A command the node cannot carry out, with the code the API maps to its response. */
export class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

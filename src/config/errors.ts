/** A problem the user can fix; its message is one sentence and is printed without a stack trace. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConfigError extends UserFacingError {}

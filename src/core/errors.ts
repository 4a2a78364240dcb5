// Every failure a user can cause is one of these: a one-line message and an exit code.
// Commands print `sreg: <message>`; screens show the message in the status bar.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class SregError extends Error {
  readonly exitCode: number;
  /** A stable machine-readable kind, used by --json output and by tests. */
  readonly kind: string;
  constructor(message: string, options: { exitCode?: number; kind?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SregError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.kind = options.kind ?? 'failure';
  }
}

/** Bad arguments: exit 2. */
export class UsageError extends SregError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_USAGE, kind: 'usage' });
    this.name = 'UsageError';
  }
}

/** A name or URI that does not parse or cannot be stored safely. */
export class BadNameError extends SregError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_USAGE, kind: 'bad-name' });
    this.name = 'BadNameError';
  }
}

export class NotFoundError extends SregError {
  constructor(message: string) {
    super(message, { kind: 'not-found' });
    this.name = 'NotFoundError';
  }
}

export class ExistsError extends SregError {
  constructor(message: string) {
    super(message, { kind: 'exists' });
    this.name = 'ExistsError';
  }
}

/** The user must log in (again) before this works. */
export class AuthRequiredError extends SregError {
  constructor(message: string) {
    super(message, { kind: 'auth-required' });
    this.name = 'AuthRequiredError';
  }
}

/** Globus ConsentRequired: the operation needs a new login with these scopes. */
export class ConsentRequiredError extends SregError {
  readonly requiredScopes: string[];
  constructor(message: string, requiredScopes: string[]) {
    super(message, { kind: 'consent-required' });
    this.name = 'ConsentRequiredError';
    this.requiredScopes = requiredScopes;
  }
}

/** A remote service said no, or kept failing after retries. */
export class RemoteError extends SregError {
  readonly status?: number;
  constructor(message: string, status?: number, cause?: unknown) {
    super(message, { kind: 'remote', cause });
    this.name = 'RemoteError';
    this.status = status;
  }
}

/** A file is not what it claims to be (bad SIF, hash mismatch, truncated download). */
export class IntegrityError extends SregError {
  constructor(message: string) {
    super(message, { kind: 'integrity' });
    this.name = 'IntegrityError';
  }
}

export class CancelledError extends SregError {
  constructor(message = 'cancelled') {
    super(message, { kind: 'cancelled' });
    this.name = 'CancelledError';
  }
}

export function isSregError(e: unknown): e is SregError {
  return e instanceof SregError;
}

/** One line, whatever was thrown. Never includes a stack. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e);
}

import { ERRORS, type ErrorCode } from '@tongxin/contracts';

/** An error with a stable code and parameters; the HTTP status comes from the code's entry in ERRORS. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, unknown> = {},
    readonly fields?: Record<string, string>,
  ) {
    super(code);
    this.status = ERRORS[code].status;
  }
}

export const notFound = () => new AppError('NOT_FOUND');
export const forbidden = () => new AppError('FORBIDDEN');
export const badRequest = (reason: string, fields?: Record<string, string>) => new AppError('BAD_REQUEST', { reason }, fields);

// Error documents exactly as Globus writes them (contracts/globus.md §1.4, §2.1).
// Handlers throw ApiError; the server turns it into a JSON response.
import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits, e.g. Transfer's 9-character request ids. */
export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i] % ALNUM.length];
  return out;
}

export function requestId(): string {
  return randomAlnum(9);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : String(body.code ?? body.error ?? status));
  }
}

/** A Transfer error: {code, message, request_id, resource} plus any extra fields. */
export function transferError(
  status: number,
  code: string,
  message: string,
  resource: string,
  extra: Record<string, unknown> = {},
): ApiError {
  return new ApiError(status, { code, message, request_id: requestId(), resource, ...extra });
}

export function badRequest(message: string, resource: string, code = 'ClientError.BadRequest'): ApiError {
  return transferError(400, code, message, resource);
}

export function endpointNotFound(id: string, resource: string): ApiError {
  return transferError(404, 'EndpointNotFound', `No such endpoint '${id}'`, resource);
}

/** Globus Auth's own 401 body (not Transfer's). */
export function authUnauthorized(): ApiError {
  return new ApiError(401, {
    errors: [
      {
        status: '401',
        id: randomUUID(),
        code: 'UNAUTHORIZED',
        detail: 'Call must be authenticated',
        title: 'Unauthorized',
      },
    ],
    error_description: 'Unauthorized',
    error: 'unauthorized',
  });
}

/** OAuth2 token-endpoint errors: {"error": "..."}. invalid_grant is 401 as in the recorded fixture. */
export function oauthError(error: string, status = 400, description?: string): ApiError {
  return new ApiError(status, description ? { error, error_description: description } : { error });
}

/** The GridFTP-style text Transfer wraps endpoint failures in. */
export function endpointFailureText(
  operation: string,
  endpointName: string,
  endpointId: string,
  summary: string,
  details: string,
): string {
  return (
    `${summary}, Error (${operation})\nEndpoint: ${endpointName} (${endpointId})\n` +
    `Server: 127.0.0.1:443\nMessage: ${summary}\n---\nDetails: ${details}\\r\\n`
  );
}

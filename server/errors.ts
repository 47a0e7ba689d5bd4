// The closed catalogue of RxPulse errors (STYLE §4). Every error a client or an operator can see has a code
// here, an HTTP status and a one-line meaning; README.md "Errors" lists them with how to fix. Tests assert
// codes, never message text. Foreign errors (ClickHouse, Redis, Fastify) are mapped at the boundary.

export const ERRORS = {
  RXP_ERR_CONFIG_INVALID: { status: 500, message: 'configuration is invalid' },
  RXP_ERR_AUTH_MISSING: { status: 401, message: 'missing or unknown bearer token' },
  RXP_ERR_AUTH_FORBIDDEN: { status: 403, message: 'this token may not do that' },
  RXP_ERR_AUTH_RATE_LIMITED: { status: 429, message: 'too many failed authentications from this address, retry later' },
  RXP_ERR_INGEST_INVALID: { status: 400, message: 'invalid_events' },
  RXP_ERR_INGEST_BODY: { status: 400, message: 'the body could not be read as events' },
  RXP_ERR_INGEST_TOO_MANY: { status: 413, message: 'too_many_events' },
  RXP_ERR_INGEST_TOO_LARGE: { status: 413, message: 'payload_too_large' },
  RXP_ERR_INGEST_MEDIA_TYPE: { status: 415, message: 'unsupported content type' },
  RXP_ERR_REFERENCE_INVALID: { status: 400, message: 'invalid_rows' },
  RXP_ERR_REFERENCE_KIND: { status: 404, message: 'unknown reference kind' },
  RXP_ERR_STORAGE_UNAVAILABLE: { status: 503, message: 'storage unavailable, retry later' },
  RXP_ERR_SHUTTING_DOWN: { status: 503, message: 'server is shutting down, retry later' },
  RXP_ERR_FLEET_UNAVAILABLE: { status: 503, message: 'Redis or the fleet\'s leader is unavailable, retry later' },
  RXP_ERR_SOCKET_LIMIT: { status: 429, message: 'too many subscriptions on this socket, or connections from this address' },
  RXP_ERR_SOCKET_RATE: { status: 429, message: 'too many socket messages or computations waiting, retry later' },
  RXP_ERR_SOCKET_BACKLOG: { status: 503, message: 'this connection has unread messages queued, retry later' },
  RXP_ERR_METRIC_UNKNOWN: { status: 404, message: 'unknown metric' },
  RXP_ERR_METRIC_PARAM: { status: 400, message: 'invalid metric parameter' },
  RXP_ERR_SCREEN_UNKNOWN: { status: 404, message: 'unknown screen' },
  RXP_ERR_SCREEN_INVALID: { status: 400, message: 'invalid screen definition' },
  RXP_ERR_ALERT_UNKNOWN: { status: 404, message: 'unknown alert' },
  RXP_ERR_ALERT_STATE: { status: 409, message: 'the alert is not in a state that allows this' },
  RXP_ERR_ALERT_INVALID: { status: 400, message: 'invalid alert request' },
  RXP_ERR_NOT_FOUND: { status: 404, message: 'not found' },
  RXP_ERR_BAD_REQUEST: { status: 400, message: 'bad request' },
  RXP_ERR_UNSAFE_INTEGER: { status: 422, message: 'a value is past 2^53 - 1 and cannot be shown exactly' },
  RXP_ERR_INTERNAL: { status: 500, message: 'internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class RxpError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Extra JSON fields merged into the response body (e.g. `errors` of invalid_events). */
  readonly body: Record<string, unknown>;
  /** Seconds, sent as Retry-After with 503. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, detail?: string, body: Record<string, unknown> = {}, retryAfter?: number) {
    super(detail ?? ERRORS[code].message);
    this.name = 'RxpError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

/** The JSON body of an error response. `error` keeps the CONTRACT's names where it gives one. */
export function errorBody(err: RxpError): Record<string, unknown> {
  const contractName: Partial<Record<ErrorCode, string>> = {
    RXP_ERR_INGEST_INVALID: 'invalid_events',
    RXP_ERR_INGEST_BODY: 'invalid_events',
    RXP_ERR_INGEST_TOO_MANY: 'too_many_events',
    RXP_ERR_INGEST_TOO_LARGE: 'payload_too_large',
    RXP_ERR_REFERENCE_INVALID: 'invalid_rows',
  };
  return { error: contractName[err.code] ?? err.code.slice('RXP_ERR_'.length).toLowerCase(), code: err.code, message: err.message, ...err.body };
}

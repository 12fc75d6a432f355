import { LoggerService } from '@backstage/backend-plugin-api';
import { ErrorResponseBody } from '@backstage/errors';
import express from 'express';
import { requestIdOf, statusOf } from './requestHelpers';

/** Errors of our own code whose message is written for the caller (and never holds personal data). */
const CALLER_ERRORS = new Set([
  'InputError',
  'AuthenticationError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
  'NotModifiedError',
  'ServiceUnavailableError',
  'PayloadTooLargeError',
  'UnsupportedMediaTypeError',
  'TooManyRequestsError',
]);

/**
 * What may be logged of an error: its class, its driver code and, for database
 * errors, the statement's shape with every literal replaced by `?`. Never the
 * message of a driver (it quotes values) nor the bindings.
 */
export function describeError(error: unknown): string {
  const e = error as {
    name?: string;
    code?: unknown;
    message?: unknown;
    constructor?: { name?: string };
  };
  const cls = e?.constructor?.name ?? e?.name ?? typeof error;
  const code =
    typeof e?.code === 'string' || typeof e?.code === 'number'
      ? ` ${e.code}`
      : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  // Knex prefixes driver errors with the statement, values interpolated: "<sql> - <driver message>".
  const sql =
    /^\s*(select|insert|update|delete|with|create|drop|alter|pragma|analyze|begin|commit)\b/i.test(
      message,
    )
      ? ` in: ${statementShape(message.split(' - ')[0])}`
      : '';
  return `${cls}${code}${sql}`;
}

/** A statement with its string, number and blob literals replaced by `?`, at most 300 characters. */
export function statementShape(sql: string): string {
  const shape = sql
    .replace(/\b[xX]'[0-9a-fA-F]*'/g, '?')
    .replace(/'(?:[^']|'')*'?/g, '?')
    .replace(/(?<![\w$"`])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return shape.length > 300 ? `${shape.slice(0, 300)}…` : shape;
}

/**
 * The router's last handler. Answers Backstage's error body: a caller error
 * with its own message; anything else (database errors above all) as a
 * generic 500 naming the request id, with only {@link describeError} in the
 * log. Stack traces are never sent, in development neither.
 */
export function errorHandler(
  logger: LoggerService,
): express.ErrorRequestHandler {
  return (error, req, res, next) => {
    const requestId = requestIdOf(req);
    const status = statusOf(error);
    const known = status < 500 && CALLER_ERRORS.has(error?.name);
    const path = (req.originalUrl ?? req.url).split('?')[0];
    if (!known) {
      logger.error(
        `Request ${requestId} ${req.method} ${path} failed: ${describeError(
          error,
        )}`,
      );
    }
    if (res.headersSent) {
      next(error);
      return;
    }
    const answered = known ? status : 500;
    const body: ErrorResponseBody & { requestId: string } = {
      error: known
        ? { name: error.name, message: String(error.message) }
        : {
            name: 'InternalError',
            message: `Internal error; quote request id ${requestId} when reporting it`,
          },
      request: { method: req.method, url: path },
      response: { statusCode: answered },
      requestId,
    };
    res.status(answered).json(body);
  };
}

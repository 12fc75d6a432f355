import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomErrorBase, ErrorResponseBody } from '@backstage/errors';
import express from 'express';
import { describeError } from '../engine/runErrors';
import { requestIdOf, statusOf } from './requestHelpers';

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
    // Errors of @backstage/errors and our own (413, 415, 429): their messages are written for the caller.
    const known = status < 500 && error instanceof CustomErrorBase;
    // Other 4xx come from Express and its parsers (e.g. a path parameter that is not UTF-8).
    const foreign = !known && status >= 400 && status < 500;
    const path = (req.originalUrl ?? req.url).split('?')[0];
    if (!known && !foreign) {
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
    const answered = known || foreign ? status : 500;
    const body: ErrorResponseBody & { requestId: string } = {
      error: errorOf(error, known, foreign, status, requestId),
      request: { method: req.method, url: path },
      response: { statusCode: answered },
      requestId,
    };
    res.status(answered).json(body);
  };
}

/** The body's `{ name, message }`: only our own caller errors speak for themselves. */
function errorOf(
  error: any,
  known: boolean,
  foreign: boolean,
  status: number,
  requestId: string,
) {
  if (known) return { name: error.name, message: String(error.message) };
  if (foreign) {
    return {
      name: 'InputError',
      message: `The request was refused (${status}): check its path, query and body`,
    };
  }
  return {
    name: 'InternalError',
    message: `Internal error; quote request id ${requestId} when reporting it`,
  };
}

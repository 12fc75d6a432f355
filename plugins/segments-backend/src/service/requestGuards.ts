import { CustomErrorBase, InputError } from '@backstage/errors';
import { idSchema, textProblem } from '@internal/plugin-segments-common';
import express from 'express';

/** 413: the body is larger than the router accepts. */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

/** 415: a body that is not JSON. */
export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError' as const;
  statusCode = 415;
}

/** Largest JSON body: 10,000 rich customers fit well within it. */
export const MAX_BODY = '25mb';

/**
 * `express.json` whose errors never quote the body (it may hold names and
 * emails): a parse error names the position when the parser reports one.
 * Bodies that are not JSON answer 415 instead of being ignored, so that a
 * `text/plain` body cannot start a run with defaults.
 */
export function jsonBody(): express.RequestHandler {
  const parse = express.json({ limit: MAX_BODY });
  return (req, res, next) => {
    if (req.is('application/json') === false) {
      next(
        new UnsupportedMediaTypeError(
          'The request body must be JSON (Content-Type: application/json)',
        ),
      );
      return;
    }
    parse(req, res, err => next(err ? bodyError(err) : undefined));
  };
}

function bodyError(err: any): Error {
  switch (err?.type) {
    case 'entity.parse.failed': {
      const position = /at position (\d+)/.exec(String(err.message))?.[1];
      const end = /end of JSON input/.test(String(err.message));
      let where = end ? ' (it ends too early)' : '';
      if (position) where = ` (at position ${position})`;
      return new InputError(`The request body is not valid JSON${where}`);
    }
    case 'entity.too.large':
      return new PayloadTooLargeError(
        `The request body is larger than ${MAX_BODY}`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError(
        'The request body must be UTF-8 JSON',
      );
    default:
      return typeof err?.status === 'number' && err.status < 500
        ? new InputError('The request body could not be read')
        : err;
  }
}

/**
 * Refuses text that no input may hold (NUL, lone surrogates) anywhere in the
 * path, query or JSON body with a 400 naming where it was found, never what.
 * PostgreSQL cannot store NUL, and drivers silently mangle lone surrogates.
 */
export function rejectBadText(): express.RequestHandler {
  return (req, _res, next) => {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      next(new InputError('Malformed percent-encoding in the request path'));
      return;
    }
    const problem =
      found('path', path) ??
      badText(req.query, 'query') ??
      badText(req.body, 'body');
    next(problem ? new InputError(problem) : undefined);
  };
}

function found(where: string, text: string): string | undefined {
  const problem = textProblem(text);
  return problem ? `${where}: ${problem}` : undefined;
}

function badText(value: unknown, where: string, depth = 0): string | undefined {
  if (typeof value === 'string') return found(where, value);
  if (depth > 200 || value === null || typeof value !== 'object')
    return undefined;
  for (const [k, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`;
    const problem =
      (textProblem(k) ? `${where}: a key ${textProblem(k)}` : undefined) ??
      badText(v, at, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * `router.param('id', normalizeId)`: path ids are trimmed and checked as
 * ingestion checks them, so that " c1" finds the customer stored as "c1".
 */
export const normalizeId: express.RequestParamHandler = (
  req,
  _res,
  next,
  value,
) => {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) {
    next(
      new InputError(
        `id: ${parsed.error.issues[0]?.message ?? 'is not valid'}`,
      ),
    );
    return;
  }
  req.params.id = parsed.data;
  next();
};

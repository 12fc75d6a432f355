import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CustomErrorBase } from '@backstage/errors';
import express from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

/** 429: too many expensive requests; `Retry-After` says when to come back. */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  statusCode = 429;
}

/** Routes that run rules or read a whole customer: the ones a busy client could use to load the database. */
export const EXPENSIVE_ROUTES: Array<['get' | 'post', string]> = [
  ['post', '/rules/preview'],
  ['post', '/rules/:id/preview-change'],
  ['get', '/customers/:id/explain'],
  ['get', '/overlap'],
  ['get', '/data/customers/:id/export'],
];

/** Default of `segments.rateLimit.expensivePerMinute`. */
export const DEFAULT_EXPENSIVE_PER_MINUTE = 120;

/**
 * A per-caller limit (user or service principal, else the client address) on
 * {@link EXPENSIVE_ROUTES}: `segments.rateLimit.expensivePerMinute` requests
 * a minute (0 turns it off: no handler), counted in this backend instance's
 * memory.
 */
export function expensiveRouteLimit(options: {
  config: Config;
  httpAuth: HttpAuthService;
}): express.RequestHandler | undefined {
  const perMinute =
    options.config.getOptionalNumber('segments.rateLimit.expensivePerMinute') ??
    DEFAULT_EXPENSIVE_PER_MINUTE;
  if (perMinute <= 0) return undefined;
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: async req => {
      try {
        const { principal } = await options.httpAuth.credentials(req, {
          allow: ['user', 'service'],
        });
        const p = principal as { userEntityRef?: string; subject?: string };
        return `p:${p.userEntityRef ?? p.subject}`;
      } catch {
        return `ip:${ipKeyGenerator(req.ip ?? '')}`;
      }
    },
    handler: (_req, _res, next) =>
      next(
        new TooManyRequestsError(
          `At most ${perMinute} previews, explanations, overlaps and exports a minute; retry later`,
        ),
      ),
  });
}

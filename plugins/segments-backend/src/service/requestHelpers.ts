import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  segmentsRuleReadPermission,
  timestampMsSchema,
} from '@internal/plugin-segments-common';
import {
  AuthorizeResult,
  BasicPermission,
  isResourcePermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { randomUUID } from 'crypto';
import express, { Request } from 'express';
import { z, ZodTypeAny } from 'zod';
import { JsonObject } from '@backstage/types';
import { AuditOutcome, AuditStore } from '../audit/AuditStore';
import { describeError } from '../engine/runErrors';
import {
  RuleConditionsToKnex,
  RuleQueryFilter,
} from '../permissions/conditionsToKnex';

/** Parses `input` or throws an InputError naming each bad field. */
export function parseOrThrow<S extends ZodTypeAny>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues
      .map(
        i =>
          `${i.path.join('.') || what}: ${
            i.code === 'unrecognized_keys'
              ? `unknown keys ${i.keys.join(', ')}`
              : i.message
          }`,
      )
      .join('; ');
    throw new InputError(`Invalid ${what}: ${details}`);
  }
  return result.data;
}

/**
 * A whole-number query parameter between `min` and `max`. Only a string of
 * digits is accepted: `?limit[]=1` or `?limit=1e3` answer 400 instead of being
 * coerced.
 */
export function queryInt(options: {
  min: number;
  max: number;
  default: number;
}) {
  return z
    .string()
    .regex(/^\d{1,15}$/, 'must be a whole number')
    .optional()
    .transform(v => (v === undefined ? options.default : Number(v)))
    .pipe(z.number().int().min(options.min).max(options.max));
}

/** `limit` and `offset` query parameters. */
export const pageSchema = z.object({
  limit: queryInt({ min: 1, max: 1000, default: 50 }),
  offset: queryInt({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }),
});

/** An optional `asOf` ISO timestamp (default now). */
export const asOfSchema = timestampMsSchema.optional();

/** Authentication, permission checks and audit events for routes. */
export class RequestContext {
  constructor(
    private readonly httpAuth: HttpAuthService,
    private readonly permissions: PermissionsService,
    private readonly auditor: AuditorService,
    /** Where audit records are stored besides the auditor (optional in unit tests). */
    private readonly auditStore?: AuditStore,
    /** Translates conditional decisions on segments to SQL (optional in unit tests). */
    private readonly ruleConditions?: RuleConditionsToKnex,
  ) {}

  async credentials(req: Request): Promise<BackstageCredentials> {
    return this.httpAuth.credentials(req, { allow: ['user', 'service'] });
  }

  /**
   * Throws NotAllowedError unless the caller holds the permission. A resource
   * permission without `resourceRef` needs an unconditional ALLOW (the
   * permission on every segment), e.g. to run all segments. A segment the
   * caller may not even read answers 404 with `notFound` (by default the
   * message for an unknown segment id), exactly as an id that does not exist,
   * so that ids cannot be probed.
   */
  async authorize(
    req: Request,
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
    notFound?: string,
  ): Promise<BackstageCredentials> {
    const credentials = await this.credentials(req);
    let result: AuthorizeResult;
    if (resourceRef !== undefined) {
      [{ result }] = await this.permissions.authorize(
        [{ permission: permission as ResourcePermission, resourceRef }],
        { credentials },
      );
      if (
        result !== AuthorizeResult.ALLOW &&
        !(await this.mayRead(credentials, permission, resourceRef))
      ) {
        throw new NotFoundError(
          notFound ?? `No segment rule with id ${resourceRef}`,
        );
      }
    } else if (isResourcePermission(permission)) {
      // authorize() would answer CONDITIONAL here, which only authorizeConditional may return.
      [{ result }] = await this.permissions.authorizeConditional(
        [{ permission }],
        { credentials },
      );
    } else {
      [{ result }] = await this.permissions.authorize([{ permission }], {
        credentials,
      });
    }
    if (result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
    return credentials;
  }

  /** The segments among `refs` that the caller may read (the others are hidden: 404). */
  async readable(req: Request, refs: string[]): Promise<Set<string>> {
    const credentials = await this.credentials(req);
    if (!refs.length) return new Set();
    const decisions = await this.permissions.authorize(
      refs.map(resourceRef => ({
        permission: segmentsRuleReadPermission,
        resourceRef,
      })),
      { credentials },
    );
    return new Set(
      refs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW),
    );
  }

  private async mayRead(
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
    resourceRef: string,
  ) {
    if (permission.name === segmentsRuleReadPermission.name) return false;
    const [{ result }] = await this.permissions.authorize(
      [{ permission: segmentsRuleReadPermission, resourceRef }],
      { credentials },
    );
    return result === AuthorizeResult.ALLOW;
  }

  /** Like {@link RequestContext.authorize} for several resources at once: all must be allowed. */
  async authorizeEach(
    req: Request,
    permission: ResourcePermission,
    resourceRefs: string[],
  ): Promise<BackstageCredentials> {
    const credentials = await this.credentials(req);
    if (!resourceRefs.length) return credentials;
    const decisions = await this.permissions.authorize(
      resourceRefs.map(resourceRef => ({ permission, resourceRef })),
      { credentials },
    );
    const denied = resourceRefs.filter(
      (_, i) => decisions[i].result !== AuthorizeResult.ALLOW,
    );
    if (denied.length) {
      throw new NotAllowedError(
        `Missing permission ${permission.name} on ${denied.join(', ')}`,
      );
    }
    return credentials;
  }

  /** Throws NotAllowedError unless the caller holds the permission on at least some segments. */
  async authorizeSome(
    req: Request,
    permission: ResourcePermission,
  ): Promise<BackstageCredentials> {
    const credentials = await this.credentials(req);
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
    return credentials;
  }

  /**
   * For lists of segments: throws NotAllowedError on DENY; returns the SQL
   * filter of a conditional decision, or no filter when everything is allowed.
   */
  async ruleFilter(
    req: Request,
    permission: ResourcePermission,
  ): Promise<{ credentials: BackstageCredentials; filter?: RuleQueryFilter }> {
    const credentials = await this.credentials(req);
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return { credentials };
    if (
      decision.result !== AuthorizeResult.CONDITIONAL ||
      !this.ruleConditions
    ) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
    return {
      credentials,
      filter: this.ruleConditions.toFilter(decision.conditions),
    };
  }

  /**
   * Runs `fn` inside an auditor event and stores an audit record (actor, time,
   * action, target, outcome, request id) whatever the outcome; run the
   * permission check inside `fn` so that denied attempts are recorded too.
   * `meta` never carries personal data values; `fn` may add ids to it (e.g.
   * the id of a created rule). Targets come from `ruleId`, `resultId`,
   * `customerId` or `executionId` in `meta`.
   */
  async audit<T>(
    req: Request,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
    severityLevel: 'low' | 'medium' | 'high' = 'medium',
  ): Promise<T> {
    const event = await this.auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta,
    });
    try {
      const result = await fn();
      await event.success({ meta });
      await this.store(req, eventId, severityLevel, meta, 'success');
      return result;
    } catch (error) {
      const status = statusOf(error);
      // The auditor logs the error: a database error's message quotes values.
      await event.fail({
        error:
          status >= 500 ? new Error(describeError(error)) : (error as Error),
        meta,
      });
      await this.store(
        req,
        eventId,
        severityLevel,
        meta,
        status === 401 || status === 403 ? 'denied' : 'failure',
        status,
      );
      throw error;
    }
  }

  private async store(
    req: Request,
    action: string,
    severity: 'low' | 'medium' | 'high',
    meta: JsonObject,
    outcome: AuditOutcome,
    /** The error's HTTP status; a success's status is the route's (200, 201 or 202). */
    status?: number,
  ) {
    if (!this.auditStore) return;
    let actor = 'unknown';
    let actorType: 'user' | 'service' | 'none' = 'none';
    try {
      const credentials = await this.httpAuth.credentials(req);
      const p = credentials.principal as any;
      actorType = p.type === 'user' || p.type === 'service' ? p.type : 'none';
      actor = p.userEntityRef ?? p.subject ?? 'anonymous';
    } catch {
      // Unauthenticated requests stop in the auth middleware; keep 'unknown'.
    }
    const { targetType, targetId, rest } = targetOf(meta);
    await this.auditStore.record({
      at: Date.now(),
      actor,
      actorType,
      action,
      severity,
      targetType,
      targetId,
      outcome,
      status,
      requestId: requestIdOf(req),
      method: req.method,
      path: (req.originalUrl ?? req.url).split('?')[0],
      meta: rest,
    });
  }
}

const TARGET_KEYS: Record<string, string> = {
  ruleId: 'rule',
  resultId: 'result',
  customerId: 'customer',
  executionId: 'execution',
};

function targetOf(meta: JsonObject) {
  const rest: JsonObject = { ...meta };
  for (const [key, type] of Object.entries(TARGET_KEYS)) {
    const value = meta[key];
    if (typeof value === 'string') {
      delete rest[key];
      return { targetType: type, targetId: value, rest };
    }
  }
  return { targetType: undefined, targetId: undefined, rest };
}

const STATUS_BY_ERROR: Record<string, number> = {
  InputError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  NotModifiedError: 304,
  NotImplementedError: 501,
  ServiceUnavailableError: 503,
};

/** The HTTP status the error handler answers for an error. */
export function statusOf(error: unknown): number {
  const e = error as { name?: string; status?: number; statusCode?: number };
  return STATUS_BY_ERROR[e?.name ?? ''] ?? e?.status ?? e?.statusCode ?? 500;
}

const REQUEST_ID = Symbol('segments.requestId');
const SAFE_REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * Gives every request an id: a well-formed incoming `x-request-id` header or a
 * new UUID. It is echoed in the `x-request-id` response header and stored with
 * audit records, so that a caller can quote it.
 */
export function requestIdMiddleware(): express.RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming)
        ? incoming
        : randomUUID();
    (req as any)[REQUEST_ID] = id;
    res.setHeader('x-request-id', id);
    next();
  };
}

/** The request's id from {@link requestIdMiddleware} (a new one if the middleware did not run). */
export function requestIdOf(req: Request): string {
  const r = req as any;
  if (!r[REQUEST_ID]) r[REQUEST_ID] = randomUUID();
  return r[REQUEST_ID];
}

/** The principal's reference for `createdBy` fields. */
export function principalRef(credentials: BackstageCredentials): string {
  const p = credentials.principal as any;
  return p.userEntityRef ?? p.subject ?? 'unknown';
}

import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { Request } from 'express';
import { z, ZodTypeAny } from 'zod';
import { JsonObject } from '@backstage/types';

/** Parses `input` or throws an InputError naming each bad field. */
export function parseOrThrow<S extends ZodTypeAny>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues
      .map(i => `${i.path.join('.') || what}: ${i.code === 'unrecognized_keys' ? `unknown keys ${i.keys.join(', ')}` : i.message}`)
      .join('; ');
    throw new InputError(`Invalid ${what}: ${details}`);
  }
  return result.data;
}

/** `limit` and `offset` query parameters. */
export const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** An optional `asOf` ISO timestamp (default now). */
export const asOfSchema = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO timestamp, e.g. 2024-05-01T00:00:00Z' })
  .transform(v => Date.parse(v))
  .optional();

/** Authentication, permission checks and audit events for routes. */
export class RequestContext {
  constructor(
    private readonly httpAuth: HttpAuthService,
    private readonly permissions: PermissionsService,
    private readonly auditor: AuditorService,
  ) {}

  async credentials(req: Request): Promise<BackstageCredentials> {
    return this.httpAuth.credentials(req, { allow: ['user', 'service'] });
  }

  /** Throws NotAllowedError unless the caller holds the permission. */
  async authorize(
    req: Request,
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
  ): Promise<BackstageCredentials> {
    const credentials = await this.credentials(req);
    const [decision] = await this.permissions.authorize(
      [resourceRef ? { permission: permission as ResourcePermission, resourceRef } : { permission: permission as BasicPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
    return credentials;
  }

  /** Runs `fn` inside an auditor event; meta never carries personal data values. */
  async audit<T>(
    req: Request,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
    severityLevel: 'low' | 'medium' | 'high' = 'medium',
  ): Promise<T> {
    const event = await this.auditor.createEvent({ eventId, severityLevel, request: req, meta });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }
}

/** The principal's reference for `createdBy` fields. */
export function principalRef(credentials: BackstageCredentials): string {
  const p = credentials.principal as any;
  return p.userEntityRef ?? p.subject ?? 'unknown';
}

import {
  coreServices,
  createServiceFactory,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import permissionPlugin from '@backstage/plugin-permission-backend';
import segmentsPolicyModule from '@internal/plugin-segments-backend-module-permission-policy';
import { randomBytes } from 'crypto';
import fs from 'fs';
import { Knex } from 'knex';
import path from 'path';
import YAML from 'yaml';
import { databases } from '../../__testUtils__/testBackend';
import { segmentsPlugin } from '../../plugin';

const repoRoot = path.resolve(__dirname, '../../../../..');

/** Users of examples/org.yaml with their groups, as entity refs. */
export const ORG: Record<string, string[]> = (() => {
  const docs = YAML.parseAllDocuments(
    fs.readFileSync(path.join(repoRoot, 'examples/org.yaml'), 'utf8'),
  );
  const users: Record<string, string[]> = {};
  for (const doc of docs) {
    const e = doc.toJS();
    if (e?.kind === 'User') {
      users[`user:default/${e.metadata.name}`] = (e.spec.memberOf ?? []).map(
        (g: string) => `group:default/${g}`,
      );
    }
  }
  return users;
})();

/** `segments.roles` as shipped in app-config.yaml, so that tests decide with the real role mapping. */
export const APP_CONFIG_ROLES = YAML.parse(
  fs.readFileSync(path.join(repoRoot, 'app-config.yaml'), 'utf8'),
).segments.roles;

/** The static API token (app-config `backend.auth.externalAccess`: limited to the segments plugin). */
export const STATIC_TOKEN = 'segments-test-static-token';
/** A static token restricted to ingestion (`accessRestrictions: [{ plugin: segments, permission: segments.data.write }]`). */
export const INGEST_ONLY_TOKEN = 'segments-test-ingest-only-token';

/** Authorization headers of the principals the tests use. */
export const as = {
  admin: { Authorization: mockCredentials.user.header('user:default/ada') },
  editor: { Authorization: mockCredentials.user.header('user:default/eddie') },
  editor2: { Authorization: mockCredentials.user.header('user:default/erin') },
  viewer: { Authorization: mockCredentials.user.header('user:default/vera') },
  viewer2: {
    Authorization: mockCredentials.user.header('user:default/victor'),
  },
  norole: { Authorization: mockCredentials.user.header('user:default/nora') },
  service: { Authorization: `Bearer ${STATIC_TOKEN}` },
  ingestOnly: { Authorization: `Bearer ${INGEST_ONLY_TOKEN}` },
  anonymous: {} as Record<string, string>,
  forged: {
    Authorization:
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyOmRlZmF1bHQvYWRhIn0.',
  },
};

/**
 * Mock HTTP auth as in production where it matters here: requests without a
 * token have no credentials (401), plugin-to-plugin tokens on behalf of a user
 * carry the calling plugin as actor (which the permission backend and
 * apply-conditions require), and the static tokens are external service
 * principals with their access restrictions.
 */
const httpAuthFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): HttpAuthService {
    const pluginId = plugin.getId();
    const inner = mockServices.httpAuth({
      pluginId,
      defaultCredentials: mockCredentials.none(),
    });
    const special = (req: any): BackstageCredentials | undefined => {
      const header = req.headers.authorization;
      const token =
        typeof header === 'string'
          ? header.match(/^Bearer[ ]+(\S+)$/i)?.[1]
          : undefined;
      if (token === STATIC_TOKEN || token === INGEST_ONLY_TOKEN) {
        if (pluginId !== 'segments')
          throw new AuthenticationError(
            'This token is limited to the segments plugin',
          );
        return mockCredentials.service(
          'segments-api-client',
          token === INGEST_ONLY_TOKEN
            ? { permissionNames: ['segments.data.write'] }
            : undefined,
        );
      }
      if (token?.startsWith('mock-service-token:')) {
        const { obo, target } = JSON.parse(
          token.slice('mock-service-token:'.length),
        );
        if (target && target !== pluginId)
          throw new AuthenticationError(`Token for ${target}, not ${pluginId}`);
        if (obo)
          return mockCredentials.user(obo, {
            actor: { subject: 'plugin:caller' },
          });
      }
      return undefined;
    };
    return {
      async credentials(req: any, options?: any) {
        const credentials = special(req);
        if (!credentials) return inner.credentials(req, options);
        const type = (credentials.principal as { type: 'user' | 'service' })
          .type;
        if (options?.allow && !options.allow.includes(type)) {
          throw new NotAllowedError(
            `This endpoint does not allow '${type}' credentials`,
          );
        }
        return credentials as any;
      },
      issueUserCookie: (res: any, options?: any) =>
        inner.issueUserCookie(res, options),
    } as HttpAuthService;
  },
});

/** User info from examples/org.yaml: the user ref and the user's groups. */
const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory() {
    return {
      async getUserInfo(credentials: BackstageCredentials) {
        const principal = credentials.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type !== 'user' || !principal.userEntityRef) {
          throw new Error(
            `User info not available for principal type '${principal.type}'`,
          );
        }
        return {
          userEntityRef: principal.userEntityRef,
          ownershipEntityRefs: [
            principal.userEntityRef,
            ...(ORG[principal.userEntityRef] ?? []),
          ],
        };
      },
    };
  },
});

/**
 * Starts the segments plugin with the REAL permission framework: the
 * permission backend, the Segments role policy module with the role mapping of
 * app-config.yaml, and the real permissions service (which asks the
 * permission backend, which asks back for conditional decisions on single
 * segments). Users and groups are those of examples/org.yaml.
 */
export async function startSecuredBackend(
  id: TestDatabaseId,
  config: Record<string, any> = {},
  /** More features or service factories, e.g. a capturing root logger. */
  extraFeatures: Parameters<typeof startTestBackend>[0]['features'] = [],
) {
  const knex: Knex = await databases.init(id);
  const backend = await startTestBackend({
    features: [
      segmentsPlugin,
      permissionPlugin,
      segmentsPolicyModule,
      httpAuthFactory,
      userInfoFactory,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          ...config,
          segments: {
            demoData: { enabled: false },
            // Tests make many previews; src/service/limits.test.ts tests the limit.
            rateLimit: { expensivePerMinute: 0 },
            encryption: {
              keys: [
                {
                  id: 'authz-test',
                  secret: randomBytes(32).toString('base64'),
                },
              ],
            },
            execution: { maxAttempts: 1 },
            roles: APP_CONFIG_ROLES,
            ...config.segments,
          },
        },
      }),
      ...extraFeatures,
    ],
  });
  return { server: backend.server, knex, backend };
}

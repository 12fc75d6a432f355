import { mockServices } from '@backstage/backend-test-utils';
import fs from 'fs';
import path from 'path';
import YAML from 'yaml';
import { createRouter } from '../service/router';

/** Every route the router serves, as `METHOD /path` with `{param}` placeholders. */
function routesOf(stack: any[]): string[] {
  return stack.flatMap(layer => {
    if (layer.route) {
      return Object.keys(layer.route.methods).map(
        m => `${m.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`,
      );
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

describe('openapi.yaml', () => {
  it('documents exactly the routes the router serves', async () => {
    const spec = YAML.parse(fs.readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8'));
    const documented = Object.entries(spec.paths).flatMap(([p, ops]: [string, any]) =>
      Object.keys(ops)
        .filter(k => k !== 'parameters')
        .map(m => `${m.toUpperCase()} ${p}`),
    );
    const router = await createRouter({
      logger: mockServices.logger.mock(),
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
      // Optional services present, so optional routers are mounted too.
      analysis: {},
      audit: {},
    } as any);
    expect(routesOf((router as any).stack).sort()).toEqual(documented.sort());
  });
});

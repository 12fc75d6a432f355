import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';

/**
 * Backstage's root HTTP router with its default middleware, except that error
 * bodies never carry stack traces, in development neither (the default shows
 * them when NODE_ENV=development). Segments' own router answers its errors
 * itself; this covers what fails before it, such as a 401.
 */
export const rootHttpRouter = rootHttpRouterServiceFactory({
  configure({ app, routes, middleware, healthRouter }) {
    app.use(middleware.helmet());
    app.use(middleware.cors());
    app.use(middleware.compression());
    app.use(middleware.logging());
    app.use(middleware.rateLimit());
    app.use(healthRouter);
    app.use(routes);
    app.use(middleware.notFound());
    app.use(middleware.error({ showStackTraces: false }));
  },
});

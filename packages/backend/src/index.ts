// First: the OpenTelemetry meter provider and its Prometheus endpoint (port 9464).
import './instrumentation';
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouter } from './rootHttpRouter';

const backend = createBackend();

backend.add(rootHttpRouter);

backend.add(import('@backstage/plugin-app-backend'));

// Guest sign-in for the dev portal.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Users and groups of the dev portal (examples/org.yaml): guest sign-in resolves
// to one of them, and their groups give the Segments roles.
backend.add(import('@backstage/plugin-catalog-backend'));

// Permissions: the Segments role policy (segments.roles in app-config maps
// groups to admin, editor and viewer).
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@internal/plugin-segments-backend-module-permission-policy'),
);

// Live progress (signals) and run failure / large change notifications.
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));

backend.add(import('@internal/plugin-segments-backend'));

backend.start();

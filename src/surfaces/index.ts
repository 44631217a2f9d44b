import type { FastifyInstance } from 'fastify';
import type { RouteTracker } from '../http/method-not-allowed.js';
import type { Services } from '../services.js';
import { surface000 } from './s000/index.js';
import { surface001 } from './s001/index.js';
import { surface002 } from './s002/index.js';
import { surface003 } from './s003/index.js';
import { surface004 } from './s004/index.js';

/** The vendor-compatible surfaces, each at the base path its seed documents (docs/surfaces/). */
export async function registerSurfaces(app: FastifyInstance, services: Services, routes: RouteTracker) {
  await app.register(surface000, { services, routes, prefix: '/api/external/v1' });
  await app.register(surface001, { services, routes, prefix: '/customers' });
  // Seed 002 documents its path with the prefix doubled; both spellings are served.
  await app.register(surface002, { services, routes, prefix: '/external/v1/external/v1' });
  await app.register(surface002, { services, routes, prefix: '/external/v1' });
  await app.register(surface003, { services, routes, prefix: '/api/v2/customer' });
  await app.register(surface004, { services, routes, prefix: '/api/p/v1.0' });
}

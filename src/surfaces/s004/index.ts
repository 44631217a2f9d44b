import type { FastifyPluginAsync } from 'fastify';
import type { SurfaceOptions } from '../surface.js';

/** Seed 004's customer API. */
export const surface004: FastifyPluginAsync<SurfaceOptions> = async () => {};

import type { FastifyPluginAsync } from 'fastify';
import type { SurfaceOptions } from '../surface.js';

/** Seed 000's customer API. */
export const surface000: FastifyPluginAsync<SurfaceOptions> = async () => {};

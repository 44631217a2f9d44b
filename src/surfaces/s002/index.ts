import type { FastifyPluginAsync } from 'fastify';
import type { SurfaceOptions } from '../surface.js';

/** Seed 002's customer API. */
export const surface002: FastifyPluginAsync<SurfaceOptions> = async () => {};

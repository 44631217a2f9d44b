import type { FastifyPluginAsync } from 'fastify';
import type { SurfaceOptions } from '../surface.js';

/** Seed 001's customer API. */
export const surface001: FastifyPluginAsync<SurfaceOptions> = async () => {};

import formbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { issueAccessToken, OAuthError } from '../../core/auth/oauth.service.js';
import type { Services } from '../../services.js';
import { classifyError } from '../errors.js';
import { logFailure } from '../problem.js';

const TokenBody = Type.Object(
  {
    grant_type: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ description: 'Space-separated scopes; by default all the client may have.' })),
  },
  { additionalProperties: true },
);

const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.Optional(Type.String()) });

function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  try {
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/** The OAuth 2.0 token endpoint (client credentials grant, RFC 6749 §4.4), with OAuth's own error bodies. */
export const oauthRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  await app.register(formbody);

  app.setErrorHandler((raw, request, reply) => {
    const oauth = raw instanceof OAuthError ? raw : null;
    const error = oauth ?? new OAuthError('invalid_request', classifyError(raw).status >= 500 ? 'The request could not be processed.' : 'The request is malformed.');
    if (!oauth) logFailure(request, raw, classifyError(raw));
    if (error.error === 'invalid_client' && request.headers.authorization?.toLowerCase().startsWith('basic')) {
      reply.header('www-authenticate', 'Basic realm="patron"');
    }
    const status = oauth ? error.status : classifyError(raw).status >= 500 ? 500 : 400;
    return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send({ error: error.error, error_description: error.description });
  });

  app.post(
    '/oauth/token',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Get an access token (OAuth 2.0 client credentials)',
        description: 'Form-encoded (`application/x-www-form-urlencoded`). Authenticate with HTTP Basic (client id and secret) or `client_id` / `client_secret` in the body.',
        security: [],
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenBody,
        response: {
          200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer(), scope: Type.String() }),
          400: OAuthErrorBody,
          401: OAuthErrorBody,
        },
      },
    },
    async (request, reply) => {
      const basic = basicCredentials(request.headers.authorization);
      const body = request.body;
      if (basic && (body.client_id || body.client_secret)) throw new OAuthError('invalid_request', 'Use one client authentication method, not both.');
      const token = await issueAccessToken(services.db, services.signingKey, {
        grantType: body.grant_type,
        clientId: basic?.id ?? body.client_id,
        clientSecret: basic?.secret ?? body.client_secret,
        scope: body.scope,
      });
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
    },
  );
};

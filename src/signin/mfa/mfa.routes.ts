import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { errors, Uuid } from '../../contracts/common.js';
import {
  MfaCodeBody,
  MfaStatusSchema,
  TotpConfirmBody,
  TotpConfirmed,
  TotpEnrolBody,
  TotpEnrolment,
} from '../../contracts/mfa.js';
import { clientIp } from '../../http/client-ip.js';
import { requireJsonStrings } from '../../http/json-strings.js';
import { requireActor } from '../../http/plugins/auth.js';
import type { SessionCookies } from '../../http/session-cookie.js';
import { answerSession } from '../login.routes.js';
import type { SignInService } from '../sign-in.service.js';
import type { MfaService, MfaUser } from './mfa.service.js';

export interface MfaRoutesOptions {
  mfa: MfaService;
  signIn: SignInService;
  cookies: SessionCookies;
}

/** The signed-in caller as the MFA steps take them. */
function caller(request: FastifyRequest): MfaUser {
  const actor = requireActor(request);
  if (actor.userId === null) throw new Error('a session always has a user');
  return {
    id: actor.userId,
    orgId: actor.orgId,
    username: actor.username,
    ip: clientIp(request),
    sessionId: actor.sessionId,
  };
}

export const mfaRoutes: FastifyPluginAsyncTypebox<MfaRoutesOptions> = async (
  app,
  { mfa, signIn, cookies },
) => {
  app.get(
    '/api/me/mfa',
    {
      schema: {
        tags: ['mfa'],
        summary: 'Whether my TOTP is on, and how many recovery codes are left',
        response: { 200: MfaStatusSchema, ...errors(401) },
      },
    },
    async (request) => mfa.status(caller(request).id),
  );

  app.post(
    '/api/me/mfa/totp',
    {
      // A session, or the mfaToken of MFA_ENROLLMENT_REQUIRED (no session exists yet).
      config: { auth: 'session-optional' },
      schema: {
        tags: ['mfa'],
        summary:
          'Starts a TOTP enrolment: a new secret (replacing one not yet confirmed); 409 when TOTP is on',
        body: TotpEnrolBody,
        response: { 200: TotpEnrolment, ...errors(400, 401, 409) },
      },
      preValidation: requireJsonStrings('mfaToken'),
    },
    async (request) => {
      const { mfaToken } = request.body;
      if (mfaToken !== undefined) return signIn.enrolWithToken(mfaToken, clientIp(request));
      return mfa.enrol(caller(request));
    },
  );

  app.post(
    '/api/me/mfa/totp/confirm',
    {
      config: { auth: 'session-optional' },
      schema: {
        tags: ['mfa'],
        summary:
          'Turns TOTP on with a code of the new secret: answers ten recovery codes (shown once); with an mfaToken, the login finishes too',
        body: TotpConfirmBody,
        response: { 200: TotpConfirmed, ...errors(400, 401, 403, 409) },
      },
      preValidation: requireJsonStrings('code', 'mfaToken'),
    },
    async (request, reply) => {
      const { code, mfaToken } = request.body;
      if (mfaToken === undefined) return { recoveryCodes: await mfa.confirm(caller(request), code) };
      const { opened, recoveryCodes } = await signIn.confirmWithToken({
        mfaToken,
        code,
        ip: clientIp(request),
        headers: request.headers,
      });
      return { ...answerSession(request, reply, cookies, opened), recoveryCodes };
    },
  );

  app.delete(
    '/api/me/mfa/totp',
    {
      schema: {
        tags: ['mfa'],
        summary: 'Turns my TOTP off; takes a TOTP code or a recovery code',
        body: MfaCodeBody,
        response: { 204: Type.Null(), ...errors(400, 401, 409, 429) },
      },
      preValidation: requireJsonStrings('code'),
    },
    async (request, reply) => {
      await mfa.disable(caller(request), request.body.code.trim());
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/users/:id/mfa',
    {
      schema: {
        tags: ['users'],
        summary: 'Admin: removes a user’s TOTP (a lost phone); their next login goes without it, or enrols',
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({ removed: Type.Boolean({ description: 'false: the user had no TOTP' }) }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => mfa.reset(requireActor(request), request.params.id),
  );
};

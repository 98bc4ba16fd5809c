import type { FastifyReply, FastifyRequest } from 'fastify';

/** The known-device cookie (accounts/known-devices.ts): signed, so it cannot be forged, only kept. */
export const DEVICE_COOKIE = 'vault_device';

// Browsers cap a cookie's lifetime at 400 days; a device seen once in that time stays known.
const DEVICE_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600;

/** Sent only with our own requests that check a password: the login and the password change. */
export function setDeviceCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(DEVICE_COOKIE, token, {
    path: '/api/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  });
}

export function readDeviceCookie(request: FastifyRequest): string | undefined {
  return request.cookies[DEVICE_COOKIE];
}

import { ApiError } from '../../api/client.ts';

/** What a person reads when a second-factor step failed. */
export function describeCodeFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'INVALID_MFA_CODE':
      return 'That code is not right, or was used already. Wait for the next code in your app and try again.';
    case 'MFA_TOKEN_INVALID':
      return 'This sign-in took too long or was already used. Start again with your password.';
    case 'RATE_LIMITED': {
      const minutes = error.retryAfter ? Math.max(1, Math.ceil(error.retryAfter / 60)) : null;
      return minutes
        ? `Too many wrong codes. Try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}.`
        : 'Too many wrong codes. Try again later.';
    }
    case 'NETWORK':
      return error.message;
    default:
      return error.message;
  }
}

/** Six digits, whatever the user pasted around them (spaces, a dash in the middle). */
export function digitsOf(typed: string): string {
  return typed.replace(/\D/g, '').slice(0, 6);
}

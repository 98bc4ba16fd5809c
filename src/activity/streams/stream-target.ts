import type { CreateStream } from '../../contracts/streams.js';
import { invalidInput } from '../../kernel/errors.js';

/**
 * What the schema cannot say about a new stream's target. Loopback and private addresses are
 * allowed: SIEM collectors are internal (PRODUCT.md).
 */
export function checkStreamTarget(body: CreateStream): void {
  let url: URL;
  try {
    url = new URL(body.url);
  } catch {
    throw invalidInput('url must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidInput(`url must be http or https, not ${url.protocol.replace(':', '')}`);
  }
  // The list shows the URL to every admin: a credential belongs in the token or the secret.
  if (url.username !== '' || url.password !== '') {
    throw invalidInput('url must not hold a user name or password; Splunk takes its token in token');
  }
  if (body.format === 'splunk_hec' && body.token === undefined) {
    throw invalidInput('token is required for splunk_hec (the HEC token)');
  }
  if (body.format === 'json' && body.token !== undefined) {
    throw invalidInput('token is only for splunk_hec; a json stream is authenticated by its signature');
  }
}

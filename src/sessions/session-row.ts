import { nameWithoutVersion } from './client-info.js';

/**
 * The columns a session row derives for the list's filters (migration 010): the OS and browser
 * names without their version, and the lower-cased text `q` looks in. A login, the demo and the
 * tests' seeded rows all write them through here, so a filter finds each alike.
 */
export function filterColumns(
  username: string,
  client: { os: string; browser: string },
  city: string | null,
): { osName: string; browserName: string; search: string } {
  return {
    osName: nameWithoutVersion(client.os),
    browserName: nameWithoutVersion(client.browser),
    search: `${username}\n${(city ?? '').toLowerCase()}`,
  };
}

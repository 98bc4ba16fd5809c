import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListSessionsQuery } from '../../src/contracts/sessions.js';
import { hasFilter, viewFromSearch, viewToSearch } from '../../web/src/features/sessions/filter-url.ts';

// The server validates with Fastify's Ajv and ajv-formats; this is ajv-formats' uuid, for TypeBox's own check.
FormatRegistry.Set('uuid', (value) =>
  /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(value),
);

const KEYS = [
  'userId',
  'user',
  'username',
  'country',
  'deviceType',
  'os',
  'browser',
  'q',
  'flag',
  'sort',
  'order',
];

describe('Session Information’s URL (web/src/features/sessions/filter-url.ts)', () => {
  it('reads a shared link: filters, sort and order; user= is the older name of userId=', () => {
    const view = viewFromSearch(
      new URLSearchParams(
        'user=0B7E1C9A-3F4D-4E5A-9B6C-7D8E9F0A1B2C&country=de&browser=Chrome&flag=new_country&sort=username',
      ),
    );
    expect(view).toEqual({
      filter: {
        userId: '0b7e1c9a-3f4d-4e5a-9b6c-7d8e9f0a1b2c',
        country: 'DE',
        browser: 'Chrome',
        flag: 'new_country',
      },
      sort: 'username',
      order: 'asc',
    });
    expect(viewToSearch(view)).toBe(
      'userId=0b7e1c9a-3f4d-4e5a-9b6c-7d8e9f0a1b2c&country=DE&browser=Chrome&flag=new_country&sort=username&order=asc',
    );
  });

  it('leaves the defaults out of the URL, and an empty filter is no filter (no Logout by it)', () => {
    const view = viewFromSearch(new URLSearchParams('q=%20%20&order=desc'));
    expect(view).toEqual({ filter: {}, sort: 'lastAccessAt', order: 'desc' });
    expect(viewToSearch(view)).toBe('');
    expect(hasFilter(view.filter)).toBe(false);
    expect(hasFilter({ country: 'DE' })).toBe(true);
    // Cut to the API's 100 characters without a trailing blank; a device class as the server spells it.
    const long = viewFromSearch(new URLSearchParams({ q: `${'a'.repeat(99)} b`, deviceType: 'smart tv' }));
    expect(long.filter).toEqual({ q: 'a'.repeat(99), deviceType: 'Smart TV' });
  });

  it('whatever a URL holds, the page asks the API only what its schema accepts, and reads its own URL back the same', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom(
        'DE',
        'new_device',
        'impossible_travel',
        'username',
        'country',
        'asc',
        'desc',
        'Mobile',
      ),
      fc.uuid(),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 12 }), (pairs) => {
        const view = viewFromSearch(new URLSearchParams(pairs));
        const query = { ...view.filter, sort: view.sort, order: view.order, limit: 100 };
        // deviceType is checked by the server against its list (a 400 names it), not by the schema.
        expect(Value.Check(ListSessionsQuery, query), JSON.stringify(query)).toBe(true);
        expect(viewFromSearch(new URLSearchParams(viewToSearch(view)))).toEqual(view);
      }),
      { numRuns: 500 },
    );
  });
});

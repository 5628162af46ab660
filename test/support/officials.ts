// A directory entry for tests: a WA senator with a Capitol office, changed by `more`.
import type { OfficialInput } from '../../src/officials/types.ts';

export const testOfficial = (
  externalId: string,
  name: string,
  more: Partial<OfficialInput>,
): OfficialInput => ({
  externalId,
  name,
  givenName: name.split(' ')[0]!,
  familyName: name.split(' ').slice(1).join(' '),
  chamber: 'senate',
  title: 'Senator',
  region: 'WA',
  district: null,
  party: 'Democrat',
  email: null,
  phone: '202-224-0000',
  contactForm: null,
  url: null,
  offices: [
    {
      kind: 'capitol',
      address: '1 Hart Building',
      city: 'Washington',
      region: 'DC',
      postalCode: '20510',
      phone: null,
      fax: null,
    },
  ],
  terms: [],
  ids: { bioguide: externalId },
  social: {},
  ...more,
});

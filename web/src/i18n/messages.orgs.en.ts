// English messages of one part of the app, merged into messages.en.ts (same key rules as there).
export const organisationsMessages = {
  'organisations.accountTitle': 'Organisations',
  'organisations.accountIntro':
    "Private situations of an organisation are visible only to its members. You see these organisations' private situations:",
  'organisations.accountNone':
    'You are not a member of any organisation: you see public situations and the private situations of the installation itself.',
  'organisations.accountAdmin': 'As an administrator you see the private situations of every organisation.',
} as const;

// English messages of one part of the app, merged into messages.en.ts (same key rules as there):
// organisations on the account page and the administrators' page at /admin/organisations.
export const organisationsMessages = {
  'organisations.accountTitle': 'Organisations',
  'organisations.accountIntro':
    "Private situations of an organisation are visible only to its members. You see these organisations' private situations:",
  'organisations.accountNone':
    'You are not a member of any organisation: you see public situations and the private situations of the installation itself.',
  'organisations.accountAdmin': 'As an administrator you see the private situations of every organisation.',

  'organisations.navLink': 'Organisations',
  'organisations.title': 'Organisations',
  'organisations.lead':
    "An organisation is a team. Its members, and administrators, read its situations' private content; nobody else does. Organisations are never deleted: rename one instead.",
  'organisations.signedOut': 'You need to sign in as an administrator to manage organisations.',
  'organisations.notAllowed':
    'You are not allowed to manage organisations: only administrators may. Your account has the role {role}.',

  'organisations.listHeading': 'All organisations',
  'organisations.none': 'There are no organisations yet. Create the first one below.',
  'organisations.caption.one': '{count} organisation',
  'organisations.caption.other': '{count} organisations',
  'organisations.col.name': 'Name',
  'organisations.col.slug': 'Slug',
  'organisations.col.members': 'Members',
  'organisations.col.situations': 'Situations',
  'organisations.col.created': 'Created',

  'organisations.create.heading': 'New organisation',
  'organisations.create.slug': 'Slug',
  'organisations.create.slugHint':
    'Its permanent short name, used in addresses and commands: lower-case letters, digits and single hyphens, such as team-a. It cannot be changed later.',
  'organisations.create.name': 'Name',
  'organisations.create.submit': 'Create the organisation',
  'organisations.create.done': 'Organisation {name} ({slug}) created.',
  'organisations.fixErrors': 'Nothing was saved. Correct the fields marked below.',
  'organisations.required': 'Required.',

  'organisations.back': 'All organisations',
  'organisations.facts': 'About this organisation',

  'organisations.rename.heading': 'Name',
  'organisations.rename.label': 'Name of the organisation',
  'organisations.rename.submit': 'Save the name',
  'organisations.rename.done': 'Renamed to {name}.',
  'organisations.rename.unchanged': 'The name is unchanged.',

  'organisations.members.heading': 'Members',
  'organisations.members.none': 'This organisation has no members yet.',
  'organisations.members.caption.one': '{count} member of {name}',
  'organisations.members.caption.other': '{count} members of {name}',
  'organisations.members.email': 'E-mail',
  'organisations.members.role': 'Role',
  'organisations.members.since': 'Member since',
  'organisations.members.actions': 'Actions',
  'organisations.members.remove': 'Remove',
  'organisations.members.removeNamed': 'Remove {email}',
  'organisations.members.removed': '{email} is no longer a member of {name}.',
  'organisations.members.addHeading': 'Add a member',
  'organisations.members.addLabel': "The user's e-mail",
  'organisations.members.addHint':
    'The user must already have an account. They read the private situations from their next request on.',
  'organisations.members.addSubmit': 'Add the member',
  'organisations.members.added': '{email} is now a member of {name}.',

  'organisations.situations.heading': 'Situations',
  'organisations.situations.none':
    'No situation belongs to this organisation. Move one into it with: vigil situation update SITUATION --organisation {slug}',
  'organisations.situations.public': 'public',
  'organisations.situations.private': 'private',

  'organisations.history.heading': 'Membership history',
  'organisations.history.none': 'No one has been added or removed yet.',
  'organisations.history.caption.one': '{count} membership change, oldest first',
  'organisations.history.caption.other': '{count} membership changes, oldest first',
  'organisations.history.at': 'When',
  'organisations.history.email': 'User',
  'organisations.history.change': 'Change',
  'organisations.history.by': 'By',
  'organisations.history.added': 'added',
  'organisations.history.removed': 'removed',
} as const;

// The catalogues that structured assessments are made against: the UN Framework of Analysis for
// Atrocity Crimes (2014) and the ten stages of genocide (Gregory H. Stanton, Genocide Watch).
// The wording is Vigil's own short paraphrase, never the source text; every entry cites where it comes from.
// Where we could not confirm an indicator's exact number, the indicator is left out and the factor is
// marked `complete: false` (docs/risk-framework.md lists what is missing) rather than guessed.

export const FRAMEWORK_DOCUMENT = 'A/70/741–S/2016/71';
export const FRAMEWORK_TITLE = 'UN Framework of Analysis for Atrocity Crimes: A tool for prevention (2014)';
export const FRAMEWORK_ID = 'un-foa-2014';

export type FactorGroup = 'common' | 'genocide' | 'crimes-against-humanity' | 'war-crimes';

export interface Citation {
  document: string;
  /** Where in the document, e.g. "Risk Factor 7, indicator 7.10". */
  ref: string;
}

export interface FrameworkIndicator {
  /** The Framework's own number, e.g. "7.10". */
  id: string;
  text: string;
  cite: Citation;
}

export interface FrameworkFactor {
  number: number;
  group: FactorGroup;
  title: string;
  indicators: FrameworkIndicator[];
  /** False when the Framework lists more indicators under this factor than Vigil carries yet. */
  complete: boolean;
  cite: Citation;
}

type Draft = { number: number; group: FactorGroup; title: string; complete: boolean; indicators: string[] };

// indicators[i] is indicator `${number}.${i + 1}`: the lists below are always a prefix of the Framework's.
const DRAFTS: Draft[] = [
  {
    number: 1,
    group: 'common',
    title: 'Armed conflict or other instability',
    complete: true,
    indicators: [
      'Armed conflict, international or internal',
      'Security crisis (broken peace agreements, conflict next door, threats of intervention, terrorism)',
      'Humanitarian crisis or emergency, including from natural disaster or epidemic',
      'Instability from an abrupt or irregular change of regime or transfer of power',
      'Instability from power struggles or growing nationalist, armed or radical opposition',
      'Tension from autocratic rule or severe political repression',
      'Economic instability from scarce resources or disputes over their use',
      'Economic instability from a severe national economic crisis',
      'Economic instability from acute poverty, mass unemployment or deep inequality between groups',
      'Social instability from mass resistance or protest against the State',
      'Social instability from identity-based exclusion or tension',
    ],
  },
  {
    number: 2,
    group: 'common',
    title: 'Record of serious violations of human rights and humanitarian law',
    complete: true,
    indicators: [
      'Serious violations or restrictions, past or present, especially a pattern aimed at protected groups',
      'Past atrocity crimes or incitement to them',
      'Impunity for, or tolerance of, serious violations as policy or practice',
      'Inaction or refusal to use available means to stop foreseeable or ongoing violations',
      'Continued support to groups accused of serious violations',
      'Justification, one-sided accounts or denial of serious violations',
      'No reconciliation or transitional justice after conflict, or politicised processes',
      'Widespread distrust of institutions or between groups because of impunity',
    ],
  },
  {
    number: 3,
    group: 'common',
    title: 'Weak State structures',
    complete: false,
    indicators: [
      'Domestic law gives weak or ineffective protection (treaties unratified or not implemented)',
      'Judicial, police and human rights bodies under-resourced, unrepresentative or untrained',
      'No independent, impartial judiciary',
      'No effective civilian control over the security forces',
      'High corruption or poor governance',
    ],
  },
  {
    number: 4,
    group: 'common',
    title: 'Motives or incentives',
    complete: false,
    indicators: [
      'Political motives, above all gaining or holding power',
      'Economic interests, of elites or groups, or control over resources',
      'Strategic or military interests, including holding or taking territory and resources',
      'Other interests, including making an area homogeneous in identity',
      'Protected groups seen as a threat to the interests of perpetrators, or as disloyal',
    ],
  },
  {
    number: 5,
    group: 'common',
    title: 'Capacity to commit atrocity crimes',
    complete: false,
    indicators: [
      'Personnel, arms and ammunition available, or money to obtain them',
      'Means to move and deploy personnel and to move and hand out arms',
      'Ability to recruit or rally large numbers of supporters, and the means to mobilise them',
    ],
  },
  {
    number: 6,
    group: 'common',
    title: 'Absence of mitigating factors',
    complete: false,
    indicators: [
      'Few or no programmes that strengthen the capacities of different groups',
      'No strong, organised, representative national civil society',
      'No free, diverse, independent national media',
      'Little attention from international civil society, or no access to international media',
      'Little or no presence of the UN, international NGOs or other outside actors with access to the population',
    ],
  },
  {
    number: 7,
    group: 'common',
    title: 'Enabling circumstances or preparatory action',
    complete: true,
    indicators: [
      'Emergency laws or extraordinary security measures that erode fundamental rights',
      'Suspension of, or interference with, vital State institutions, especially excluding protected groups',
      'Security apparatus strengthened, reorganised or mobilised against protected groups',
      'Large acquisitions of arms, ammunition or other objects that could inflict harm',
      'Militias or paramilitary groups created or given more support',
      'Strict control of communication channels, or access to them banned',
      'NGOs, international organisations or media expelled, refused, or severely restricted',
      'More violations of life, integrity, liberty or security of protected groups, or new discriminatory measures',
      'More serious violence against women and children, or conditions that enable sexual violence',
      'Life-threatening living conditions imposed, or deportation, confinement or forced transfer of protected groups',
      'Destruction or plunder of essential goods or installations, or of cultural and religious property',
      'People or their property marked by group affiliation',
      'Identity, past events or motives for violence increasingly politicised',
      'More inflammatory rhetoric, propaganda or hate speech against protected groups',
    ],
  },
  {
    number: 8,
    group: 'common',
    title: 'Triggering factors',
    complete: true,
    indicators: [
      'Sudden deployment of security forces or start of hostilities',
      'Armed conflict or serious tension spilling over from neighbouring countries',
      'International measures perceived as a threat to State sovereignty',
      'Abrupt or irregular change of regime, transfer of power, or shift in group power',
      'Attacks on leaders, prominent figures or members of opposing groups; other serious violence such as terrorism',
      'Religious events, or acts seen as religious intolerance or disrespect',
      'Incitement or hate propaganda against groups or individuals',
      'Census, elections or related activities, or measures that destabilise them',
      'Sudden economic or labour shocks, including from financial crisis, disaster or epidemic',
      'Discovery or exploitation of natural resources that threatens livelihoods',
      'Commemorations of past crimes or traumatic episodes, including glorifying perpetrators',
      'Accountability processes, especially when seen as unfair',
    ],
  },
  {
    number: 9,
    group: 'genocide',
    title: 'Intergroup tensions or patterns of discrimination against protected groups',
    complete: true,
    indicators: [
      'Serious discriminatory, segregating or exclusionary practices, policies or laws against protected groups',
      'Denial that a protected group exists, or of recognition of its identity',
      'History of atrocity crimes against protected groups left unpunished',
      'Serious tension or conflict between groups or with the State over rights, resources, participation, security or identity',
      'Serious tension between other kinds of groups that could turn along national, ethnic, racial or religious lines',
      'No national mechanism to handle identity-based tension or conflict',
    ],
  },
  {
    number: 10,
    group: 'genocide',
    title: 'Signs of an intent to destroy a protected group in whole or in part',
    complete: false,
    indicators: [
      'Documents, statements or records revealing, or allowing to infer, intent or incitement to destroy a protected group',
      'Targeted physical elimination of members of a protected group, fast or gradual',
      'Widespread or systematic targeted violence against a protected group, short of elimination',
    ],
  },
  {
    number: 11,
    group: 'crimes-against-humanity',
    title: 'Signs of a widespread or systematic attack against any civilian population',
    complete: false,
    indicators: [
      'Patterns of violence against civilians or an identifiable group, their property, livelihoods or cultural symbols',
    ],
  },
  {
    number: 12,
    group: 'crimes-against-humanity',
    title: 'Signs of a plan or policy to attack any civilian population',
    complete: false,
    indicators: [
      'Documents, statements or records revealing, or allowing to infer, a State or organisational plan to target civilians',
    ],
  },
  {
    number: 13,
    group: 'war-crimes',
    title: 'Serious threats to those protected under international humanitarian law',
    complete: false,
    indicators: [
      'Parties to the conflict fragmented, or chains of command broken or missing',
      'Mistrust between parties over broken commitments or agreements',
      'Growing radicalisation or extremism of parties to the conflict',
      'Ethnicity or religion promoted as the test of allegiance',
      'Conduct that dehumanises the enemy or groups of the population, or disrespects their culture and faith',
      'Measures that severely curtail the rights of protected persons, including those seen as siding with the other party',
      'Plans or discourse threatening or inciting violence against protected persons, e.g. to terrorise or displace',
      'Conduct that blocks or impedes supplies, objects or medical and humanitarian help indispensable to survival',
      'Personnel and logistics prepared to move or confine large numbers of people',
    ],
  },
  {
    number: 14,
    group: 'war-crimes',
    title: 'Serious threats to humanitarian or peacekeeping operations',
    complete: false,
    indicators: [],
  },
];

export const FRAMEWORK: readonly FrameworkFactor[] = DRAFTS.map((d) => ({
  number: d.number,
  group: d.group,
  title: d.title,
  complete: d.complete,
  cite: { document: FRAMEWORK_DOCUMENT, ref: `Risk Factor ${d.number}` },
  indicators: d.indicators.map((text, i) => ({
    id: `${d.number}.${i + 1}`,
    text,
    cite: { document: FRAMEWORK_DOCUMENT, ref: `Risk Factor ${d.number}, indicator ${d.number}.${i + 1}` },
  })),
}));

const INDICATORS = new Map(
  FRAMEWORK.flatMap((f) => f.indicators.map((i) => [i.id, { factor: f, indicator: i }] as const)),
);

export function findIndicator(id: string): { factor: FrameworkFactor; indicator: FrameworkIndicator } | null {
  return INDICATORS.get(id) ?? null;
}

export const INDICATOR_IDS: readonly string[] = [...INDICATORS.keys()];

// The ten stages of genocide, in order.
export const STAGES_SOURCE = {
  document: 'Gregory H. Stanton, The Ten Stages of Genocide, Genocide Watch',
  url: 'https://www.genocidewatch.com/tenstages',
};

export const STAGE_IDS = [
  'classification',
  'symbolization',
  'discrimination',
  'dehumanization',
  'organization',
  'polarization',
  'preparation',
  'persecution',
  'extermination',
  'denial',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

export interface Stage {
  id: StageId;
  order: number;
  name: string;
  text: string;
  cite: Citation;
}

const STAGE_TEXT: Record<StageId, [string, string]> = {
  classification: [
    'Classification',
    'People are sorted into "us and them" by ethnicity, religion or nationality',
  ],
  symbolization: [
    'Symbolization',
    'Names, symbols or marks are imposed on or attached to the classified group',
  ],
  discrimination: [
    'Discrimination',
    'A dominant group uses law, custom or power to deny the other group its rights',
  ],
  dehumanization: ['Dehumanization', 'Members of the group are equated with animals, vermin or disease'],
  organization: ['Organization', 'Forces, militias or plans for killing are organised, often by the State'],
  polarization: ['Polarization', 'Extremists drive the groups apart; moderates are silenced or attacked'],
  preparation: ['Preparation', 'Leaders plan the killing; victims are identified, separated or confined'],
  persecution: ['Persecution', 'Victims are expropriated, deported, starved or killed in massacres'],
  extermination: ['Extermination', 'Mass killing that the perpetrators see as destroying the group'],
  denial: ['Denial', 'Perpetrators deny the crimes, destroy the evidence and blame the victims'],
};

export const STAGES: readonly Stage[] = STAGE_IDS.map((id, i) => ({
  id,
  order: i + 1,
  name: STAGE_TEXT[id][0],
  text: STAGE_TEXT[id][1],
  cite: { document: STAGES_SOURCE.document, ref: `stage ${i + 1}` },
}));

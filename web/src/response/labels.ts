// Labels, colours and shapes of the measures vocabulary (docs/response.md). Categories take Okabe–Ito
// colours (red is kept for alerts); statuses take a shape by stage, so the timeline does not rely on colour.
import { tMaybe } from '../i18n/index.ts';
import { OKABE_ITO, type Shape } from '../lib/categories.ts';

export const MEASURE_CATEGORIES = [
  'sanction',
  'aid_restriction',
  'aid_flow',
  'boycott',
  'legal_proceeding',
  'resolution_or_bill',
  'diplomatic_statement',
  'humanitarian_access_demand',
  'hearing_or_meeting',
  'other',
] as const;

export const MEASURE_STATUSES = [
  'proposed',
  'introduced',
  'passed_one_chamber',
  'adopted',
  'issued',
  'in_force',
  'lifted',
  'rejected',
  'lapsed',
  'pending',
  'held',
] as const;

const COLOURS: Record<string, string> = {
  sanction: OKABE_ITO.vermillion,
  aid_restriction: OKABE_ITO.orange,
  aid_flow: OKABE_ITO.yellow,
  boycott: OKABE_ITO.reddishPurple,
  legal_proceeding: OKABE_ITO.blue,
  resolution_or_bill: OKABE_ITO.bluishGreen,
  diplomatic_statement: OKABE_ITO.skyBlue,
  humanitarian_access_demand: OKABE_ITO.black,
  hearing_or_meeting: OKABE_ITO.grey,
  other: '#FFFFFF',
};

export function measureColour(category: string): string {
  return COLOURS[category] ?? OKABE_ITO.grey;
}

/** The stage a status belongs to, which picks its symbol. */
export type Stage = 'start' | 'step' | 'outcome' | 'end' | 'open';

const STAGES: Record<string, Stage> = {
  proposed: 'start',
  introduced: 'start',
  passed_one_chamber: 'step',
  adopted: 'outcome',
  issued: 'outcome',
  in_force: 'outcome',
  held: 'outcome',
  lifted: 'end',
  rejected: 'end',
  lapsed: 'end',
  pending: 'open',
};

const STAGE_SHAPES: Record<Stage, Shape> = {
  start: 'circle',
  step: 'triangle',
  outcome: 'square',
  end: 'diamond',
  open: 'circle',
};

export const STAGE_ORDER: Stage[] = ['start', 'step', 'outcome', 'end', 'open'];

export function stageOf(status: string): Stage {
  return STAGES[status] ?? 'open';
}

export function stageShape(stage: Stage): Shape {
  return STAGE_SHAPES[stage];
}

function fallback(value: string): string {
  const s = value.replace(/[_-]+/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function measureCategoryLabel(category: string): string {
  return tMaybe(`measure.category.${category}`, fallback(category));
}

export function measureStatusLabel(status: string): string {
  return tMaybe(`measure.status.${status}`, fallback(status));
}

export function stageLabel(stage: Stage): string {
  return tMaybe(`measure.stage.${stage}`, fallback(stage));
}

export function eventKindLabel(kind: string): string {
  return tMaybe(`events.kind.${kind}`, fallback(kind));
}

export function responseKindLabel(kind: string): string {
  return tMaybe(`events.response.${kind}`, fallback(kind));
}

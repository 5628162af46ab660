// Shapes of structured risk assessment (src/risk/framework/schema.ts).

export type MarkStatus = 'absent' | 'present' | 'strongly-present' | 'unknown';
export const MARK_STATUSES: readonly MarkStatus[] = ['unknown', 'absent', 'present', 'strongly-present'];

export interface FactorSummary {
  factor: number;
  title: string;
  group: string;
  indicators: number;
  absent: number;
  present: number;
  stronglyPresent: number;
  unknown: number;
  level: MarkStatus;
}

export interface AssessmentHead {
  id: string;
  situationSlug: string;
  framework: string;
  assessedOn: string;
  title: string;
  summary: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface AssessmentWithFactors extends AssessmentHead {
  factors: FactorSummary[];
}

export interface Mark {
  indicator: string;
  factor: number;
  status: MarkStatus;
  note: string;
  incidents: string[];
  items: string[];
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface Assessment extends AssessmentWithFactors {
  marks: Mark[];
}

export interface Citation {
  document: string;
  ref: string;
}

export interface Framework {
  id: string;
  title: string;
  document: string;
  factors: {
    number: number;
    group: string;
    title: string;
    complete: boolean;
    cite: Citation;
    indicators: { id: string; text: string; cite: Citation }[];
  }[];
}

export interface StageObservation {
  id: string;
  stage: string;
  observedOn: string;
  endsOn: string | null;
  note: string;
  incidents: string[];
  items: string[];
  suggestionId: string | null;
  createdBy: string;
  createdAt: string;
}

export interface StageLadder {
  source: { document: string; url: string };
  stages: { id: string; order: number; name: string; text: string; observations: StageObservation[] }[];
}

export interface Suggestion {
  id: string;
  targetKind: 'indicator' | 'stage';
  target: string;
  origin: string;
  originKey: string;
  reason: string;
  startsOn: string | null;
  endsOn: string | null;
  evidence: { ref: string; sources: { url: string; outlet: string | null }[] }[];
  status: 'pending' | 'accepted' | 'rejected';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  appliedToAssessment: string | null;
  createdAt: string;
}

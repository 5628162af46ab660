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

export interface AssessmentDiff {
  from: AssessmentHead;
  to: AssessmentHead;
  changes: {
    indicator: string;
    factor: number;
    from: MarkStatus;
    to: MarkStatus;
    direction: 'up' | 'down' | 'changed';
    noteChanged: boolean;
    linksAdded: { incidents: string[]; items: string[] };
    linksRemoved: { incidents: string[]; items: string[] };
  }[];
  factors: { factor: number; title: string; from: MarkStatus; to: MarkStatus }[];
}

// The statistical model (src/risk/model/schema.ts).

export interface ModelPanel {
  id: string;
  fileName: string;
  bytes: number;
  sha256: string;
  columns: string[];
  rows: number;
  createdBy: string;
  createdAt: string;
}

export interface ModelMetrics {
  auc: number | null;
  recallTop10: number | null;
  recallTop20: number | null;
  recallTop30: number | null;
  precisionTop30: number | null;
  brier: number | null;
}

export interface ModelRankedUnit {
  unit: string;
  rank: number;
  risk: number;
  perModel: { 'elastic-net'?: number; boosting?: number };
  baseline: number;
  contributions: { predictor: string; contribution: number }[];
}

export interface ModelRunResult {
  rows: number;
  predictors: number;
  positives: number;
  backtest: {
    metrics: ModelMetrics & {
      model: string;
      logLoss: number | null;
      rows: number;
      positives: number;
      years: number;
      skippedYears: { time: number; reason: string }[];
      byModel: Record<string, ModelMetrics>;
    };
    perYear: unknown[];
    roc: [number, number][];
    recallAtK: number[];
  } | null;
  forecast: {
    at: number;
    trainedThrough: number;
    trainRows: number;
    trainPositives: number;
    units: number;
    ranking: ModelRankedUnit[];
  } | null;
}

export interface ModelRun {
  id: string;
  panel: { id: string; fileName: string };
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  options: {
    unit: string;
    time: string;
    outcome: string;
    exclude: string[];
    horizon: number;
    folds: number;
    missing: string;
    models: string[];
    rounds: number;
    seed: number;
    backtest: { from: number; to: number } | null;
    forecast: { at: number | null } | null;
  };
  progress: { phase?: string; done?: number; total?: number; message?: string };
  error: string | null;
  errorField: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result?: ModelRunResult | null;
}

// Errors of the risk model. Both are AppErrors, so the CLI prints `vigil: message` and exits 1.
import { AppError, ValidationError } from '../../lib/errors.ts';

/** A panel or option the model cannot use: names the column, row or option at fault. */
export class PanelError extends ValidationError {
  constructor(field: string, message: string) {
    super([{ field, message }]);
  }
}

/** Training did not converge: no model is returned. */
export class ConvergenceError extends AppError {
  constructor(readonly detail: string) {
    super(422, 'Training did not converge', `training did not converge: ${detail}; no model was returned`);
  }
}

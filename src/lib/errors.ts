// Typed errors that services throw; the HTTP layer maps them once to RFC 7807 problem+json,
// the CLI to a message and a non-zero exit.

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[]) {
    super(400, 'Invalid input', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  static field(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'Not found', `${what} was not found`);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'sign in or send an API token to do this') {
    super(401, 'Authentication required', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string) {
    super(409, 'Conflict', detail);
  }
}

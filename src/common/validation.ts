import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from './errors';

export interface FieldError {
  field: string;
  message: string;
}

// "must be an integer" says more than "must not be less than 1" about `"x"`: type checks come first.
const FIRST = ['isDefined', 'isNotEmpty', 'isInt', 'isNumber', 'isString', 'isBoolean', 'isArray', 'isObject', 'isIn', 'isEnum'];
const rank = (name: string) => {
  const i = FIRST.indexOf(name);
  return i === -1 ? FIRST.length : i;
};

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const entries = Object.entries(e.constraints).sort(([a], [b]) => rank(a) - rank(b));
      for (const [, m] of entries) out.push({ field, message: m });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** Global validation: whitelist (unknown fields dropped, never stored), transform, one clear 400 naming the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: false,
    validateCustomDecorators: false,
    exceptionFactory: (errors) => {
      const list = flattenValidationErrors(errors);
      const first = list[0];
      const msg = first ? `参数错误 ${first.field}: ${first.message}` : '参数错误 (invalid input)';
      return DomainError.badRequest(msg, list);
    },
  });
}

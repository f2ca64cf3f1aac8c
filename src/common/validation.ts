import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from './errors';

export interface FieldError {
  field: string;
  message: string;
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      for (const m of Object.values(e.constraints)) out.push({ field, message: m });
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
    stopAtFirstError: true,
    validateCustomDecorators: false,
    exceptionFactory: (errors) => {
      const list = flattenValidationErrors(errors);
      const first = list[0];
      const msg = first ? `参数错误 ${first.field}: ${first.message}` : '参数错误 (invalid input)';
      return DomainError.badRequest(msg, list);
    },
  });
}

import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
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

type Storage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<Storage['getTargetValidationMetadatas']>;
const MEMOIZED = Symbol('memoized');

/**
 * class-validator works out a class's rules again on every validate(): it walks its whole registry (every
 * decorated class, for inherited rules) and regroups the result by property, about half the cost of
 * validating a small body. The rules only change while classes are declared, so both answers are kept per
 * class and dropped whenever a rule is registered. Calls with validation groups (unused here) go through.
 */
export function memoizeValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const s = storage as Storage & { [MEMOIZED]?: true };
  if (s[MEMOIZED]) return;
  s[MEMOIZED] = true;
  let rules = new Map<unknown, Map<string, Rules>>();
  let grouped = new WeakMap<Rules, Record<string, Rules>>();
  const forget = () => {
    rules = new Map();
    grouped = new WeakMap();
  };
  const targetRules = s.getTargetValidationMetadatas.bind(s);
  const group = s.groupByPropertyName.bind(s);
  const addRule = s.addValidationMetadata.bind(s);
  const addConstraint = s.addConstraintMetadata.bind(s);
  s.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (groups?.length) return targetRules(target, schema, always, strictGroups, groups);
    const flags = `${schema}|${always}|${strictGroups}`;
    let byFlags = rules.get(target);
    if (!byFlags) rules.set(target, (byFlags = new Map()));
    let found = byFlags.get(flags);
    if (!found) byFlags.set(flags, (found = targetRules(target, schema, always, strictGroups, groups)));
    return found;
  };
  s.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
  s.addValidationMetadata = (metadata) => {
    forget();
    addRule(metadata);
  };
  s.addConstraintMetadata = (metadata) => {
    forget();
    addConstraint(metadata);
  };
}

type FastTransform = (value: unknown) => object | undefined;
const fastTransforms = new Map<unknown, FastTransform>();

/**
 * A shortcut for one body DTO on a hot path: `fn` returns the DTO the whole validation pass would build for
 * the bodies it recognises as valid, undefined for every other body (which then takes the whole pass). Its
 * equality with the whole pass is the registering module's to test.
 */
export function registerFastTransform(metatype: new () => object, fn: FastTransform): void {
  fastTransforms.set(metatype, fn);
}

class AppValidationPipe extends ValidationPipe {
  shortcuts = true;

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.shortcuts && metadata.type === 'body') {
      const fast = fastTransforms.get(metadata.metatype);
      const done = fast?.(value);
      if (done) return done;
    }
    return super.transform(value, metadata);
  }
}

/**
 * Global validation: whitelist (unknown fields dropped, never stored), transform, one clear 400 naming the field.
 * `shortcuts: false` leaves out the registered fast transforms (their tests compare the two).
 */
export function createValidationPipe(opts: { shortcuts?: boolean } = {}): ValidationPipe {
  memoizeValidationMetadata();
  const pipe = new AppValidationPipe({
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
  pipe.shortcuts = opts.shortcuts ?? true;
  return pipe;
}

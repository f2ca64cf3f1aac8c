import { registerDecorator, ValidationOptions } from 'class-validator';
import { isMoneyInput } from './money';
import { isDateInput } from './time';

/** The largest id (and any other INT column value) MySQL's signed INT holds: larger input is a 400, not an SQL error. */
export const MAX_INT = 2_147_483_647;

/** Money: a number or numeric string with at most two decimals (contract §2). */
export function IsMoney(opts: { min?: number; gt?: number } = {}, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isMoney',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an amount with at most two decimals${opts.gt !== undefined ? ` and greater than ${opts.gt}` : ''}${opts.min !== undefined ? ` and at least ${opts.min}` : ''}`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (!isMoneyInput(value)) return false;
          const n = Number(value);
          if (n > 9999999999.99) return false;
          if (opts.gt !== undefined && !(n > opts.gt)) return false;
          if (opts.min !== undefined && !(n >= opts.min)) return false;
          return true;
        },
      },
    });
}

/** `YYYY-MM-DD HH:mm:ss` in APP_TZ or ISO 8601. */
export function IsAppDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isAppDate',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a date as YYYY-MM-DD HH:mm:ss (or ISO 8601)`, ...options },
      validator: { validate: (value: unknown) => isDateInput(value) },
    });
}

const PHONE_RE = /^[0-9+\- ]{5,20}$/;
/** Free text of 5–20 digits, `+`, `-` and spaces (contract §4); empty allowed. */
export function IsPhone(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isPhone',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be 5-20 digits, '+', '-' or spaces`, ...options },
      validator: {
        validate: (value: unknown) =>
          value === '' || value === null || (typeof value === 'string' && PHONE_RE.test(value) && /\d/.test(value)),
      },
    });
}

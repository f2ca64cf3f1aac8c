import { Transform } from 'class-transformer';

// The seeds send codes and ids as numeric strings ("1") or numbers: accept both, reject anything else.
const INT_RE = /^-?\d+$/;

/** "12" or 12 → 12; anything else is left as is so the validator can reject it by name. */
export const ToInt = (clampMax?: number) =>
  Transform(({ value }) => {
    let v = value;
    if (typeof v === 'string' && INT_RE.test(v.trim())) v = Number(v.trim());
    if (clampMax !== undefined && typeof v === 'number' && v > clampMax) v = clampMax;
    return v;
  });

/** "12.50" or 12.5 → 12.5 (as a number for validation; money is re-read exactly with big.js). */
export const ToNumber = () =>
  Transform(({ value }) => {
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
    return value;
  });

/** true/false, "true"/"false", 1/0, "1"/"0" → boolean. */
export const ToBool = () =>
  Transform(({ value }) => {
    if (value === 'true' || value === '1' || value === 1) return true;
    if (value === 'false' || value === '0' || value === 0) return false;
    return value;
  });

/** Trims strings. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

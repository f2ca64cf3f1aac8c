import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DomainError } from '../common/errors';

/** 发票 as stored on the checkout and shown in order views (contract §11, seed 003). */
export class InvoiceView {
  @ApiProperty({ description: '发票类型: 0 电子发票; 1 纸质发票', enum: [0, 1] }) invoice_type: number;
  @ApiProperty({ description: '抬头类型: 0 单位; 1 个人', enum: [0, 1] }) rise_type: number;
  @ApiProperty({ description: '抬头' }) call: string;
  @ApiProperty({ description: '单位识别号（统一社会信用代码，18 位数字或大写字母）', nullable: true, type: String }) company_number:
    string | null;
  @ApiPropertyOptional({ description: '电子邮箱', nullable: true, type: String }) email: string | null;
}

/** The invoice fields of createOrder, as the DTO validated them one by one. */
export interface InvoiceInput {
  invoice_type?: number;
  rise_type?: number;
  call?: string;
  company_number?: string;
  ncompany_numberote?: string;
  email?: string;
}

/** 统一社会信用代码: 18 digits or capitals. */
export const CREDIT_CODE_RE = /^[0-9A-Z]{18}$/;

const bad = (field: string, message: string) => DomainError.badRequest(`参数错误 ${field}: ${message}`, [{ field, message }]);

/**
 * The rules between the fields: an invoice is asked for by `invoice_type`; it then needs `rise_type` and
 * `call`, and a company (rise_type 0) its credit code, under `company_number` or seed 003's misspelt
 * `ncompany_numberote`. No invoice_type and no other field: none (null). Returns the JSON stored on the checkout.
 */
export function invoiceOf(dto: InvoiceInput): string | null {
  const number = dto.company_number ?? dto.ncompany_numberote;
  const any = [dto.rise_type, dto.call, number, dto.email].some((v) => v !== undefined && v !== '');
  if (dto.invoice_type === undefined) {
    if (any) throw bad('invoice_type', 'invoice_type (0 电子, 1 纸质) is required with invoice fields');
    return null;
  }
  if (dto.rise_type === undefined) throw bad('rise_type', 'rise_type (0 单位, 1 个人) is required with invoice_type');
  if (!dto.call) throw bad('call', 'call (发票抬头) is required with invoice_type');
  if (dto.rise_type === 0 && !number) throw bad('company_number', 'company_number (统一社会信用代码) is required when rise_type is 0');
  if (number && !CREDIT_CODE_RE.test(number)) {
    const field = dto.company_number !== undefined ? 'company_number' : 'ncompany_numberote';
    throw bad(field, `${field} must be a unified social credit code: 18 digits or capital letters`);
  }
  const view: InvoiceView = {
    invoice_type: dto.invoice_type,
    rise_type: dto.rise_type,
    call: dto.call,
    company_number: number || null,
    email: dto.email || null,
  };
  return JSON.stringify(view);
}

/** The stored JSON as the views show it (null when none or unreadable). */
export function invoiceView(stored: string | null | undefined): InvoiceView | null {
  if (!stored) return null;
  try {
    return JSON.parse(stored) as InvoiceView;
  } catch {
    return null;
  }
}

import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { DomainError } from './errors';
import { createValidationPipe, memoizeValidationMetadata } from './validation';

class LineDto {
  @IsInt() @Min(1) id: number;
}
class BaseDto {
  @IsInt() @Min(1) @Max(9) page: number;
  @ValidateNested({ each: true }) @Type(() => LineDto) lines: LineDto[];
}
class ChildDto extends BaseDto {
  @IsOptional() @IsString() @MaxLength(3) note?: string;
}

const body = (metatype: unknown): ArgumentMetadata => ({ type: 'body', metatype: metatype as never, data: undefined });

async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return { message: (e as DomainError).message, details: (e as DomainError).details };
  }
  throw new Error('expected a refusal');
}

describe('validation pipe with memoised class-validator rules', () => {
  const sut = createValidationPipe();

  it('answers a class from the memo after the first call, and installs once', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(ChildDto, '', false, false);
    expect(storage.getTargetValidationMetadatas(ChildDto, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    // inherited rules included, as class-validator itself answers
    expect(new Set(first.map((m) => m.propertyName))).toEqual(new Set(['page', 'lines', 'note']));
    memoizeValidationMetadata();
    expect(storage.getTargetValidationMetadatas(ChildDto, '', false, false)).toBe(first);
  });

  it('validates, transforms and whitelists as before, own and inherited rules alike', async () => {
    const ok = await sut.transform({ page: 2, lines: [{ id: 1 }], note: 'ab', extra: 'dropped' }, body(ChildDto));
    expect(ok).toBeInstanceOf(ChildDto);
    expect(ok).toEqual({ page: 2, lines: [{ id: 1 }], note: 'ab' });
    // the first pass fills the memo, the second answers from it
    for (let i = 0; i < 2; i++) {
      expect(await refusal(sut.transform({ page: 'x', lines: [] }, body(ChildDto)))).toEqual({
        message: '参数错误 page: page must be an integer number',
        details: [
          { field: 'page', message: 'page must be an integer number' },
          { field: 'page', message: 'page must not be greater than 9' },
          { field: 'page', message: 'page must not be less than 1' },
        ],
      });
      expect(await refusal(sut.transform({ page: 1, lines: [{ id: 0 }], note: 'abcd' }, body(ChildDto)))).toEqual({
        // class-validator's order: the class's own rules, then inherited ones
        message: '参数错误 note: note must be shorter than or equal to 3 characters',
        details: [
          { field: 'note', message: 'note must be shorter than or equal to 3 characters' },
          { field: 'lines.0.id', message: 'id must not be less than 1' },
        ],
      });
    }
  });

  it('sees the rules of a class declared after the memo was filled', async () => {
    await sut.transform({ page: 1, lines: [] }, body(BaseDto));
    class LaterDto extends BaseDto {
      @IsInt() @Max(5) size: number;
    }
    expect(await refusal(sut.transform({ page: 1, lines: [], size: 6 }, body(LaterDto)))).toEqual({
      message: '参数错误 size: size must not be greater than 5',
      details: [{ field: 'size', message: 'size must not be greater than 5' }],
    });
    expect(await sut.transform({ page: 1, lines: [], size: 5 }, body(LaterDto))).toEqual({ page: 1, lines: [], size: 5 });
  });
});

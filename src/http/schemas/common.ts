import { Type, type TSchema } from '@sinclair/typebox';

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The customer id (UUID).' }) }, { additionalProperties: false });

export const Limit = (defaultValue = 20) =>
  Type.Integer({ minimum: 1, maximum: 100, default: defaultValue, description: 'Page size, 1–100.' });

export const Cursor = Type.String({ maxLength: 512, description: 'Opaque cursor: the `nextCursor` of the previous page.' });

export const PageOf = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    {
      data: Type.Array(item),
      hasMore: Type.Boolean(),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` to get the next page; null on the last page.' }),
    },
    { description },
  );

export const IfMatchHeader = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'ETag(s) the write is conditional on; stale → 412.' })),
});

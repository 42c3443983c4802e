import Type from 'typebox';

export const IdSchema = Type.String({ format: 'uuid', maxLength: 36, examples: ['3f1c2a9e-6f0a-4c1e-9a55-1d2f3b4c5d6e'] });
export const DateTimeSchema = Type.String({ format: 'date-time', maxLength: 64 });
export const NullableDateTime = Type.Union([DateTimeSchema, Type.Null()]);
export const IdParams = (name: string) => Type.Object({ [name]: IdSchema }, { additionalProperties: false });

/** `?limit=&cursor=` of list routes. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'nextCursor of the previous page.' })),
};

export function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

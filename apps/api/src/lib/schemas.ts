import Type from 'typebox';

export const IdSchema = Type.String({ format: 'uuid', maxLength: 36 });
export const DateTimeSchema = Type.String({ format: 'date-time' });
export const NullableDateTime = Type.Union([DateTimeSchema, Type.Null()]);
export const IdParams = (name: string) => Type.Object({ [name]: IdSchema }, { additionalProperties: false });

/**
 * Compares Prisma's view of the datamodel (the DMMF that `prisma generate` wrote to
 * src/generated/dmmf.json) with a migrated database's catalog, and lists every disagreement:
 * tables, columns, types, nullability, defaults, primary keys, foreign keys and indexes, with the
 * names Prisma would give them. An empty list means schema.prisma and the migrations agree.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: Array<{ name: string }>;
}

export interface Datamodel {
  models: DmmfModel[];
  enums: Array<{ name: string; dbName?: string | null }>;
  indexes: DmmfIndex[];
}

export async function loadDatamodel(): Promise<Datamodel> {
  const file = new URL('../src/generated/dmmf.json', import.meta.url);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`${file.pathname} is missing: run \`npm run generate -w @repo/db\` first`);
  }
  return (JSON.parse(text) as { datamodel: Datamodel }).datamodel;
}

const SCALAR_UDT: Record<string, string> = {
  String: 'text',
  Int: 'int4',
  BigInt: 'int8',
  Float: 'float8',
  Decimal: 'numeric',
  Boolean: 'bool',
  DateTime: 'timestamp',
  Json: 'jsonb',
  Bytes: 'bytea',
};

const NATIVE_UDT: Record<string, string> = {
  Text: 'text',
  VarChar: 'varchar',
  Char: 'bpchar',
  Uuid: 'uuid',
  Citext: 'citext',
  Inet: 'inet',
  Xml: 'xml',
  SmallInt: 'int2',
  Integer: 'int4',
  BigInt: 'int8',
  Oid: 'oid',
  Real: 'float4',
  DoublePrecision: 'float8',
  Decimal: 'numeric',
  Money: 'money',
  Boolean: 'bool',
  Timestamp: 'timestamp',
  Timestamptz: 'timestamptz',
  Date: 'date',
  Time: 'time',
  Timetz: 'timetz',
  Json: 'json',
  JsonB: 'jsonb',
  ByteA: 'bytea',
  Bit: 'bit',
  VarBit: 'varbit',
};

const FK_ACTION: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

interface ColumnRow {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  datetime_precision: number | null;
  character_maximum_length: number | null;
}

interface ConstraintRow {
  name: string;
  type: 'p' | 'f' | 'u' | 'c' | 'x' | 't' | 'n';
  table_name: string;
  columns: string[];
  ref_table: string | null;
  ref_columns: string[] | null;
  on_delete: string;
  on_update: string;
}

interface IndexRow {
  name: string;
  table_name: string;
  is_unique: boolean;
  is_primary: boolean;
  columns: string[];
}

/** Prisma's default constraint/index names: <table>_<columns>_<suffix>, at most 63 characters. */
function defaultName(table: string, columns: string[], suffix: string): string | undefined {
  const name = `${table}_${columns.join('_')}_${suffix}`;
  return name.length <= 63 ? name : undefined; // Prisma shortens longer names; not checked here
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function findSchemaDrift(client: pg.Client, dm: Datamodel): Promise<string[]> {
  const problems: string[] = [];
  const tablesRes = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
  );
  const columnsRes = await client.query<ColumnRow>(
    `SELECT table_name, column_name, udt_name, is_nullable, column_default, datetime_precision, character_maximum_length
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`,
  );
  const constraintsRes = await client.query<ConstraintRow>(
    `SELECT con.conname::text AS name, con.contype::text AS type, rel.relname::text AS table_name,
            ARRAY(SELECT att.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.attnum ORDER BY k.ord) AS columns,
            frel.relname::text AS ref_table,
            CASE WHEN con.contype = 'f' THEN ARRAY(SELECT att.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute att ON att.attrelid = con.confrelid AND att.attnum = k.attnum ORDER BY k.ord) END AS ref_columns,
            con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
       FROM pg_constraint con
       JOIN pg_class rel ON rel.oid = con.conrelid
       JOIN pg_namespace ns ON ns.oid = rel.relnamespace
       LEFT JOIN pg_class frel ON frel.oid = con.confrelid
      WHERE ns.nspname = current_schema() AND rel.relname <> '_prisma_migrations' AND con.contype IN ('p', 'f', 'u')`,
  );
  const indexesRes = await client.query<IndexRow>(
    `SELECT ic.relname::text AS name, tc.relname::text AS table_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
            ARRAY(SELECT att.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute att ON att.attrelid = ix.indrelid AND att.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index ix
       JOIN pg_class ic ON ic.oid = ix.indexrelid
       JOIN pg_class tc ON tc.oid = ix.indrelid
       JOIN pg_namespace ns ON ns.oid = tc.relnamespace
      WHERE ns.nspname = current_schema() AND tc.relname <> '_prisma_migrations'`,
  );

  const modelsByName = new Map(dm.models.map((m) => [m.name, m]));
  const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
  const columnOf = (m: DmmfModel, fieldName: string) => {
    const f = m.fields.find((x) => x.name === fieldName);
    return f?.dbName ?? fieldName;
  };
  const enumDbName = (name: string) => {
    const e = dm.enums.find((x) => x.name === name);
    return e?.dbName ?? name;
  };

  const dbTables = new Set(tablesRes.rows.map((r) => r.table_name));
  const modelTables = new Set(dm.models.map(tableOf));
  for (const t of dbTables) if (!modelTables.has(t)) problems.push(`table ${t} exists in the database but no model maps to it`);

  for (const model of dm.models) {
    const table = tableOf(model);
    if (!dbTables.has(table)) {
      problems.push(`model ${model.name}: table ${table} is missing from the database`);
      continue;
    }
    const dbColumns = new Map(columnsRes.rows.filter((c) => c.table_name === table).map((c) => [c.column_name, c]));
    const scalarFields = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
    const fieldColumns = new Set(scalarFields.map((f) => f.dbName ?? f.name));
    for (const c of dbColumns.keys()) if (!fieldColumns.has(c)) problems.push(`${table}.${c} exists in the database but not in model ${model.name}`);

    for (const field of scalarFields) {
      const column = field.dbName ?? field.name;
      const where = `${model.name}.${field.name} (${table}.${column})`;
      const col = dbColumns.get(column);
      if (!col) {
        problems.push(`${where}: column is missing from the database`);
        continue;
      }
      // type
      let base: string | undefined;
      if (field.kind === 'enum') base = enumDbName(field.type);
      else if (field.nativeType) base = NATIVE_UDT[field.nativeType[0]];
      else base = SCALAR_UDT[field.type];
      if (base === undefined) {
        problems.push(`${where}: type ${field.type}${field.nativeType ? ` @db.${field.nativeType[0]}` : ''} is not known to this check; extend it`);
      } else {
        const expected = field.isList ? `_${base}` : base;
        if (col.udt_name !== expected) problems.push(`${where}: column type is ${col.udt_name}, the schema implies ${expected}`);
      }
      if (!field.isList && (base === 'timestamp' || base === 'timestamptz' || base === 'time' || base === 'timetz')) {
        const precision = Number(field.nativeType?.[1][0] ?? 3);
        if (col.datetime_precision !== precision) problems.push(`${where}: precision is ${col.datetime_precision}, the schema implies ${precision}`);
      }
      if (!field.isList && (base === 'varchar' || base === 'bpchar')) {
        const length = field.nativeType?.[1][0] !== undefined ? Number(field.nativeType[1][0]) : base === 'bpchar' ? 1 : null;
        if (col.character_maximum_length !== length) problems.push(`${where}: length is ${col.character_maximum_length}, the schema implies ${length}`);
      }
      // nullability: Prisma creates list columns without NOT NULL
      const expectNullable = field.isList || !field.isRequired;
      if ((col.is_nullable === 'YES') !== expectNullable) {
        problems.push(`${where}: column is ${col.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}, the schema says ${expectNullable ? 'optional' : 'required'}`);
      }
      // defaults that live in the database (uuid()/cuid()/... are computed by the client)
      const def = field.default as { name?: string; args?: unknown[] } | string | number | boolean | unknown[] | undefined;
      const fn = def !== null && typeof def === 'object' && !Array.isArray(def) ? def.name : undefined;
      const clientSide = fn !== undefined && ['uuid', 'cuid', 'nanoid', 'ulid'].includes(fn);
      const expectDbDefault = field.hasDefaultValue && !clientSide;
      if (expectDbDefault !== (col.column_default !== null)) {
        problems.push(`${where}: database default is ${col.column_default ?? 'none'}, the schema ${expectDbDefault ? `has @default(${JSON.stringify(def)})` : 'has none'}`);
      } else if (col.column_default !== null) {
        const d = col.column_default;
        const ok =
          fn === 'autoincrement' ? d.startsWith('nextval(') :
          fn === 'now' ? /CURRENT_TIMESTAMP|now\(\)/i.test(d) :
          fn === 'dbgenerated' ? true :
          Array.isArray(def) ? d.startsWith('ARRAY[') || d.startsWith("'{") :
          // BigInt and Decimal literals come as strings in the DMMF
          typeof def === 'string' && ['BigInt', 'Decimal', 'Int', 'Float'].includes(field.type) ? d.replace(/::[\w ]+$/, '').replace(/^'|'$/g, '') === def :
          typeof def === 'string' ? d.includes(`'${def.replaceAll("'", "''")}'`) :
          typeof def === 'number' || typeof def === 'boolean' ? d.replace(/::[\w ]+$/, '').replace(/^'|'$/g, '') === String(def) :
          true;
        if (!ok) problems.push(`${where}: database default ${d} does not match @default(${JSON.stringify(def)})`);
      }
    }

    // primary key
    const pk = constraintsRes.rows.find((c) => c.table_name === table && c.type === 'p');
    const pkFields = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
    const pkColumns = pkFields.map((f) => columnOf(model, f));
    if (!pk) problems.push(`${table}: primary key is missing`);
    else {
      if (!same(pk.columns, pkColumns)) problems.push(`${table}: primary key is (${pk.columns.join(', ')}), the schema says (${pkColumns.join(', ')})`);
      const expectedName = model.primaryKey?.name ?? `${table}_pkey`;
      if (pk.name !== expectedName) problems.push(`${table}: primary key is named ${pk.name}, Prisma would name it ${expectedName}`);
    }

    // foreign keys
    const relations = model.fields.filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0);
    const dbFks = constraintsRes.rows.filter((c) => c.table_name === table && c.type === 'f');
    const matched = new Set<string>();
    for (const rel of relations) {
      const target = modelsByName.get(rel.type);
      if (!target) continue;
      const cols = rel.relationFromFields!.map((f) => columnOf(model, f));
      const refCols = (rel.relationToFields ?? []).map((f) => columnOf(target, f));
      const fk = dbFks.find((c) => same(c.columns, cols));
      const where = `${model.name}.${rel.name} (${table}(${cols.join(', ')}) -> ${tableOf(target)}(${refCols.join(', ')}))`;
      if (!fk) {
        problems.push(`${where}: foreign key is missing`);
        continue;
      }
      matched.add(fk.name);
      if (fk.ref_table !== tableOf(target) || !same(fk.ref_columns ?? [], refCols)) {
        problems.push(`${where}: foreign key references ${fk.ref_table}(${(fk.ref_columns ?? []).join(', ')})`);
      }
      const optional = rel.relationFromFields!.some((f) => !model.fields.find((x) => x.name === f)?.isRequired);
      const onDelete = rel.relationOnDelete ?? (optional ? 'SetNull' : 'Restrict');
      const onUpdate = rel.relationOnUpdate ?? 'Cascade';
      if (FK_ACTION[fk.on_delete] !== onDelete) problems.push(`${where}: ON DELETE is ${FK_ACTION[fk.on_delete]}, the schema says ${onDelete}`);
      if (FK_ACTION[fk.on_update] !== onUpdate) problems.push(`${where}: ON UPDATE is ${FK_ACTION[fk.on_update]}, the schema says ${onUpdate}`);
      const name = defaultName(table, cols, 'fkey');
      if (name && fk.name !== name) problems.push(`${where}: foreign key is named ${fk.name}, Prisma would name it ${name}`);
    }
    for (const fk of dbFks) if (!matched.has(fk.name)) problems.push(`${table}: foreign key ${fk.name} (${fk.columns.join(', ')}) is not in the schema`);

    // indexes and unique constraints (@unique, @@unique, @@index)
    const dbIndexes = indexesRes.rows.filter((i) => i.table_name === table && !i.is_primary);
    const expectedIndexes = dm.indexes.filter((i) => i.model === model.name && (i.type === 'unique' || i.type === 'normal'));
    const seen = new Set<string>();
    for (const idx of expectedIndexes) {
      const cols = idx.fields.map((f) => columnOf(model, f.name));
      const unique = idx.type === 'unique';
      const name = idx.dbName ?? defaultName(table, cols, unique ? 'key' : 'idx');
      const where = `${model.name} ${unique ? 'unique' : 'index'} (${cols.join(', ')})`;
      const found = dbIndexes.find((i) => same(i.columns, cols) && i.is_unique === unique && (name === undefined || i.name === name));
      if (!found) {
        const near = dbIndexes.find((i) => same(i.columns, cols));
        problems.push(`${where}: ${near ? `the database has ${near.name} (${near.is_unique ? 'unique' : 'not unique'}), Prisma would create ${name ?? '(a shortened name)'}` : 'missing from the database'}`);
        continue;
      }
      seen.add(found.name);
    }
    for (const i of dbIndexes) if (!seen.has(i.name)) problems.push(`${table}: index ${i.name} (${i.columns.join(', ')}) is not in the schema`);
  }
  return problems;
}

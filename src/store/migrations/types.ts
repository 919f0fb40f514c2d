import { sql, type ColumnDataType, type ColumnDefinitionBuilder, type Expression } from 'kysely';

type DataTypeExpression = ColumnDataType | Expression<any>;

/** The column types that differ between SQLite and PostgreSQL; migrations use these names only. */
export interface ColumnTypes {
  /** Ids and lookup keys: byte-ordered (`collate "C"` on PostgreSQL) so ULID order and LIKE prefixes hold. */
  key: DataTypeExpression;
  timestamp: DataTypeExpression;
  json: DataTypeExpression;
  bigint: DataTypeExpression;
  serial: DataTypeExpression;
  autoIncrement: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export const sqliteTypes: ColumnTypes = {
  key: 'text',
  timestamp: 'text',
  json: 'text',
  bigint: 'integer',
  serial: 'integer',
  autoIncrement: (c) => c.autoIncrement(),
};

export const postgresTypes: ColumnTypes = {
  key: sql`text collate "C"`,
  timestamp: 'timestamptz',
  json: 'jsonb',
  bigint: 'bigint',
  serial: 'bigserial',
  autoIncrement: (c) => c,
};

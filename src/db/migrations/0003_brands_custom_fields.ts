import { sql, type Kysely } from 'kysely';

// Seed 003: brands inside a tenant (a customer may belong to one) and the tenant's custom
// field definitions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table brands (
      tenant_id uuid not null references tenants (id),
      -- One identity for all tenants: a brand id never repeats, so another tenant's id can
      -- only ever be "not found", never someone else's brand.
      id bigint generated always as identity,
      name text not null check (char_length(name) between 1 and 200),
      crm_lookup_url text check (char_length(crm_lookup_url) <= 2048),
      search_customers_by_channel boolean not null default false,
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now(),
      primary key (tenant_id, id)
    );

    alter table customers
      add column brand_id bigint,
      add constraint customers_brand_fk foreign key (tenant_id, brand_id) references brands (tenant_id, id);
    create index customers_brand_idx on customers (tenant_id, brand_id) where brand_id is not null;

    create table custom_field_definitions (
      tenant_id uuid not null references tenants (id),
      name text not null check (name ~ '^[a-zA-Z][a-zA-Z0-9_]{0,63}$'),
      type text not null check (type in ('string', 'number', 'boolean', 'date', 'enum')),
      label text,
      options jsonb not null default '{}',
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now(),
      primary key (tenant_id, name)
    );
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table custom_field_definitions;
    drop index customers_brand_idx;
    alter table customers drop constraint customers_brand_fk, drop column brand_id;
    drop table brands;
  `.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Migrations are typed Kysely<any>: they describe the schema as it was at the time,
// not as the current Database interface says it is.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table installation (
      key text primary key,
      value text not null,
      updated_at timestamptz(3) not null default now()
    );

    create table tenants (
      id uuid primary key,
      number integer generated always as identity unique,
      name text not null check (char_length(name) between 1 and 200),
      status text not null default 'active' check (status in ('active', 'suspended')),
      settings jsonb not null default '{}',
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    );

    -- Per-tenant counters (customer numbers), handed out in blocks: see core/customers/numbers.ts.
    create table counters (
      tenant_id uuid not null references tenants (id),
      name text not null,
      value integer not null,
      primary key (tenant_id, name)
    );

    create table api_tokens (
      tenant_id uuid not null references tenants (id),
      id uuid not null,
      name text not null,
      token_hash text not null,
      token_hint text not null,
      scopes text[] not null,
      expires_at timestamptz(3),
      last_used_at timestamptz(3),
      revoked_at timestamptz(3),
      created_at timestamptz(3) not null default now(),
      primary key (tenant_id, id)
    );
    -- Authentication looks a token up by the hash of its secret alone, before the tenant is known.
    create unique index api_tokens_hash_key on api_tokens (token_hash);
    create unique index api_tokens_id_key on api_tokens (id);

    create table customers (
      tenant_id uuid not null references tenants (id),
      id uuid not null,
      number integer not null,
      name text,
      first_name text,
      last_name text,
      type text not null check (type in ('individual', 'business')),
      status text not null check (status in ('active', 'inactive', 'suspended', 'blocked')),
      external_id text,
      company_number text,
      fax text,
      billing_address jsonb,
      location jsonb,
      ip text,
      source text,
      value double precision,
      auto_payment boolean,
      notes text,
      custom_fields jsonb not null default '{}',
      version integer not null default 1,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      deleted_at timestamptz(3),
      purged_at timestamptz(3),
      primary key (tenant_id, id),
      constraint customers_number_key unique (tenant_id, number),
      -- Unique among all of the tenant's customers, deleted ones included: a deleted
      -- customer's identifiers stay reserved so a restore can never collide.
      constraint customers_external_id_key unique (tenant_id, external_id),
      constraint customers_company_number_key unique (tenant_id, company_number)
    );
    create index customers_created_idx on customers (tenant_id, created_at, id);
    create index customers_updated_idx on customers (tenant_id, updated_at, id);

    create table customer_channels (
      tenant_id uuid not null,
      customer_id uuid not null,
      id uuid not null,
      type text not null,
      label text not null default '',
      value text not null,
      normalized text not null,
      is_primary boolean not null default false,
      position integer not null default 0,
      created_at timestamptz(3) not null default now(),
      primary key (tenant_id, id),
      foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
    );
    create index customer_channels_lookup_idx on customer_channels (tenant_id, normalized, type);
    create index customer_channels_customer_idx on customer_channels (tenant_id, customer_id);

    create table customer_events (
      tenant_id uuid not null,
      id uuid not null,
      seq bigint generated always as identity,
      customer_id uuid not null,
      type text not null,
      actor jsonb not null,
      changes jsonb not null default '{}',
      occurred_at timestamptz(3) not null,
      primary key (tenant_id, id)
    );
    create index customer_events_customer_idx on customer_events (tenant_id, customer_id, id);

    create table idempotency_keys (
      tenant_id uuid not null references tenants (id),
      key text not null,
      request_hash text not null,
      state text not null check (state in ('running', 'done')),
      response_status integer,
      response_headers jsonb,
      response_body text,
      -- The id of the resource the stored response shows, so a purge can drop the copy.
      resource_id uuid,
      created_at timestamptz(3) not null,
      locked_until timestamptz(3) not null,
      expires_at timestamptz(3) not null,
      primary key (tenant_id, key)
    );
    create index idempotency_keys_expiry_idx on idempotency_keys (expires_at);
    create index idempotency_keys_resource_idx on idempotency_keys (tenant_id, resource_id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table idempotency_keys, customer_events, customer_channels, customers,
      api_tokens, counters, tenants, installation;
  `.execute(db);
}

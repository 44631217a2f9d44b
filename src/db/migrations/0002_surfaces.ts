import { sql, type Kysely } from 'kysely';

// Core additions the vendor surfaces need: the relationship category and company link
// (seeds 002 and 004), accounts with addresses (seed 001), OAuth clients (seed 004).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table customers
      add column category text not null default 'customer' check (category in ('customer', 'broker_3pl')),
      add column company_id uuid,
      add constraint customers_company_fk foreign key (tenant_id, company_id) references customers (tenant_id, id);
    create index customers_company_idx on customers (tenant_id, company_id) where company_id is not null;
    -- Seed 004 refuses a second customer with the same name and billing postal code.
    create index customers_name_postal_idx on customers (tenant_id, lower(name), (billing_address->>'postalCode'))
      where billing_address->>'postalCode' is not null;

    create table customer_accounts (
      tenant_id uuid not null,
      customer_id uuid not null,
      id uuid not null,
      name text,
      created_at timestamptz(3) not null default now(),
      primary key (tenant_id, id),
      foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
    );
    create index customer_accounts_customer_idx on customer_accounts (tenant_id, customer_id, id);

    create table account_addresses (
      tenant_id uuid not null,
      account_id uuid not null,
      id uuid not null,
      network text not null,
      address text not null,
      created_at timestamptz(3) not null default now(),
      primary key (tenant_id, id),
      foreign key (tenant_id, account_id) references customer_accounts (tenant_id, id) on delete cascade,
      constraint account_addresses_unique unique (tenant_id, account_id, network, address)
    );

    create table oauth_clients (
      tenant_id uuid not null references tenants (id),
      id uuid not null,
      client_id text not null,
      secret_hash text not null,
      name text not null,
      scopes text[] not null,
      revoked_at timestamptz(3),
      created_at timestamptz(3) not null default now(),
      primary key (tenant_id, id)
    );
    create unique index oauth_clients_client_id_key on oauth_clients (client_id);
    create unique index oauth_clients_id_key on oauth_clients (id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table oauth_clients, account_addresses, customer_accounts;
    drop index customers_name_postal_idx;
    alter table customers drop constraint customers_company_fk, drop column company_id, drop column category;
  `.execute(db);
}

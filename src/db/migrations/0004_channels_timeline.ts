import { sql, type Kysely } from 'kysely';

// Seed 003: external events on the timeline (their free-form part lives in `details`) and
// links from a customer to tickets of an external helpdesk. Channels need no schema change:
// their ids become stable through how customer writes reconcile the rows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- What an event carries besides field changes: an external event's initiatedBy, message
    -- and sourceUrl; the channel or ticket a channel or ticket event is about. Null for the
    -- plain field-change events.
    alter table customer_events add column details jsonb;

    create table customer_tickets (
      tenant_id uuid not null,
      customer_id uuid not null,
      ticket_id text not null check (char_length(ticket_id) between 1 and 100),
      linked_at timestamptz(3) not null default now(),
      primary key (tenant_id, customer_id, ticket_id),
      foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
    );
    -- Which customers a ticket is linked to.
    create index customer_tickets_ticket_idx on customer_tickets (tenant_id, ticket_id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table customer_tickets;
    alter table customer_events drop column details;
  `.execute(db);
}

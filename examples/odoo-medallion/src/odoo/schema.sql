-- An Odoo 17 shaped source database: a faithful subset of the columns Odoo 17 creates
-- for the finance and sales models the medallion pipeline reads. Table and column names
-- and types follow Odoo's ORM mapping: Many2one -> int4, Char -> varchar, Text/Html -> text,
-- translatable Char -> jsonb ({"en_US": "..."}), Monetary and Float with digits -> numeric,
-- plain Float -> float8, Date -> date, Datetime -> timestamp (UTC, without time zone).
-- create_uid/write_uid point at res_users, which this subset leaves out, so they carry no
-- foreign key. Runs unchanged on Postgres 15+ and on PGlite.

CREATE TABLE res_currency (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    full_name varchar,
    symbol varchar NOT NULL,
    rounding numeric,
    decimal_places int4,
    active boolean,
    position varchar,
    currency_unit_label jsonb,
    currency_subunit_label jsonb,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone,
    CONSTRAINT res_currency_unique_name UNIQUE (name)
);

-- Partners come before companies: a company's own partner is shared (company_id NULL),
-- which is how Odoo creates it, so there is no cycle to break while loading.
CREATE TABLE res_partner (
    id serial PRIMARY KEY,
    name varchar,
    complete_name varchar,
    company_id int4,
    parent_id int4 REFERENCES res_partner (id) ON DELETE SET NULL,
    commercial_partner_id int4 REFERENCES res_partner (id) ON DELETE SET NULL,
    ref varchar,
    lang varchar,
    tz varchar,
    vat varchar,
    company_registry varchar,
    website varchar,
    comment text,
    type varchar,
    street varchar,
    street2 varchar,
    zip varchar,
    city varchar,
    email varchar,
    phone varchar,
    mobile varchar,
    is_company boolean,
    active boolean,
    customer_rank int4,
    supplier_rank int4,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone
);

CREATE TABLE res_company (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    partner_id int4 NOT NULL REFERENCES res_partner (id) ON DELETE RESTRICT,
    currency_id int4 NOT NULL REFERENCES res_currency (id) ON DELETE RESTRICT,
    parent_id int4 REFERENCES res_company (id) ON DELETE SET NULL,
    sequence int4,
    email varchar,
    phone varchar,
    company_registry varchar,
    active boolean,
    fiscalyear_last_day int4 NOT NULL,
    fiscalyear_last_month varchar NOT NULL,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone,
    CONSTRAINT res_company_name_uniq UNIQUE (name)
);

ALTER TABLE res_partner
    ADD CONSTRAINT res_partner_company_id_fkey FOREIGN KEY (company_id)
    REFERENCES res_company (id) ON DELETE SET NULL;

CREATE TABLE res_currency_rate (
    id serial PRIMARY KEY,
    name date NOT NULL,
    rate numeric,
    currency_id int4 NOT NULL REFERENCES res_currency (id) ON DELETE CASCADE,
    company_id int4 REFERENCES res_company (id) ON DELETE SET NULL,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone,
    CONSTRAINT res_currency_rate_unique_name_per_day UNIQUE (name, currency_id, company_id)
);

CREATE TABLE account_account (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,
    code varchar(64) NOT NULL,
    account_type varchar NOT NULL,
    internal_group varchar,
    reconcile boolean,
    deprecated boolean,
    non_trade boolean,
    include_initial_balance boolean,
    currency_id int4 REFERENCES res_currency (id) ON DELETE SET NULL,
    company_id int4 NOT NULL REFERENCES res_company (id) ON DELETE RESTRICT,
    note text,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone,
    CONSTRAINT account_account_code_company_uniq UNIQUE (code, company_id)
);

CREATE TABLE account_journal (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,
    code varchar(5) NOT NULL,
    active boolean,
    type varchar NOT NULL,
    default_account_id int4 REFERENCES account_account (id) ON DELETE RESTRICT,
    suspense_account_id int4 REFERENCES account_account (id) ON DELETE RESTRICT,
    sequence int4,
    currency_id int4 REFERENCES res_currency (id) ON DELETE SET NULL,
    company_id int4 NOT NULL REFERENCES res_company (id) ON DELETE RESTRICT,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone,
    CONSTRAINT account_journal_code_company_uniq UNIQUE (company_id, code)
);

CREATE TABLE product_template (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,
    description jsonb,
    description_sale jsonb,
    sequence int4,
    detailed_type varchar NOT NULL,
    type varchar NOT NULL,
    list_price numeric,
    sale_ok boolean,
    purchase_ok boolean,
    active boolean,
    company_id int4 REFERENCES res_company (id) ON DELETE SET NULL,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone
);

CREATE TABLE product_product (
    id serial PRIMARY KEY,
    product_tmpl_id int4 NOT NULL REFERENCES product_template (id) ON DELETE CASCADE,
    default_code varchar,
    barcode varchar,
    combination_indices varchar,
    active boolean,
    volume numeric,
    weight numeric,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone
);

CREATE TABLE account_move (
    id serial PRIMARY KEY,
    name varchar,
    ref varchar,
    date date NOT NULL,
    state varchar NOT NULL,
    move_type varchar NOT NULL,
    journal_id int4 NOT NULL REFERENCES account_journal (id) ON DELETE RESTRICT,
    company_id int4 REFERENCES res_company (id) ON DELETE RESTRICT,
    currency_id int4 NOT NULL REFERENCES res_currency (id) ON DELETE RESTRICT,
    partner_id int4 REFERENCES res_partner (id) ON DELETE RESTRICT,
    commercial_partner_id int4 REFERENCES res_partner (id) ON DELETE SET NULL,
    reversed_entry_id int4 REFERENCES account_move (id) ON DELETE SET NULL,
    invoice_date date,
    invoice_date_due date,
    invoice_origin varchar,
    payment_reference varchar,
    payment_state varchar,
    sequence_prefix varchar,
    sequence_number int4,
    amount_untaxed numeric,
    amount_tax numeric,
    amount_total numeric,
    amount_residual numeric,
    amount_untaxed_signed numeric,
    amount_tax_signed numeric,
    amount_total_signed numeric,
    amount_total_in_currency_signed numeric,
    amount_residual_signed numeric,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone
);

CREATE TABLE account_move_line (
    id serial PRIMARY KEY,
    move_id int4 NOT NULL REFERENCES account_move (id) ON DELETE CASCADE,
    move_name varchar,
    date date,
    ref varchar,
    parent_state varchar,
    journal_id int4 REFERENCES account_journal (id) ON DELETE SET NULL,
    company_id int4 REFERENCES res_company (id) ON DELETE SET NULL,
    company_currency_id int4 REFERENCES res_currency (id) ON DELETE SET NULL,
    account_id int4 REFERENCES account_account (id) ON DELETE RESTRICT,
    partner_id int4 REFERENCES res_partner (id) ON DELETE RESTRICT,
    product_id int4 REFERENCES product_product (id) ON DELETE RESTRICT,
    currency_id int4 NOT NULL REFERENCES res_currency (id) ON DELETE RESTRICT,
    sequence int4,
    name varchar,
    display_type varchar NOT NULL,
    quantity numeric,
    price_unit numeric,
    discount numeric,
    debit numeric,
    credit numeric,
    balance numeric,
    amount_currency numeric,
    price_subtotal numeric,
    price_total numeric,
    amount_residual numeric,
    amount_residual_currency numeric,
    reconciled boolean,
    date_maturity date,
    matching_number varchar,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone
);

CREATE TABLE sale_order (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    state varchar,
    locked boolean,
    date_order timestamp without time zone NOT NULL,
    validity_date date,
    client_order_ref varchar,
    origin varchar,
    partner_id int4 NOT NULL REFERENCES res_partner (id) ON DELETE RESTRICT,
    partner_invoice_id int4 NOT NULL REFERENCES res_partner (id) ON DELETE RESTRICT,
    partner_shipping_id int4 NOT NULL REFERENCES res_partner (id) ON DELETE RESTRICT,
    company_id int4 NOT NULL REFERENCES res_company (id) ON DELETE RESTRICT,
    currency_id int4 REFERENCES res_currency (id) ON DELETE RESTRICT,
    currency_rate numeric,
    invoice_status varchar,
    amount_untaxed numeric,
    amount_tax numeric,
    amount_total numeric,
    note text,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone
);

CREATE TABLE sale_order_line (
    id serial PRIMARY KEY,
    order_id int4 NOT NULL REFERENCES sale_order (id) ON DELETE CASCADE,
    sequence int4,
    name text NOT NULL,
    display_type varchar,
    product_id int4 REFERENCES product_product (id) ON DELETE RESTRICT,
    product_uom_qty numeric NOT NULL,
    price_unit numeric NOT NULL,
    discount numeric,
    price_subtotal numeric,
    price_tax float8,
    price_total numeric,
    qty_delivered numeric,
    qty_invoiced numeric,
    qty_to_invoice numeric,
    invoice_status varchar,
    state varchar,
    currency_id int4 REFERENCES res_currency (id) ON DELETE SET NULL,
    company_id int4 REFERENCES res_company (id) ON DELETE SET NULL,
    order_partner_id int4 REFERENCES res_partner (id) ON DELETE SET NULL,
    create_uid int4,
    create_date timestamp without time zone,
    write_uid int4,
    write_date timestamp without time zone
);

-- Indexes Odoo 17 creates for these columns (index=True in the models).
CREATE INDEX account_move_date_index ON account_move (date);
CREATE INDEX account_move_state_index ON account_move (state);
CREATE INDEX account_move_journal_id_index ON account_move (journal_id);
CREATE INDEX account_move_partner_id_index ON account_move (partner_id);
CREATE INDEX account_move_line_move_id_index ON account_move_line (move_id);
CREATE INDEX account_move_line_account_id_index ON account_move_line (account_id);
CREATE INDEX account_move_line_partner_id_index ON account_move_line (partner_id);
CREATE INDEX account_move_line_date_index ON account_move_line (date);
CREATE INDEX sale_order_line_order_id_index ON sale_order_line (order_id);
CREATE INDEX res_partner_company_id_index ON res_partner (company_id);
CREATE INDEX res_currency_rate_currency_id_index ON res_currency_rate (currency_id);

-- Not Odoo's: the index an incremental reader by (write_date, id) needs, so that each
-- keyset page is an index range scan instead of a sort of the whole table. Create the
-- same on the replica you read from.
CREATE INDEX account_move_write_date_id_idx ON account_move (write_date, id);
CREATE INDEX account_move_line_write_date_id_idx ON account_move_line (write_date, id);
CREATE INDEX sale_order_write_date_id_idx ON sale_order (write_date, id);
CREATE INDEX sale_order_line_write_date_id_idx ON sale_order_line (write_date, id);
CREATE INDEX res_partner_write_date_id_idx ON res_partner (write_date, id);

/**
 * Versioned schema migrations. Numbered, append-only: a landed migration is never edited; a
 * change is a new migration with a test from N−1 to N. The version lives in PRAGMA user_version.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core tables: operators, accounts cache, meters, bills, payments, journal, outbox',
    sql: `
      CREATE TABLE operators (
        operator_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        pin_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER
      );
      CREATE TABLE accounts (
        account_no TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        address TEXT NOT NULL,
        phone TEXT NOT NULL,
        customer_class TEXT NOT NULL,
        payment_mode TEXT NOT NULL,
        tariff_code TEXT NOT NULL,
        balance_fen INTEGER NOT NULL,
        credit_grade TEXT NOT NULL,
        card_no TEXT,
        consumption_year INTEGER NOT NULL DEFAULT 0,
        consumption_month INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        cached_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX accounts_phone ON accounts(phone);
      CREATE INDEX accounts_card ON accounts(card_no) WHERE card_no IS NOT NULL;
      CREATE TABLE meters (
        meter_no TEXT PRIMARY KEY,
        account_no TEXT NOT NULL REFERENCES accounts(account_no),
        kind TEXT NOT NULL,
        sts_json TEXT,
        card_generation INTEGER
      );
      CREATE INDEX meters_account ON meters(account_no);
      CREATE TABLE bills (
        bill_id TEXT PRIMARY KEY,
        account_no TEXT NOT NULL REFERENCES accounts(account_no),
        period TEXT NOT NULL,
        consumption INTEGER NOT NULL,
        amount_fen INTEGER NOT NULL,
        paid_fen INTEGER NOT NULL,
        late_fee_paid_fen INTEGER NOT NULL DEFAULT 0,
        due_date TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'paid'))
      );
      CREATE INDEX bills_account ON bills(account_no, status);
      CREATE TABLE payments (
        payment_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        method TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        tendered_fen INTEGER,
        change_fen INTEGER NOT NULL DEFAULT 0,
        to_balance_fen INTEGER NOT NULL DEFAULT 0,
        operator_id TEXT NOT NULL,
        shift_id TEXT,
        external_ref TEXT,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX payments_account ON payments(account_no);
      CREATE TABLE payment_allocations (
        payment_id TEXT NOT NULL REFERENCES payments(payment_id),
        bill_id TEXT NOT NULL,
        principal_fen INTEGER NOT NULL,
        late_fee_fen INTEGER NOT NULL,
        PRIMARY KEY (payment_id, bill_id)
      );
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        ref TEXT NOT NULL,
        actor TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX journal_ref ON journal(ref);
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      CREATE TABLE sync_rejections (
        event_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        reason TEXT NOT NULL,
        rejected_at TEXT NOT NULL
      );
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'prepaid vending: vends (state machine rows), TIDs unique per meter, fixed-charge marks',
    sql: `
      CREATE TABLE vends (
        vend_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        meter_no TEXT NOT NULL,
        meter_kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('created', 'paid', 'token_issued', 'delivered', 'reversed', 'cancelled')),
        method TEXT NOT NULL CHECK (method IN ('cash', 'qr')),
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        tendered_fen INTEGER,
        change_fen INTEGER NOT NULL DEFAULT 0,
        out_trade_no TEXT UNIQUE,
        auth_code TEXT,
        external_ref TEXT,
        issuer TEXT NOT NULL CHECK (issuer IN ('online', 'local')),
        offline INTEGER NOT NULL DEFAULT 0,
        tid INTEGER NOT NULL,
        rnd INTEGER NOT NULL,
        amount_tenths INTEGER NOT NULL,
        split_json TEXT NOT NULL,
        token TEXT,
        delivered_tenths INTEGER,
        delivery TEXT,
        reprints INTEGER NOT NULL DEFAULT 0,
        locale TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        approved_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX vends_meter_tid ON vends(meter_no, tid);
      CREATE INDEX vends_unfinished ON vends(state) WHERE state IN ('created', 'paid', 'token_issued');
      CREATE INDEX vends_account ON vends(account_no);
      CREATE TABLE vend_fixed_charges (
        vend_id TEXT NOT NULL REFERENCES vends(vend_id),
        account_no TEXT NOT NULL,
        charge_id TEXT NOT NULL,
        period_key TEXT NOT NULL,
        PRIMARY KEY (vend_id, charge_id)
      );
      CREATE INDEX vend_fixed_charges_account ON vend_fixed_charges(account_no, period_key);
    `,
  },
  {
    version: 3,
    name: 'prepaid card vends: the card and its purchase counter before the write (created), the purchase written (credit issued), the last card step',
    sql: `
      ALTER TABLE vends ADD COLUMN card_serial TEXT;
      ALTER TABLE vends ADD COLUMN card_generation INTEGER;
      ALTER TABLE vends ADD COLUMN card_counter_before INTEGER;
      ALTER TABLE vends ADD COLUMN card_amount_fen INTEGER;
      ALTER TABLE vends ADD COLUMN card_energy_ckwh INTEGER;
      ALTER TABLE vends ADD COLUMN card_counter_after INTEGER;
      ALTER TABLE vends ADD COLUMN card_step TEXT;
      CREATE INDEX vends_card_serial ON vends(card_serial) WHERE card_serial IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'vend delivery attempts (journaled before any print/show: such a token may be with the customer) and STS management tokens sharing the per-meter TID sequence',
    sql: `
      ALTER TABLE vends ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE sts_management_tokens (
        token_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        meter_no TEXT NOT NULL,
        kind TEXT NOT NULL,
        tid INTEGER,
        tokens_json TEXT NOT NULL,
        params_json TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX sts_management_tokens_meter_tid ON sts_management_tokens(meter_no, tid) WHERE tid IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'credential lockouts in their own table (sign-in and approvals share them; unknown ids lock like known ones; escalation kept until a success)',
    sql: `
      CREATE TABLE credential_lockouts (
        operator_id TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER
      ) WITHOUT ROWID;
      -- A lock taken under v4 (which zeroed its counter) has served the first step of the escalation.
      INSERT INTO credential_lockouts (operator_id, failures, locked_until)
        SELECT operator_id, CASE WHEN locked_until IS NOT NULL THEN max(failed_attempts, 5) ELSE failed_attempts END, locked_until
        FROM operators WHERE failed_attempts > 0 OR locked_until IS NOT NULL;
      ALTER TABLE operators DROP COLUMN failed_attempts;
      ALTER TABLE operators DROP COLUMN locked_until;
    `,
  },
  {
    version: 6,
    name: 'dated principal payments per bill (late fees accrue on the principal outstanding each day): from snapshots, and from this terminal\'s payments',
    sql: `
      CREATE TABLE bill_payments (
        bill_id TEXT NOT NULL,
        payment_id TEXT NOT NULL,
        paid_on TEXT NOT NULL,
        principal_fen INTEGER NOT NULL CHECK (principal_fen > 0),
        PRIMARY KEY (bill_id, payment_id)
      ) WITHOUT ROWID;
      -- This terminal's earlier payments, dated by their UTC day (the zone is not known here); a
      -- snapshot replaces every row the backend has acknowledged.
      INSERT INTO bill_payments (bill_id, payment_id, paid_on, principal_fen)
        SELECT a.bill_id, a.payment_id, substr(p.created_at, 1, 10), a.principal_fen
        FROM payment_allocations a JOIN payments p ON p.payment_id = a.payment_id WHERE a.principal_fen > 0;
    `,
  },  {
    version: 7,
    name: "each payment's outbox sequence number: snapshots say up to which of this terminal's events they hold",
    sql: `
      ALTER TABLE payments ADD COLUMN event_seq INTEGER;
      -- Still waiting in the outbox: their sequence numbers are known. Earlier ones were
      -- acknowledged before this version and count as held by every later snapshot.
      UPDATE payments SET event_seq = (SELECT o.seq FROM outbox o WHERE o.event_id = payments.payment_id);
      CREATE INDEX payments_account_event_seq ON payments(account_no, event_seq);
    `,
  },
  {
    version: 8,
    name: 'shifts and the cash drawer: one unclosed shift per terminal, drawer movements (cash in/out, payouts), the shift of every payment and vend, journal by time (day reconciliation)',
    sql: `
      CREATE TABLE shifts (
        shift_id TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'counted', 'closed')),
        -- The journal seq of shift.opened: the shift's totals are read from the journal from here on.
        open_seq INTEGER NOT NULL,
        opened_at TEXT NOT NULL,
        float_fen INTEGER NOT NULL CHECK (float_fen >= 0),
        float_counts TEXT NOT NULL,
        counted_at TEXT,
        counted_by TEXT,
        counts TEXT,
        counted_fen INTEGER,
        expected_fen INTEGER,
        difference_fen INTEGER,
        closed_at TEXT,
        closed_by TEXT,
        approved_by TEXT,
        close_reason TEXT,
        z_no INTEGER UNIQUE
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX shifts_one_unclosed ON shifts(terminal_id) WHERE state <> 'closed';
      CREATE INDEX shifts_opened_at ON shifts(opened_at);
      CREATE TABLE drawer_movements (
        movement_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        shift_id TEXT NOT NULL REFERENCES shifts(shift_id),
        kind TEXT NOT NULL CHECK (kind IN ('in', 'out')),
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        reason TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        ref TEXT,
        operator_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX drawer_movements_shift ON drawer_movements(shift_id);
      ALTER TABLE vends ADD COLUMN shift_id TEXT;
      CREATE INDEX payments_shift ON payments(shift_id) WHERE shift_id IS NOT NULL;
      CREATE INDEX vends_shift ON vends(shift_id) WHERE shift_id IS NOT NULL;
      CREATE INDEX journal_at ON journal(at);
    `,
  },
  {
    version: 9,
    name: 'every payment method (tenders: cash, payment code, kiosk QR, bank card; split tender), payment-code charges at the gateway, voids and refunds, late-fee waivers, e-invoices',
    sql: `
      -- How a payment was paid: one row per tender (a split tender has several). Payments written
      -- before this version were single-tender: their row is backfilled.
      CREATE TABLE payment_tenders (
        payment_id TEXT NOT NULL REFERENCES payments(payment_id),
        seq INTEGER NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('cash', 'qr', 'code', 'card')),
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        tendered_fen INTEGER,
        change_fen INTEGER NOT NULL DEFAULT 0,
        -- Gateway trade number (code, qr) or bank POS reference number (card).
        external_ref TEXT,
        -- The merchant order number at the gateway (code, qr): refunds go by it.
        out_trade_no TEXT,
        PRIMARY KEY (payment_id, seq)
      ) WITHOUT ROWID;
      INSERT INTO payment_tenders (payment_id, seq, method, amount_fen, tendered_fen, change_fen, external_ref)
        SELECT payment_id, 1, method, amount_fen, tendered_fen, change_fen, external_ref FROM payments
        WHERE method IN ('cash', 'qr', 'code', 'card');
      -- A bank POS reference number is recorded once.
      CREATE UNIQUE INDEX payment_tenders_card_ref ON payment_tenders(external_ref) WHERE method = 'card';

      -- A customer's payment code charged at the gateway, before and after it becomes a payment:
      -- requested (pay sent), paid (gateway said success, payment not written yet), committed,
      -- declined, reversing (the order is being cancelled/refunded at the gateway), reversed.
      CREATE TABLE code_charges (
        out_trade_no TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        payment_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        auth_code TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('requested', 'paid', 'committed', 'declined', 'reversing', 'reversed')),
        trade_no TEXT,
        reason TEXT,
        operator_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX code_charges_unresolved ON code_charges(state) WHERE state IN ('requested', 'paid', 'reversing');

      -- A void (same shift) or refund (later) of a whole payment, approved by a supervisor. Money
      -- going back through the gateway is 'requested' until the gateway confirms, then 'completed'
      -- in the same commit as the reversed settlement; 'failed' when the gateway refused.
      CREATE TABLE payment_reversals (
        reversal_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        payment_id TEXT NOT NULL REFERENCES payments(payment_id),
        account_no TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
        state TEXT NOT NULL CHECK (state IN ('requested', 'completed', 'failed')),
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        reason_code TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        card_reference TEXT,
        operator_id TEXT NOT NULL,
        approved_by TEXT NOT NULL,
        shift_id TEXT,
        event_seq INTEGER,
        created_at TEXT NOT NULL,
        completed_at TEXT
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX payment_reversals_one_per_payment ON payment_reversals(payment_id) WHERE state <> 'failed';
      CREATE INDEX payment_reversals_account_event_seq ON payment_reversals(account_no, event_seq);
      CREATE INDEX payment_reversals_requested ON payment_reversals(state) WHERE state = 'requested';

      -- Late fees a supervisor waived, per bill: the fee due is the accrual less what was paid and
      -- what was waived. bills.late_fee_waived_fen is the backend's figure plus this terminal's
      -- waivers it does not hold yet (laid over like payments).
      ALTER TABLE bills ADD COLUMN late_fee_waived_fen INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE late_fee_waivers (
        waiver_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        bill_id TEXT NOT NULL,
        fen INTEGER NOT NULL CHECK (fen > 0),
        fee_before_fen INTEGER NOT NULL,
        reason_code TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        as_of TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        approved_by TEXT NOT NULL,
        event_seq INTEGER,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX late_fee_waivers_account_event_seq ON late_fee_waivers(account_no, event_seq);
      CREATE INDEX late_fee_waivers_bill ON late_fee_waivers(bill_id);

      -- The e-invoice of a payment: requested with the payment (the request also rides the outbox),
      -- issued once the backend answers with its number and link, cancelled with a void or refund.
      CREATE TABLE invoices (
        payment_id TEXT PRIMARY KEY REFERENCES payments(payment_id),
        state TEXT NOT NULL CHECK (state IN ('requested', 'issued', 'cancelled')),
        invoice_no TEXT,
        url TEXT,
        issued_at TEXT,
        requested_at TEXT NOT NULL,
        checked_at TEXT
      ) WITHOUT ROWID;
      CREATE INDEX invoices_requested ON invoices(state) WHERE state = 'requested';
    `,
  },
  {
    version: 10,
    name: 'journal hash format 2 (the fields as one JSON array): entries written from now on; earlier ones keep format 1 and still verify',
    sql: `
      ALTER TABLE journal ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1 CHECK (hash_version IN (1, 2));
    `,
  },
  {
    version: 11,
    name: 'offline name search over the whole service area: closed accounts, FTS5 trigram index of names (3+ characters, exact and prefix through sentinels), FTS5 index of one- and two-character grams, both kept by triggers',
    sql: `
      -- Accounts whose service ended; the few that are (the backend's status) rank after active ones.
      CREATE TABLE closed_accounts (account_no TEXT PRIMARY KEY) WITHOUT ROWID;
      -- Character positions 1..64 of a name, for building its grams inside triggers (no CTEs there).
      CREATE TABLE name_positions (k INTEGER PRIMARY KEY);
      WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 64) INSERT INTO name_positions (k) SELECT k FROM n;
      -- rowid = the account number as an integer (the wire's numbers are 10 digits). Contentless: the
      -- names stay in accounts; the index holds only postings. The name sits between two sentinels
      -- (char(1) char(1) … char(2) char(2)) in the column of its status, so one trigram query finds
      -- an exact name, a prefix (also of one or two characters) or a substring, active or closed.
      CREATE VIRTUAL TABLE account_name_trigrams USING fts5(active, closed, content='', contentless_delete=1, tokenize='trigram');
      -- Every character and every pair of adjacent characters of a name as one token, 'a' or 'c'
      -- (active, closed) in front: substrings of one or two characters, which trigrams cannot find.
      CREATE VIRTUAL TABLE account_name_grams USING fts5(grams, content='', contentless_delete=1, tokenize='unicode61', detail=none);
      ${nameIndexTriggers()}
      INSERT INTO account_name_trigrams (rowid, active, closed)
        SELECT CAST(account_no AS INTEGER), char(1, 1) || name || char(2, 2), NULL FROM accounts WHERE ${numericNo('account_no')};
      INSERT INTO account_name_grams (rowid, grams)
        SELECT CAST(a.account_no AS INTEGER), (${gramsOf("'a'", 'a.name')}) FROM accounts a WHERE ${numericNo('a.account_no')};
    `,
  },
  {
    version: 12,
    name: 'kiosk: QR orders (merchant-presented codes, one row per order, its state and gateway references) and ratings (one per transaction)',
    sql: `
      CREATE TABLE kiosk_orders (
        order_id TEXT PRIMARY KEY,
        visit_id TEXT,
        what TEXT NOT NULL CHECK (what IN ('bills', 'vend')),
        account_no TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        bills_json TEXT,
        quote_digest TEXT NOT NULL,
        out_trade_no TEXT NOT NULL UNIQUE,
        vend_id TEXT UNIQUE,
        payment_id TEXT UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('creating', 'awaiting_payment', 'paid', 'delivered', 'cancelling', 'cancelled', 'expired', 'refunding', 'refunded')),
        close_reason TEXT,
        code_url TEXT,
        expires_at TEXT,
        trade_no TEXT,
        paid_at TEXT,
        honoured INTEGER NOT NULL DEFAULT 0,
        refund_no TEXT,
        locale TEXT NOT NULL,
        actor TEXT NOT NULL,
        delivered_at TEXT,
        presented_at TEXT,
        receipt_printed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX kiosk_orders_open ON kiosk_orders(state, created_at) WHERE state IN ('creating', 'awaiting_payment', 'paid', 'cancelling', 'refunding');
      CREATE TABLE ratings (
        rating_id TEXT PRIMARY KEY,
        transaction_id TEXT NOT NULL UNIQUE,
        transaction_kind TEXT NOT NULL CHECK (transaction_kind IN ('payment', 'vend')),
        account_no TEXT NOT NULL,
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        reasons_json TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('kiosk', 'counter')),
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 13,
    name: 'offline search, as built: every name in one FTS5 trigram index kept by the writers (v11\'s two indexes kept by triggers made the initial pull of a million accounts three times slower: a virtual table written from a trigger flushes at every row)',
    sql: `
      DROP TRIGGER accounts_name_indexed;
      DROP TRIGGER accounts_name_reindexed;
      DROP TRIGGER accounts_name_unindexed;
      DROP TRIGGER closed_accounts_indexed;
      DROP TRIGGER closed_accounts_reopened;
      DROP TABLE account_name_trigrams;
      DROP TABLE account_name_grams;
      DROP TABLE name_positions;
      -- One row per account whose number is 1 to 17 digits, rowid = the number with a '1' in front
      -- (so leading zeros survive the way back), the document in the column of its status
      -- (main/store/account-search.ts, nameDocument):
      --   char(1) char(1) name char(2) char(2)   exact names and prefixes (of one character too),
      --                                           and any part of three or more characters;
      --   '#' c '#' for each character c,         parts of one character;
      --   '#' c d for each adjacent pair c d      parts of two characters
      -- ('#' taken out of the name in the gram part). Contentless: the names stay in accounts.
      CREATE VIRTUAL TABLE account_names USING fts5(active, closed, content='', contentless_delete=1, tokenize='trigram');
      -- The accounts cached so far, in the column of their status (closed_accounts: since v11).
      WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < 64)
      INSERT INTO account_names (rowid, active, closed)
        SELECT CAST('1' || account_no AS INTEGER), iif(closed, NULL, doc), iif(closed, doc, NULL)
        FROM (
          SELECT account_no, EXISTS (SELECT 1 FROM closed_accounts c WHERE c.account_no = a.account_no) AS closed,
            char(1, 1) || name || char(2, 2)
            || coalesce((SELECT group_concat('#' || substr(n, i, 1) || '#', '') FROM pos WHERE i <= length(n)), '')
            || coalesce((SELECT group_concat('#' || substr(n, i, 2), '') FROM pos WHERE i < length(n)), '') AS doc
          FROM (SELECT account_no, name, replace(name, '#', '') AS n FROM accounts
                WHERE account_no NOT GLOB '*[^0-9]*' AND length(account_no) BETWEEN 1 AND 17) a
        );
    `,
  },
  {
    version: 14,
    name: 'recovery: each account\'s 24-month history from the snapshots (the facts), its current credit grade, the history of grades and managers\' overrides',
    sql: `
      -- AccountSnapshot.history as it travelled (compact JSON, main/wire/backend-wire.ts); kept by the snapshot writers.
      CREATE TABLE account_history (
        account_no TEXT PRIMARY KEY,
        history_json TEXT NOT NULL
      ) WITHOUT ROWID;
      -- The grade in force per account: the model's, or a manager's override (override_id).
      CREATE TABLE credit_current (
        account_no TEXT PRIMARY KEY,
        score INTEGER NOT NULL,
        model_grade TEXT NOT NULL,
        grade TEXT NOT NULL,
        reasons_json TEXT NOT NULL,
        override_id TEXT,
        evaluated_at TEXT NOT NULL,
        evaluated_on TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX credit_current_grade ON credit_current(grade);
      -- Every change of an account's score or grade, and why it was evaluated.
      CREATE TABLE credit_grades (
        seq INTEGER PRIMARY KEY,
        account_no TEXT NOT NULL,
        score INTEGER NOT NULL,
        model_grade TEXT NOT NULL,
        grade TEXT NOT NULL,
        trigger TEXT NOT NULL CHECK (trigger IN ('first', 'monthly', 'fact', 'override', 'override_lifted')),
        reasons_json TEXT NOT NULL,
        evaluated_at TEXT NOT NULL
      );
      CREATE INDEX credit_grades_account ON credit_grades(account_no, seq);
      CREATE TABLE credit_overrides (
        override_id TEXT PRIMARY KEY,
        account_no TEXT NOT NULL,
        grade TEXT NOT NULL,
        model_grade TEXT NOT NULL,
        reason TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        lifted_at TEXT,
        lifted_by TEXT
      );
      CREATE INDEX credit_overrides_account ON credit_overrides(account_no, created_at);
    `,
  },
  {
    version: 15,
    name: 'service quality: ratings record hall, terminal and the outcome of the transaction (counter ratings from the customer display); complaints and service applications with their status history; recommendations shown and answered',
    sql: `
      ALTER TABLE ratings ADD COLUMN hall_id TEXT;
      ALTER TABLE ratings ADD COLUMN terminal_id TEXT;
      -- {printFailed, longService, serviceSeconds} as recorded when rated (docs/service.md).
      ALTER TABLE ratings ADD COLUMN outcome_json TEXT;
      CREATE INDEX ratings_created ON ratings(created_at);
      CREATE TABLE complaints (
        complaint_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        tracking_no TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('complaint', 'suggestion')),
        category TEXT NOT NULL,
        text TEXT NOT NULL,
        contact_name TEXT,
        contact_phone TEXT,
        account_no TEXT,
        transaction_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('open', 'replied', 'resolved', 'closed')),
        reply_due_at TEXT NOT NULL,
        resolve_due_at TEXT NOT NULL,
        replied_at TEXT,
        resolved_at TEXT,
        closed_at TEXT,
        -- Escalation stages recorded (JSON array of reply_near, reply_overdue, resolve_near, resolve_overdue).
        escalations_json TEXT NOT NULL DEFAULT '[]',
        closing_note TEXT,
        customer_satisfied INTEGER,
        operator_id TEXT NOT NULL,
        hall_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX complaints_unresolved ON complaints(resolve_due_at) WHERE resolved_at IS NULL;
      CREATE TABLE service_applications (
        application_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        reference_no TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL CHECK (type IN ('new_connection', 'capacity_increase', 'transfer', 'name_change', 'closure')),
        account_no TEXT,
        fields_json TEXT NOT NULL,
        documents_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('documents_pending', 'accepted', 'in_review', 'approved', 'completed', 'rejected')),
        operator_id TEXT NOT NULL,
        hall_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX service_applications_account ON service_applications(account_no);
      -- Status history of complaints and applications (subject = complaint_id or application_id).
      CREATE TABLE service_history (
        subject_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT,
        PRIMARY KEY (subject_id, seq)
      ) WITHOUT ROWID;
      -- The customer's answer to a recommendation (the latest per account and kind counts).
      CREATE TABLE recommendation_responses (
        response_id TEXT PRIMARY KEY,
        account_no TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('tou', 'prepaid', 'ebilling', 'season_tip')),
        response TEXT NOT NULL CHECK (response IN ('accepted', 'declined')),
        reason_key TEXT NOT NULL,
        saving_fen INTEGER,
        operator_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX recommendation_responses_account ON recommendation_responses(account_no, kind, created_at);
    `,
  },
  {
    version: 16,
    name: 'collection: disconnection and reminder notices, the contact log with promises to pay, worklist assignments',
    sql: `
      -- A notice as served: its lawful date and the steps that made it are kept, so a reprint says the same.
      CREATE TABLE collection_notices (
        notice_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        notice_no TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('reminder', 'disconnection')),
        customer_class TEXT NOT NULL,
        overdue_fen INTEGER NOT NULL CHECK (overdue_fen > 0),
        oldest_due_date TEXT NOT NULL,
        served_on TEXT NOT NULL,
        earliest_disconnect_on TEXT,
        steps_json TEXT NOT NULL,
        bills_json TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        printed_count INTEGER NOT NULL DEFAULT 0,
        CHECK ((kind = 'disconnection') = (earliest_disconnect_on IS NOT NULL))
      );
      CREATE INDEX collection_notices_account ON collection_notices(account_no, created_at);
      CREATE TABLE collection_contacts (
        contact_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('call', 'visit', 'sms', 'letter')),
        outcome TEXT NOT NULL CHECK (outcome IN ('reached', 'promised', 'no_answer', 'refused', 'wrong_number', 'already_paid', 'left_message')),
        note TEXT NOT NULL,
        sms_text TEXT,
        promise_on TEXT,
        promise_fen INTEGER CHECK (promise_fen IS NULL OR promise_fen > 0),
        operator_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        CHECK ((outcome = 'promised') = (promise_on IS NOT NULL))
      );
      CREATE INDEX collection_contacts_account ON collection_contacts(account_no, created_at);
      -- The worklist reads the promises due before today in one range.
      CREATE INDEX collection_promises ON collection_contacts(promise_on) WHERE promise_on IS NOT NULL;
      CREATE TABLE worklist_assignments (
        account_no TEXT PRIMARY KEY,
        assignee_id TEXT NOT NULL,
        assigned_by TEXT NOT NULL,
        assigned_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 17,
    name: 'sync exceptions queue: rejected events and the backend\'s exceptions for supervisors, with their resolution',
    sql: `
      -- One row per thing a supervisor must look at (docs/exceptions.md): an event the backend
      -- rejected (copied from sync_rejections by the trigger below, whoever writes it) or an exception
      -- the backend recorded while accepting one (backend_id: its id there, so a re-read adds nothing).
      CREATE TABLE sync_exceptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL CHECK (source IN ('rejected', 'backend')),
        backend_id INTEGER UNIQUE,
        event_id TEXT NOT NULL,
        event_type TEXT,
        kind TEXT NOT NULL,
        account_no TEXT,
        bill_id TEXT,
        fen INTEGER NOT NULL DEFAULT 0 CHECK (fen >= 0),
        detail TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT,
        resolution TEXT,
        note TEXT,
        CHECK ((source = 'backend') = (backend_id IS NOT NULL)),
        CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NULL) = (resolved_by IS NULL))
      );
      CREATE INDEX sync_exceptions_open ON sync_exceptions(resolved_at, id);
      CREATE INDEX sync_exceptions_event ON sync_exceptions(event_id);
      -- A rejected event joins the queue once while it is open (a resent one rejected again joins anew).
      CREATE TRIGGER sync_rejection_queued AFTER INSERT ON sync_rejections
        WHEN NOT EXISTS (SELECT 1 FROM sync_exceptions WHERE source = 'rejected' AND event_id = new.event_id AND resolved_at IS NULL)
      BEGIN
        INSERT INTO sync_exceptions (source, event_id, event_type, kind, account_no, fen, detail, recorded_at)
        VALUES ('rejected', new.event_id, new.type, 'rejected',
          CASE WHEN json_valid(new.payload) AND json_type(new.payload, '$.accountNo') = 'text' THEN json_extract(new.payload, '$.accountNo') END,
          CASE WHEN json_valid(new.payload) AND json_type(new.payload, '$.amountFen') = 'integer' AND json_extract(new.payload, '$.amountFen') > 0
            THEN json_extract(new.payload, '$.amountFen') ELSE 0 END,
          new.reason, new.rejected_at);
      END;
      INSERT INTO sync_exceptions (source, event_id, event_type, kind, account_no, fen, detail, recorded_at)
        SELECT 'rejected', event_id, type, 'rejected',
          CASE WHEN json_valid(payload) AND json_type(payload, '$.accountNo') = 'text' THEN json_extract(payload, '$.accountNo') END,
          CASE WHEN json_valid(payload) AND json_type(payload, '$.amountFen') = 'integer' AND json_extract(payload, '$.amountFen') > 0
            THEN json_extract(payload, '$.amountFen') ELSE 0 END,
          reason, rejected_at
        FROM sync_rejections ORDER BY seq;
    `,
  },
  {
    version: 18,
    name: 'sync exceptions: the facts the backend gives with an exception (bill period, new account, tariffs), for its text',
    sql: `
      ALTER TABLE sync_exceptions ADD COLUMN facts_json TEXT CHECK (facts_json IS NULL OR json_valid(facts_json));
    `,
  },
  {
    version: 19,
    name: 'prepaid promotion: offers of a prepaid meter made to candidates, the customer\'s answer (conversion is the account turning prepaid)',
    sql: `
      CREATE TABLE promotion_offers (
        offer_id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        account_no TEXT NOT NULL,
        offer_kind TEXT NOT NULL,
        bonus_fen INTEGER NOT NULL CHECK (bonus_fen >= 0),
        grade TEXT NOT NULL,
        rank INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined')),
        offered_by TEXT NOT NULL,
        offered_at TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        answered_at TEXT
      );
      CREATE INDEX promotion_offers_account ON promotion_offers(account_no, offered_at);
    `,
  },
  {
    version: 20,
    name: 'prepaid points: one accrual per delivered vend, one reversal at most (unique per vend and kind, so a re-delivery cannot double it)',
    sql: `
      CREATE TABLE points_ledger (
        entry_id TEXT PRIMARY KEY,
        vend_id TEXT NOT NULL,
        account_no TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('accrual', 'reversal')),
        points INTEGER NOT NULL,
        energy_fen INTEGER NOT NULL CHECK (energy_fen >= 0),
        at TEXT NOT NULL,
        expires_at TEXT,
        UNIQUE (vend_id, kind)
      );
      CREATE INDEX points_ledger_account ON points_ledger(account_no, at);
    `,
  },
  {
    version: 21,
    name: 'worklist facts: the few history fields the daily worklist reads, kept narrow per account by triggers on account_history (the one write path), backfilled',
    sql: `
      CREATE TABLE worklist_facts (
        account_no TEXT PRIMARY KEY,
        to_period TEXT NOT NULL,
        late_mask INTEGER NOT NULL,
        vend_len INTEGER,
        vend_mask INTEGER NOT NULL,
        kwh_tail TEXT,
        cutoffs TEXT
      ) WITHOUT ROWID;
      ${worklistFactsFrom('account_history.account_no', 'account_history.history_json', 'FROM account_history')};
      CREATE TRIGGER account_history_facts_inserted AFTER INSERT ON account_history BEGIN
        DELETE FROM worklist_facts WHERE account_no = new.account_no;
        ${worklistFactsFrom('new.account_no', 'new.history_json', '')};
      END;
      CREATE TRIGGER account_history_facts_updated AFTER UPDATE OF history_json ON account_history BEGIN
        DELETE FROM worklist_facts WHERE account_no = new.account_no;
        ${worklistFactsFrom('new.account_no', 'new.history_json', '')};
      END;
      CREATE TRIGGER account_history_facts_deleted AFTER DELETE ON account_history BEGIN
        DELETE FROM worklist_facts WHERE account_no = old.account_no;
      END;
    `,
  },
  {
    version: 22,
    name: 'worklist facts: last month\'s kWh and the highest of the 12 before it, and an index of open bills\' dues, so the worklist picks in SQL the accounts that can be on it',
    sql: `
      ALTER TABLE worklist_facts ADD COLUMN kwh_last REAL;
      ALTER TABLE worklist_facts ADD COLUMN kwh_prev_max REAL;
      UPDATE worklist_facts SET kwh_last = ${kwhLastOf('kwh_tail')}, kwh_prev_max = ${kwhPrevMaxOf('kwh_tail')} WHERE kwh_tail IS NOT NULL AND kwh_tail <> '';
      -- The worklist sums each account's open bills in SQL: a covering index of exactly those.
      CREATE INDEX bills_open_dues ON bills(account_no, due_date, amount_fen, paid_fen) WHERE status = 'open';
      DROP TRIGGER account_history_facts_inserted;
      DROP TRIGGER account_history_facts_updated;
      CREATE TRIGGER account_history_facts_inserted AFTER INSERT ON account_history BEGIN
        DELETE FROM worklist_facts WHERE account_no = new.account_no;
        ${worklistFactsFrom('new.account_no', 'new.history_json', '', true)};
      END;
      CREATE TRIGGER account_history_facts_updated AFTER UPDATE OF history_json ON account_history BEGIN
        DELETE FROM worklist_facts WHERE account_no = new.account_no;
        ${worklistFactsFrom('new.account_no', 'new.history_json', '', true)};
      END;
    `,
  },
  {
    version: 23,
    name: "worklist facts: the history triggers stand aside while the initial pull's load window is open (its writer writes the facts from the history it parsed: store/worklist-facts.ts)",
    // 'sync.initial.bulk' is the load window's kv key (store/account-search.ts, LOAD_WINDOW_KEY) as of this migration.
    sql: `
      DROP TRIGGER account_history_facts_inserted;
      DROP TRIGGER account_history_facts_updated;${historyFactsTriggers()}
    `,
  },
  {
    version: 24,
    name: "meters: the meter number's uniqueness in an index of its own (meters_no), which the initial pull's load window can drop and build once after the stream (store/bulk-load.ts) — random meter numbers inserted into a primary key rewrote most of its pages at every batch",
    sql: `
      CREATE TABLE meters_v24 (
        meter_no TEXT NOT NULL,
        account_no TEXT NOT NULL REFERENCES accounts(account_no),
        kind TEXT NOT NULL,
        sts_json TEXT,
        card_generation INTEGER
      );
      INSERT INTO meters_v24 (meter_no, account_no, kind, sts_json, card_generation)
        SELECT meter_no, account_no, kind, sts_json, card_generation FROM meters ORDER BY meter_no;
      DROP TABLE meters;
      ALTER TABLE meters_v24 RENAME TO meters;
      CREATE UNIQUE INDEX meters_no ON meters(meter_no);
      CREATE INDEX meters_account ON meters(account_no);
    `,
  },
  {
    version: 25,
    name: 'account_history as a rowid table: its rows (~400 bytes of JSON) made a WITHOUT ROWID B-tree move large cells at every split — the initial pull wrote them ~40% slower',
    sql: `
      CREATE TABLE account_history_v25 (
        account_no TEXT PRIMARY KEY,
        history_json TEXT NOT NULL
      );
      INSERT INTO account_history_v25 (account_no, history_json) SELECT account_no, history_json FROM account_history ORDER BY account_no;
      DROP TABLE account_history;
      ALTER TABLE account_history_v25 RENAME TO account_history;${historyFactsTriggers()}
      CREATE TRIGGER account_history_facts_deleted AFTER DELETE ON account_history BEGIN
        DELETE FROM worklist_facts WHERE account_no = old.account_no;
      END;
    `,
  },
  {
    version: 26,
    name: "name index: the gram part as every character between char(3)s — a part of one character is ␃c␃, of two c␃d — half the trigrams of v13's '#c#' and '#cd' runs, the same answers",
    // The documents of main/store/account-search.ts's nameDocument. Inside an initial pull's load
    // window ('sync.initial.bulk') the index is the window's build's to make: it starts again.
    sql: `
      INSERT INTO account_names (account_names) VALUES ('delete-all');
      DELETE FROM kv WHERE key = 'sync.initial.names_through';
      WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < 64)
      INSERT INTO account_names (rowid, active, closed)
        SELECT CAST('1' || account_no AS INTEGER), iif(closed, NULL, doc), iif(closed, doc, NULL)
        FROM (
          SELECT account_no, EXISTS (SELECT 1 FROM closed_accounts c WHERE c.account_no = a.account_no) AS closed,
            char(1, 1) || name || char(2, 2) || char(3)
            || coalesce((SELECT group_concat(substr(name, i, 1) || char(3), '') FROM pos WHERE i <= length(name)), '') AS doc
          FROM accounts a
          WHERE account_no NOT GLOB '*[^0-9]*' AND length(account_no) BETWEEN 1 AND 17
            AND NOT EXISTS (SELECT 1 FROM kv WHERE key = 'sync.initial.bulk')
        );
    `,
  },
];

/**
 * The worklist facts follow account_history's inserts and updates — except while the initial
 * pull's load window is open, whose writer writes them from the history it parsed (v23).
 * 'sync.initial.bulk' is the load window's kv key (store/account-search.ts, LOAD_WINDOW_KEY) as of v23.
 */
function historyFactsTriggers(): string {
  return `
      CREATE TRIGGER account_history_facts_inserted AFTER INSERT ON account_history
        WHEN NOT EXISTS (SELECT 1 FROM kv WHERE key = 'sync.initial.bulk') BEGIN
        DELETE FROM worklist_facts WHERE account_no = new.account_no;
        ${worklistFactsFrom('new.account_no', 'new.history_json', '', true)};
      END;
      CREATE TRIGGER account_history_facts_updated AFTER UPDATE OF history_json ON account_history
        WHEN NOT EXISTS (SELECT 1 FROM kv WHERE key = 'sync.initial.bulk') BEGIN
        DELETE FROM worklist_facts WHERE account_no = new.account_no;
        ${worklistFactsFrom('new.account_no', 'new.history_json', '', true)};
      END;`;
}

/** The last of the comma-separated kWh tail (an SQL expression). */
function kwhLastOf(tail: string): string {
  return `(SELECT value FROM json_each('[' || ${tail} || ']') ORDER BY key DESC LIMIT 1)`;
}

/** The highest of the months before the last in the kWh tail (it holds at most 13); NULL with one month. */
function kwhPrevMaxOf(tail: string): string {
  return `(SELECT MAX(value) FROM json_each('[' || ${tail} || ']') WHERE key < json_array_length('[' || ${tail} || ']') - 1)`;
}

/**
 * The worklist's narrow facts of one history (\`h\`: its JSON, an SQL expression): the period it
 * ends at, months paid late and months with a purchase as bit masks (bit 0 = the last month), the
 * last 13 months of consumption (the rules read at most rateMonths + 1 ≤ 13), the cut-off dates.
 * An absent array stays NULL (not the same as an empty one to the rules).
 */
function worklistFactsFrom(no: string, h: string, from: string, kwhFigures = false): string {
  const mask = (key: string) =>
    `(SELECT COALESCE(SUM(1 << (json_array_length(${h}, '$.${key}') - 1 - key)), 0) FROM json_each(${h}, '$.${key}') WHERE value > 0)`;
  const list = (key: string, inner: string) => `CASE WHEN json_type(${h}, '$.${key}') IS NULL THEN NULL ELSE COALESCE((${inner}), '') END`;
  // v22: last month's kWh and the highest of the 12 months before it (NULL without them).
  const last = `(SELECT value FROM json_each(${h}, '$.kwh') ORDER BY key DESC LIMIT 1)`;
  const prevMax = `(SELECT MAX(value) FROM json_each(${h}, '$.kwh') WHERE key >= json_array_length(${h}, '$.kwh') - 13 AND key < json_array_length(${h}, '$.kwh') - 1)`;
  // Plain INSERT after a DELETE in the triggers: the statement firing a trigger imposes its own conflict
  // policy on the trigger's body (an upsert's is ABORT), so OR REPLACE there would not replace.
  return `INSERT INTO worklist_facts (account_no, to_period, late_mask, vend_len, vend_mask, kwh_tail, cutoffs${kwhFigures ? ', kwh_last, kwh_prev_max' : ''})
        SELECT ${no}, COALESCE(json_extract(${h}, '$.to'), ''), ${mask('late')}, json_array_length(${h}, '$.vends'), ${mask('vends')},
          ${list('kwh', `SELECT group_concat(value, ',') FROM (SELECT value FROM json_each(${h}, '$.kwh') WHERE key >= json_array_length(${h}, '$.kwh') - 13 ORDER BY key)`)},
          ${list('cutoffs', `SELECT group_concat(value, ',') FROM json_each(${h}, '$.cutoffs')`)}${kwhFigures ? `, ${last}, ${prevMax}` : ''}
        ${from}`;
}

/** The account numbers the name index holds: all digits (every number the wire carries). */
function numericNo(column: string): string {
  return `${column} NOT GLOB '*[^0-9]*' AND length(${column}) BETWEEN 1 AND 18`;
}

/** A name's one- and two-character grams, each prefixed with `flag` ('a' or 'c'), space-separated. */
function gramsOf(flag: string, name: string): string {
  return `SELECT group_concat(${flag} || substr(${name}, k, 1) || ' ' || ${flag} || substr(${name}, k, 2), ' ') FROM name_positions WHERE k <= length(${name})`;
}

/** Index one account's name (`no`, `name`: SQL expressions) as active or closed. */
function indexName(no: string, name: string, closed: string): string {
  return `
        INSERT INTO account_name_trigrams (rowid, active, closed) VALUES (CAST(${no} AS INTEGER),
          CASE WHEN ${closed} THEN NULL ELSE char(1, 1) || ${name} || char(2, 2) END,
          CASE WHEN ${closed} THEN char(1, 1) || ${name} || char(2, 2) END);
        INSERT INTO account_name_grams (rowid, grams) SELECT CAST(${no} AS INTEGER), (${gramsOf(`CASE WHEN ${closed} THEN 'c' ELSE 'a' END`, name)});`;
}

function unindexName(no: string): string {
  return `
        DELETE FROM account_name_trigrams WHERE rowid = CAST(${no} AS INTEGER);
        DELETE FROM account_name_grams WHERE rowid = CAST(${no} AS INTEGER);`;
}

/** Whoever writes accounts or closed_accounts, the name index follows (one write path cannot drift). */
function nameIndexTriggers(): string {
  const isClosed = (no: string) => `EXISTS (SELECT 1 FROM closed_accounts WHERE account_no = ${no})`;
  const nameOf = (no: string) => `(SELECT name FROM accounts WHERE account_no = ${no})`;
  return `
      CREATE TRIGGER accounts_name_indexed AFTER INSERT ON accounts WHEN ${numericNo('new.account_no')} BEGIN${indexName('new.account_no', 'new.name', isClosed('new.account_no'))}
      END;
      CREATE TRIGGER accounts_name_reindexed AFTER UPDATE OF name ON accounts WHEN old.name IS NOT new.name AND ${numericNo('new.account_no')} BEGIN${unindexName('old.account_no')}${indexName('new.account_no', 'new.name', isClosed('new.account_no'))}
      END;
      CREATE TRIGGER accounts_name_unindexed AFTER DELETE ON accounts WHEN ${numericNo('old.account_no')} BEGIN${unindexName('old.account_no')}
      END;
      CREATE TRIGGER closed_accounts_indexed AFTER INSERT ON closed_accounts
        WHEN ${numericNo('new.account_no')} AND EXISTS (SELECT 1 FROM accounts WHERE account_no = new.account_no) BEGIN${unindexName('new.account_no')}${indexName('new.account_no', nameOf('new.account_no'), '1')}
      END;
      CREATE TRIGGER closed_accounts_reopened AFTER DELETE ON closed_accounts
        WHEN ${numericNo('old.account_no')} AND EXISTS (SELECT 1 FROM accounts WHERE account_no = old.account_no) BEGIN${unindexName('old.account_no')}${indexName('old.account_no', nameOf('old.account_no'), '0')}
      END;`;
}

export function currentVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Apply every migration above the database's version, each in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  let version = currentVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (version > latest) {
    throw new Error(`database schema v${version} is newer than this GridDesk build (v${latest})`);
  }
  for (const m of migrations) {
    if (m.version <= version) continue;
    if (m.version !== version + 1) throw new Error(`migration gap: v${version} → v${m.version}`);
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    version = m.version;
  }
  return version;
}

"""Database triggers that make the ledger append-only (used by a migration and test setup)."""

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON rewards_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON rewards_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS ledger_no_update;", "DROP TRIGGER IF EXISTS ledger_no_delete;"]

POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END; $$;""",
    """CREATE TRIGGER ledger_no_update_or_delete BEFORE UPDATE OR DELETE ON rewards_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_no_update_or_delete ON rewards_ledgerentry;",
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
]


def _run(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(connection) -> None:
    _run(connection, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(connection.vendor, []))


def drop(connection) -> None:
    _run(connection, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(connection.vendor, []))

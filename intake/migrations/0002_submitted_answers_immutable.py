"""The database refuses to change or add to the answers of a submitted version, and to reopen a submitted version.

The services never try; these triggers hold the invariant against any other writer too. Deleting a whole record
(a retention purge, a test database flush) stays possible: immutability is about edits.
"""

from __future__ import annotations

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER intake_stepanswer_update_locked BEFORE UPDATE ON intake_stepanswer
    WHEN (SELECT status FROM intake_screeningversion WHERE id = OLD.version_id) = 'submitted'
    BEGIN SELECT RAISE(ABORT, 'submitted screening versions are immutable'); END;
    """,
    """
    CREATE TRIGGER intake_stepanswer_insert_locked BEFORE INSERT ON intake_stepanswer
    WHEN (SELECT status FROM intake_screeningversion WHERE id = NEW.version_id) = 'submitted'
    BEGIN SELECT RAISE(ABORT, 'submitted screening versions are immutable'); END;
    """,
    """
    CREATE TRIGGER intake_version_update_locked BEFORE UPDATE ON intake_screeningversion
    WHEN OLD.status = 'submitted'
    BEGIN SELECT RAISE(ABORT, 'submitted screening versions are immutable'); END;
    """,
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "intake_stepanswer_update_locked",
        "intake_stepanswer_insert_locked",
        "intake_version_update_locked",
    )
]

POSTGRES = [
    """
    CREATE FUNCTION intake_answers_locked() RETURNS trigger AS $$
    DECLARE v_id bigint;
    BEGIN
        IF TG_OP = 'INSERT' THEN v_id := NEW.version_id; ELSE v_id := OLD.version_id; END IF;
        IF (SELECT status FROM intake_screeningversion WHERE id = v_id) = 'submitted' THEN
            RAISE EXCEPTION 'submitted screening versions are immutable' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER intake_stepanswer_locked BEFORE INSERT OR UPDATE ON intake_stepanswer
    FOR EACH ROW EXECUTE FUNCTION intake_answers_locked();
    """,
    """
    CREATE FUNCTION intake_version_locked() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'submitted' THEN RAISE EXCEPTION 'submitted screening versions are immutable' USING ERRCODE = 'integrity_constraint_violation'; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER intake_version_locked BEFORE UPDATE ON intake_screeningversion
    FOR EACH ROW EXECUTE FUNCTION intake_version_locked();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS intake_stepanswer_locked ON intake_stepanswer;",
    "DROP FUNCTION IF EXISTS intake_answers_locked();",
    "DROP TRIGGER IF EXISTS intake_version_locked ON intake_screeningversion;",
    "DROP FUNCTION IF EXISTS intake_version_locked();",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_screening")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]

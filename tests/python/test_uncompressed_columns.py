"""duckdb__create_table_as: columns a model names in meta duckdb_uncompressed_columns (issue 11).

DuckDB compresses strings with DICT_FSST, which costs unique hashes and UUIDs three to four
times the CPU of writing them as they are. The project's duckdb__create_table_as declares those
columns `using compression uncompressed`; these tests pin the DDL it writes, its errors, and that
the built warehouse stores the configured keys (and only those) uncompressed with the same
columns and types as before.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from dbt_invoke import invoke_dbt

pytestmark = pytest.mark.integration

QUERY = "select 'k' || cast(i as varchar) as key_id, i as n, 'same' as label from range(5000) as t (i)"


def _macro(uncompressed: str) -> str:
    """An inline query rendering the macro for a table t of QUERY, `uncompressed` as Jinja."""
    relation = 'api.Relation.create(identifier="t")'
    return f'{{{{ _create_table_with_uncompressed_columns({relation}, "{QUERY}", {uncompressed}) }}}}'


def _compile(tmp: Path, uncompressed: str) -> str:
    outcome = invoke_dbt(tmp, ["compile", "--inline", _macro(uncompressed)])
    assert outcome.success, outcome.exception
    (result,) = outcome.result.results
    return result.node.compiled_code


def test_named_columns_are_declared_uncompressed_and_filled_by_one_insert(tmp_path: Path) -> None:
    ddl = _compile(tmp_path, "['KEY_ID']")  # names match case-insensitively
    declared = dict(re.findall(r'^\s*"(\w+)" ([^,\n]+?),?$', ddl.split(");")[0], flags=re.MULTILINE))
    assert set(declared) == {"key_id", "n", "label"}
    assert declared["key_id"].endswith("using compression uncompressed")
    assert "compression" not in declared["n"] + declared["label"]
    assert ddl.count("insert into") == 1

    con = duckdb.connect()
    con.execute(ddl)
    assert con.execute("select count(*), count(distinct key_id), sum(n) from t").fetchone() == (5000, 5000, 12497500)
    con.execute("checkpoint")
    compression = dict(
        con.execute(
            "select column_name, string_agg(distinct compression) from pragma_storage_info('t') "
            "where segment_type = 'VARCHAR' group by column_name"
        ).fetchall()
    )
    assert compression["key_id"] == "Uncompressed"
    assert compression["label"] != "Uncompressed"


@pytest.mark.parametrize(
    ("uncompressed", "message"),
    [
        ("['key_id', 'nope']", "names columns the model does not have: nope"),
        ("'key_id'", "must be a list of column names"),
    ],
)
def test_misconfigured_lists_are_compile_errors(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], uncompressed: str, message: str
) -> None:
    outcome = invoke_dbt(tmp_path, ["compile", "--inline", _macro(uncompressed)])
    assert not outcome.success
    assert message in capfd.readouterr().out


CONFIGURED = {
    ("staging", "base_segment__pages"): {"page_view_id"},
    ("staging", "base_hubspot__email_event"): {"email_event_id"},
    ("intermediate", "int_web_sessions"): {"session_id"},
    ("intermediate", "int_identity_edges"): {"edge_id", "left_value", "right_value"},
    ("intermediate", "int_identifiers_resolved"): {"identifier_value"},
    ("intermediate", "int_people_resolved"): {"person_id", "email", "account_id"},
    ("intermediate", "int_people_milestones"): {"person_id", "account_id"},
    ("intermediate", "int_lead_score_fit"): {"person_id"},
    ("intermediate", "int_lead_score_events"): {"touchpoint_id", "person_id"},
    ("intermediate", "int_attribution_credits"): {"touchpoint_id"},
    ("marts", "dim_people"): {"person_id", "email_sha256", "account_id"},
    ("marts", "fct_web_sessions"): {"session_id"},
    ("marts", "fct_email_engagement"): {"email_send_id", "recipient_email_sha256"},
    ("marts", "fct_touchpoints"): {"touchpoint_id", "source_record_id", "person_id", "account_id"},
    ("marts", "fct_sales_activities"): {"activity_id", "person_id", "account_id", "salesforce_lead_id"},
    ("marts", "fct_attribution"): {"attribution_id", "touchpoint_id"},
    ("marts", "fct_leads"): {"lead_id", "person_id", "account_id"},
    ("marts", "fct_customer_journey"): {"person_id", "account_id"},
}


def test_warehouse_stores_the_configured_keys_uncompressed(small_clean_warehouse) -> None:
    for (schema, table), columns in CONFIGURED.items():
        ddl = small_clean_warehouse.one(
            "select sql from duckdb_tables() where schema_name = ? and table_name = ?", schema, table
        )
        declared = set(re.findall(r"(\w+) VARCHAR USING COMPRESSION Uncompressed", ddl, flags=re.IGNORECASE))
        assert declared == columns, f"{schema}.{table}: {ddl}"
        # a model that sets no list keeps dbt-duckdb's create table as
    plain = small_clean_warehouse.one(
        "select sql from duckdb_tables() where schema_name = 'marts' and table_name = 'dim_accounts'"
    )
    assert "compression" not in plain.lower()

"""Dirty data: faults injected into raw tables with ``--dirty-rate``, each listed in truth/faults.parquet.

Every faulty row carries exactly one fault, and every fault kind has one intended
disposition in staging, so quarantine and duplicate counts can be checked exactly:

| fault                | how it is injected                                   | staging should |
|----------------------|------------------------------------------------------|----------------|
| redelivery           | copy of a row, same key, later ``_fivetran_synced``  | dedupe (duplicate) |
| duplicate_event      | copy of an event, same message id, later load time   | dedupe (duplicate) |
| soft_deleted         | extra row with a new key, soft-delete flag true      | drop, count as soft-deleted |
| null_primary_key     | copy with the (first) key column NULL or blank       | quarantine: missing key |
| future_timestamp     | extra row, new key, its event time in 2099           | quarantine: future timestamp |
| negative_amount      | extra row, new key, a negative amount                | quarantine: negative amount |
| unknown_currency     | extra row, new key, currency code ``XXX``            | quarantine: unknown currency |
| orphan_foreign_key   | extra row, new key, a foreign key that matches none  | keep, flag orphan |
| malformed_email      | extra row, new key, an invalid email                 | keep, flag invalid email |
| email_case_padding   | in place: email upper-cased and/or padded            | normalise (no row effect) |
| test_record          | extra row, new key, test@example-style identity      | keep, flag test |
| internal_record      | extra row, new key, an employee (@lumenmetrics.io)   | keep, flag internal |
| bot_traffic          | page views of bot user agents                        | keep, flag bot; excluded from sessions |
| internal_traffic     | page views from the office network (10.20.x.x)       | keep, flag internal; excluded |
| extra_column         | an unknown column added to the table (row_key NULL)  | ignore the column |
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gtm import contract
from gtm.generate.vocab import COMPANY_DOMAIN

# share of a table's rows per fault kind, multiplied by the dirty rate
WEIGHTS = {
    "redelivery": 0.3,
    "duplicate_event": 0.2,
    "soft_deleted": 0.1,
    "null_primary_key": 0.05,
    "future_timestamp": 0.05,
    "negative_amount": 0.1,
    "unknown_currency": 0.1,
    "orphan_foreign_key": 0.1,
    "malformed_email": 0.05,
    "email_case_padding": 0.2,
    "test_record": 0.03,
    "internal_record": 0.03,
}
TIME_COLUMN = {
    "salesforce.account": "created_date",
    "salesforce.contact": "created_date",
    "salesforce.lead": "created_date",
    "salesforce.opportunity": "created_date",
    "salesforce.task": "created_date",
    "salesforce.event": "created_date",
    "salesforce.campaign_member": "created_date",
    "hubspot.contact": "property_createdate",
    "hubspot.email_event": "created",
    "stripe.invoice": "created",
    "segment.identifies": "timestamp",
    "segment.tracks": "timestamp",
}
AMOUNT_COLUMN = {
    "salesforce.opportunity": "amount",
    "stripe.invoice": "total",
    "stripe.invoice_line_item": "amount",
    "sales_ops.quota": "quota_amount",
    "sales_ops.gtm_cost": "amount",
}
CURRENCY_COLUMN = {
    "salesforce.opportunity": "currency_iso_code",
    "stripe.invoice": "currency",
    "sales_ops.gtm_cost": "currency_code",
}
ORPHAN_COLUMN = {
    "salesforce.contact": "account_id",
    "salesforce.task": "who_id",
    "salesforce.campaign_member": "campaign_id",
    "hubspot.email_event": "email_campaign_id",
}
EMAIL_COLUMN = {
    "hubspot.contact": "property_email",
    "salesforce.lead": "email",
    "salesforce.contact": "email",
    "segment.identifies": "email",
    "stripe.customer": "email",
}
IDENTITY_FAULT_TABLES = ("hubspot.contact", "salesforce.lead")  # malformed email, test and internal records
EXTRA_COLUMN_TABLES = {
    "salesforce.lead": "custom_territory_c",
    "hubspot.contact": "property_hs_persona",
    "stripe.invoice": "custom_po_number",
}
SEGMENT_TABLES = ("segment.tracks", "segment.identifies")  # pages are handled in web.PageWriter


def kinds_for(fqn: str) -> list[str]:
    spec = contract.table(fqn)
    single_key = len(spec.primary_key) == 1
    kinds = []
    if fqn in SEGMENT_TABLES or fqn == "hubspot.email_event":
        kinds.append("duplicate_event")
    elif "_fivetran_synced" in spec.column_names:
        kinds.append("redelivery")
    if spec.soft_delete and single_key:
        kinds.append("soft_deleted")
    kinds.append("null_primary_key")
    if single_key:
        for kind, table in (
            ("future_timestamp", TIME_COLUMN),
            ("negative_amount", AMOUNT_COLUMN),
            ("unknown_currency", CURRENCY_COLUMN),
            ("orphan_foreign_key", ORPHAN_COLUMN),
        ):
            if fqn in table:
                kinds.append(kind)
        if fqn in IDENTITY_FAULT_TABLES:
            kinds += ["malformed_email", "test_record", "internal_record"]
    if fqn in EMAIL_COLUMN:
        kinds.append("email_case_padding")
    return kinds


def _row_keys(spec: contract.Table, table: pa.Table) -> pa.Array:
    parts = [pc.cast(table[c], pa.string()) for c in spec.primary_key]
    if len(parts) == 1:
        return parts[0].combine_chunks() if isinstance(parts[0], pa.ChunkedArray) else parts[0]
    out = pc.binary_join_element_wise(*parts, "|")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _new_keys(arr: pa.Array, counter: np.ndarray) -> pa.Array:
    if pa.types.is_integer(arr.type):
        return pa.array(9_000_000_000_000 + counter, arr.type)
    head = pc.utf8_slice_codeunits(arr, 0, 3)
    tail = pc.utf8_lpad(pc.cast(pa.array(counter), pa.string()), 13, "0")
    return pc.binary_join_element_wise(head, pa.scalar("ZZ"), tail, "")


def _set(table: pa.Table, name: str, values) -> pa.Table:
    i = table.schema.get_field_index(name)
    typ = table.schema.field(i).type
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = (
            pa.array(values, typ)
            if isinstance(values, (list, np.ndarray))
            else pa.array([values] * table.num_rows, typ)
        )
    return table.set_column(i, name, values.cast(typ))


def inject(rng: np.random.Generator, fqn: str, table: pa.Table, rate: float) -> tuple[pa.Table, pa.Table]:
    """Return the table with faults and a (table, row_key, fault) listing of them."""
    empty = pa.table(
        {
            "table_name": pa.array([], pa.string()),
            "row_key": pa.array([], pa.string()),
            "fault": pa.array([], pa.string()),
        }
    )
    if rate <= 0 or table.num_rows == 0:
        return table, empty
    spec = contract.table(fqn)
    key = spec.primary_key[0]
    n = table.num_rows
    original = table
    additions: list[pa.Table] = []
    listing: list[tuple[pa.Array, str]] = []
    counter = 0
    for kind in kinds_for(fqn):
        k = int(round(rate * WEIGHTS[kind] * n))
        if k == 0:
            continue
        if kind == "email_case_padding":
            col = EMAIL_COLUMN[fqn]
            rows = rng.choice(n, size=min(k, n), replace=False)
            mask = np.zeros(n, bool)
            mask[rows] = ~pc.is_null(original[col]).to_numpy(zero_copy_only=False)[rows]
            emails = original[col].combine_chunks()
            upper = pc.utf8_upper(emails)
            padded = pc.binary_join_element_wise(pa.scalar("  "), pc.utf8_capitalize(emails), pa.scalar(" "), "")
            variant = pc.if_else(pa.array(rng.random(n) < 0.5), upper, padded)
            table = _set(table, col, pc.if_else(pa.array(mask), variant, emails))
            original = table
            listing.append((_row_keys(spec, table.filter(pa.array(mask))), kind))
            continue
        rows = rng.integers(0, n, k)
        copy = original.take(pa.array(rows))
        if kind == "redelivery":
            later = pc.add(
                copy["_fivetran_synced"],
                pa.array(rng.integers(1, 48, k) * 3_600_000_000, pa.int64()).cast(pa.duration("us")),
            )
            copy = _set(copy, "_fivetran_synced", later)
        elif kind == "duplicate_event":
            col = "uuid_ts" if fqn.startswith("segment.") else "_fivetran_synced"
            later = pc.add(copy[col], pa.array(np.full(k, 86_400_000_000), pa.int64()).cast(pa.duration("us")))
            copy = _set(copy, col, later)
        elif kind == "null_primary_key":
            if pa.types.is_string(copy.schema.field(key).type):
                blank = pc.if_else(pa.array(rng.random(k) < 0.5), pa.scalar(None, pa.string()), pa.scalar("  "))
                copy = _set(copy, key, pa.array(blank))
            else:
                copy = _set(copy, key, pa.nulls(k, copy.schema.field(key).type))
        else:
            copy = _set(copy, key, _new_keys(copy[key].combine_chunks(), counter + np.arange(k)))
            counter += k
            if kind == "soft_deleted":
                copy = _set(copy, spec.soft_delete, True)
            elif kind == "future_timestamp":
                when = np.datetime64("2099-01-01") + rng.integers(0, 365, k).astype("timedelta64[D]")
                copy = _set(copy, TIME_COLUMN[fqn], pa.array(when.astype("datetime64[us]")))
            elif kind == "negative_amount":
                col = AMOUNT_COLUMN[fqn]
                copy = _set(copy, col, pc.subtract(pc.negate(pc.abs(pc.fill_null(copy[col], 0))), 1))
            elif kind == "unknown_currency":
                copy = _set(copy, CURRENCY_COLUMN[fqn], "XXX")
            elif kind == "orphan_foreign_key":
                col = ORPHAN_COLUMN[fqn]
                copy = _set(
                    copy,
                    col,
                    _new_keys(
                        pc.fill_null(copy[col], "000000").combine_chunks()
                        if pa.types.is_string(copy.schema.field(col).type)
                        else copy[col].combine_chunks(),
                        5_000_000 + counter + np.arange(k),
                    ),
                )
            elif kind in ("malformed_email", "test_record", "internal_record"):
                col = EMAIL_COLUMN[fqn]
                number = pc.cast(pa.array(counter + np.arange(k)), pa.string())
                if kind == "malformed_email":
                    local = pc.replace_substring(
                        pc.fill_null(pc.utf8_slice_codeunits(copy[col].combine_chunks(), 0, 12), "someone"), "@", ""
                    )
                    shapes = [
                        pc.binary_join_element_wise(local, pa.scalar("@@"), number, pa.scalar(".com"), ""),
                        pc.binary_join_element_wise(local, number, pa.scalar(".example.com"), ""),
                        pc.binary_join_element_wise(pa.scalar("name "), number, pa.scalar("@acme"), ""),
                    ]
                    pick = rng.integers(0, 3, k)
                    value = pc.if_else(
                        pa.array(pick == 0), shapes[0], pc.if_else(pa.array(pick == 1), shapes[1], shapes[2])
                    )
                elif kind == "test_record":
                    value = pc.binary_join_element_wise(pa.scalar("test+"), number, pa.scalar("@example.com"), "")
                else:
                    value = pc.binary_join_element_wise(
                        pa.scalar("employee"), number, pa.scalar(f"@{COMPANY_DOMAIN}"), ""
                    )
                copy = _set(copy, col, value)
        additions.append(copy)
        listing.append((_row_keys(spec, copy), kind))
    if additions:
        table = pa.concat_tables([table, *additions])
    if fqn in EXTRA_COLUMN_TABLES:
        table = table.append_column(EXTRA_COLUMN_TABLES[fqn], pa.array(["n/a"] * table.num_rows, pa.string()))
        listing.append((pa.array([None], pa.string()), "extra_column"))
    faults = (
        pa.concat_tables(
            [
                pa.table(
                    {
                        "table_name": pa.array([fqn] * len(keys), pa.string()),
                        "row_key": keys.cast(pa.string()),
                        "fault": pa.array([kind] * len(keys), pa.string()),
                    }
                )
                for keys, kind in listing
            ]
        )
        if listing
        else empty
    )
    return table, faults

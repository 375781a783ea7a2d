"""`gtm generate`: a realistic B2B SaaS company's raw GTM data, deterministic, at any scale.

Output layout (what `gtm load` reads)::

    <out>/<source>/<table>.parquet          one file per raw table
    <out>/segment/pages/part-*.parquet      large event tables as part files
    <out>/truth/*.parquet                   ground truth for tests (not raw data)
    <out>/truth/summary.json                scale, seed, row counts

See docs of each module: crm (market, leads, opportunities), billing, marketing, web, faults.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace as NS

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from gtm import contract
from gtm.errors import BadInputError
from gtm.generate import billing as B
from gtm.generate import crm as C
from gtm.generate import faults as F
from gtm.generate import marketing as M
from gtm.generate import vocab as V
from gtm.generate import web as W
from gtm.generate.core import (
    DAY,
    HOUR,
    MINUTE,
    SCALES,
    Ctx,
    dt,
    hex_ids,
    ids,
    join,
    keep_freed_memory,
    null_where,
    num_str,
    pick,
    scale_of,
    to_table,
    ts,
    write_parquet,
    write_parquet_slices,
)
from gtm.generate.parallel import Background

__all__ = ["SCALES", "GenerateResult", "generate"]

ANON_CHUNK = 400_000  # anonymous visitors per page-view part file


@dataclass
class GenerateResult:
    out_dir: Path
    rows: dict[str, int]
    faults: int


# Salesforce id prefixes (the first three characters of real Salesforce ids)
SF = {
    "account": "0015g0",
    "contact": "0035g0",
    "lead": "00Q5g0",
    "opportunity": "0065g0",
    "user": "0055g0",
    "user_role": "00E5g0",
    "campaign": "7015g0",
    "campaign_member": "00v5g0",
    "task": "00T5g0",
    "event": "00U5g0",
    "lead_history": "0175g0",
    "opportunity_history": "0085g0",
}


def _never_mask(t: np.ndarray, t1: int) -> np.ndarray:
    return t >= t1


class Writer:
    """Builds each table in contract shape, injects faults, writes Parquet, counts rows."""

    def __init__(self, ctx: Ctx, progress: bool, total: int):
        self.ctx = ctx
        self.faults: list[pa.Table] = []
        self.bar = tqdm(total=total, desc="generate", unit="table", disable=not progress, leave=False)

    def emit(self, fqn: str, columns: dict | pa.Table) -> pa.Table:
        table = columns if isinstance(columns, pa.Table) else to_table(fqn, columns)
        if self.ctx.dirty_rate > 0:  # faults are injected into plain columns
            table = table.cast(pa.schema([f.with_type(_decoded(f.type)) for f in table.schema]))
        table, faults = F.inject(self.ctx.rng(f"faults:{fqn}"), fqn, table, self.ctx.dirty_rate)
        source, name = fqn.split(".")
        spec = contract.table(fqn)
        unique = spec.primary_key if len(spec.primary_key) == 1 else ()
        write_parquet(table, self.ctx.out_dir / source / f"{name}.parquet", unique=unique)
        self.ctx.rows[fqn] = table.num_rows
        if faults.num_rows:
            self.faults.append(faults)
        self.bar.update(1)
        self.bar.set_postfix_str(fqn)
        return table

    def emit_slices(self, fqn: str, columns: Callable[[int, int], dict], n: int) -> None:
        """Like :meth:`emit` for a large table whose columns ``columns(lo, hi)`` builds SLICE_ROWS rows at a
        time: written slice by slice when no faults are injected (only one slice in memory), else whole."""
        slices = (to_table(fqn, columns(lo, min(lo + SLICE_ROWS, n))) for lo in range(0, max(n, 1), SLICE_ROWS))
        if self.ctx.dirty_rate > 0:
            self.emit(fqn, pa.concat_tables(slices))
            return
        source, name = fqn.split(".")
        spec = contract.table(fqn)
        unique = spec.primary_key if len(spec.primary_key) == 1 else ()
        self.ctx.rows[fqn] = write_parquet_slices(slices, self.ctx.out_dir / source / f"{name}.parquet", unique)
        self.bar.update(1)
        self.bar.set_postfix_str(fqn)


SLICE_ROWS = 1_000_000  # rows per slice of a table written slice by slice (one row group each)


def _decoded(typ: pa.DataType) -> pa.DataType:
    return typ.value_type if pa.types.is_dictionary(typ) else typ


def synced(rng, when: np.ndarray, t1: int) -> np.ndarray:
    """Connector sync time: some hours after the row last changed, never after history ends + 6h."""
    return np.minimum(when + rng.integers(HOUR, 8 * HOUR, len(when)), t1 + 6 * HOUR)


def generate(
    out_dir: Path,
    scale: str = "medium",
    seed: int = 42,
    dirty_rate: float = 0.0,
    as_of: date = date(2025, 12, 31),
    progress: bool = True,
) -> GenerateResult:
    if not 0 <= dirty_rate <= 0.5:
        raise BadInputError(f"--dirty-rate must be between 0 and 0.5, got {dirty_rate}")
    sc = scale_of(scale)
    out_dir = Path(out_dir)
    if out_dir.exists():
        for sub in [*contract.SOURCES, "truth"]:
            shutil.rmtree(out_dir / sub, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = Ctx(out_dir=out_dir, scale=sc, seed=seed, dirty_rate=dirty_rate, as_of=as_of)
    keep_freed_memory()
    w = Writer(ctx, progress, total=len(contract.TABLES))
    truth = out_dir / "truth"
    truth.mkdir(parents=True, exist_ok=True)

    # ---- the market and the motion
    acc = C.make_accounts(ctx)
    reps = C.make_reps(ctx)
    people = C.make_people(ctx, acc)
    camps = M.make_crm_campaigns(ctx)
    life = C.lifecycle(ctx, people, reps, camps)
    conv = C.opportunities(ctx, acc, people, life, reps)
    opp = conv.opp
    bill = B.make_billing(ctx, acc, opp)
    email = M.make_email(ctx, people, life)
    regs = M.webinar_registrations(ctx, people, life, camps)
    ads = M.make_ad_campaigns(ctx)
    acts = M.sales_activities(ctx, people, life, opp)
    fx = _fx(ctx)
    sessions, devices = W.person_sessions(ctx, people, life, email, ads)

    # ---- page views (most of the rows) in child processes, while this one writes the other tables
    web = _start_pages(ctx, people, life, ads, email, sessions, devices)
    try:
        # ---- strings shared by several tables
        acc_s = _account_strings(acc)
        ppl_s = _people_strings(ctx, people, acc, acc_s)
        crm_acc = _crm_accounts(ctx, acc, people, life, conv)

        _write_salesforce(ctx, w, acc, acc_s, crm_acc, reps, people, ppl_s, life, conv, camps, regs, acts)
        _write_hubspot(ctx, w, people, ppl_s, life, conv, email, regs)
        _write_segment(ctx, w, people, ppl_s, life, sessions, devices, web.visitors)
        mrr = _write_stripe(ctx, w, acc, acc_s, crm_acc, people, ppl_s, opp, bill, fx)
        _write_sales_ops(ctx, w, reps, opp, fx, camps)
        _write_fx(ctx, w, fx)
        w.bar.set_postfix_str("segment.pages")
        pages = [job.result() for job in web.jobs]
    finally:
        for job in web.jobs:
            job.cancel()
    ctx.rows["segment.pages"] = sum(p.pages for p in pages)
    ctx.rows["segment.tracks"] += sum(p.tracks for p in pages)
    w.bar.update(1)
    _write_ads(ctx, w, ads, sum(p.landed for p in pages))
    w.bar.close()

    # ---- ground truth
    _write_truth(ctx, truth, acc, acc_s, crm_acc, people, ppl_s, life, conv, bill, devices, fx, mrr)
    faults = (
        pa.concat_tables(w.faults)
        if w.faults
        else pa.table(
            {
                "table_name": pa.array([], pa.string()),
                "row_key": pa.array([], pa.string()),
                "fault": pa.array([], pa.string()),
            }
        )
    )
    page_faults = sorted((truth / "web_faults").glob("*.parquet")) if (truth / "web_faults").exists() else []
    if page_faults:
        pf = pq.read_table(page_faults)
        faults = pa.concat_tables(
            [
                faults,
                pa.table(
                    {
                        "table_name": pa.array(["segment.pages"] * pf.num_rows, pa.string()),
                        "row_key": pf["row_key"],
                        "fault": pf["fault"],
                    }
                ),
            ]
        )
    shutil.rmtree(truth / "web_faults", ignore_errors=True)
    pq.write_table(faults, truth / "faults.parquet")
    summary = {
        "scale": sc.name,
        "seed": seed,
        "dirty_rate": dirty_rate,
        "as_of_date": as_of.isoformat(),
        "rows": dict(sorted(ctx.rows.items())),
        "raw_rows": int(sum(ctx.rows.values())),
        "faults": faults.num_rows,
    }
    (truth / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return GenerateResult(out_dir=out_dir, rows=dict(ctx.rows), faults=faults.num_rows)


# =============================================================================== strings


def _account_strings(acc: NS) -> NS:
    a = pick(V.COMPANY_WORDS_A, acc.word_a)
    b = pick(V.COMPANY_WORDS_B, acc.word_b)
    cycle = acc.cycle
    num = pc.if_else(pa.array(cycle > 0), pc.cast(pa.array(cycle + 1), pa.string()), pa.scalar(""))
    space_num = pc.if_else(pa.array(cycle > 0), join(" ", num), pa.scalar(""))
    name = join(a, " ", b, space_num, " ", pick(V.COMPANY_SUFFIX, acc.suffix))
    tld = pick([c[3] for c in V.COUNTRIES], acc.country)
    domain = join(pc.utf8_lower(a), pc.utf8_lower(b), num, ".", tld)
    return NS(name=name, domain=domain)


def _people_strings(ctx: Ctx, people: NS, acc: NS, acc_s: NS) -> NS:
    first = pick(V.FIRST_NAMES, people.first)
    last = pick(V.LAST_NAMES, people.last)
    # company emails first.last@domain; namesakes at one company get a number
    key = (people.account.astype(np.int64) * len(V.FIRST_NAMES) + people.first) * len(V.LAST_NAMES) + people.last
    key = np.where(people.free_mail, -1 - np.arange(people.n), key)
    order = np.argsort(key, kind="stable")
    sk = key[order]
    new_group = np.r_[True, sk[1:] != sk[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(sk)), 0))
    ordinal = np.empty(people.n, np.int64)
    ordinal[order] = np.arange(len(sk)) - group_start
    suffix = pc.if_else(pa.array(ordinal > 0), pc.cast(pa.array(ordinal + 1), pa.string()), pa.scalar(""))
    free_suffix = pc.cast(pa.array(people.first_touch % 997 + people.account % 89 * 1000), pa.string())
    suffix = pc.if_else(pa.array(people.free_mail), free_suffix, suffix)
    domain = pc.if_else(
        pa.array(people.free_mail),
        pick(V.FREE_MAIL_DOMAINS, people.free_domain),
        acc_s.domain.take(pa.array(people.account)),
    )
    email = join(pc.utf8_lower(first), ".", pc.utf8_lower(last), suffix, "@", domain)
    dept = pick(V.DEPARTMENTS, people.department)
    templates = np.asarray(V.TITLE_TEMPLATES, dtype=object)[people.seniority, people.title_variant]
    tmpl = pa.array(templates.astype(str).tolist(), pa.string()) if people.n else pa.array([], pa.string())
    title = _fill_title(tmpl, dept)
    phone = join("+1-555-", pc.utf8_lpad(num_str(people.first_touch % 9_000_000 + 1_000_000), 7, "0"))
    return NS(
        first=first,
        last=last,
        email=email,
        title=title,
        phone=phone,
        domain=domain,
        company=acc_s.name.take(pa.array(people.account)),
    )


def _fill_title(tmpl: pa.Array, dept: pa.Array) -> pa.Array:
    parts = pc.split_pattern(tmpl, "{d}")
    head = pc.list_element(parts, 0)
    has_d = pc.greater(pc.list_value_length(parts), 1)
    tail = pc.if_else(
        has_d, pc.list_element(pc.if_else(has_d, parts, pa.array([["", ""]] * len(tmpl))), 1), pa.scalar("")
    )
    return pc.if_else(has_d, join(head, dept, tail), head)


def _crm_accounts(ctx: Ctx, acc: NS, people: NS, life: NS, conv: NS) -> NS:
    """Accounts present in the CRM: imported targets, plus those created at a first lead conversion."""
    first_conv = np.full(acc.n, C.NEVER, dtype=np.int64)
    converted = life.sql < C.NEVER
    np.minimum.at(first_conv, people.account[converted], life.sql[converted])
    created = np.minimum(acc.early_created, first_conv)
    in_crm = created < ctx.t1
    sf_id = null_where(ids(SF["account"], np.arange(acc.n) + 1), ~in_crm)
    return NS(in_crm=in_crm, created=created, sf_id=sf_id)


# =============================================================================== salesforce


def _write_salesforce(ctx, w, acc, acc_s, crm_acc, reps, people, ppl_s, life, conv, camps, regs, acts):
    rng = ctx.rng("sf_tables")
    t1 = ctx.t1
    opp = conv.opp
    # ---- users and roles
    role_names = ("VP Sales", "Sales Manager", "Account Executive", "SDR Manager", "SDR", "Marketing", "System")
    role_keys = []  # (role code, team)
    for r, t in zip(reps.role, reps.team, strict=True):
        if (r, t) not in role_keys:
            role_keys.append((r, t))
    role_keys = sorted(role_keys, key=lambda x: (x[0], x[1]))
    role_index = {k: i for i, k in enumerate(role_keys)}
    role_name = [role_names[r] + (f" - {V.TEAMS[t]}" if t >= 0 else "") for r, t in role_keys]
    parent = []
    for r, t in role_keys:
        if r in (1, 3, 5, 6):
            parent.append(role_index.get((0, -1), -1) if r != 0 else -1)
        elif r == 2:
            parent.append(role_index[(1, t)])
        elif r == 4:
            parent.append(role_index[(3, -1)])
        else:
            parent.append(-1)
    parent = np.asarray(parent)
    role_ids = ids(SF["user_role"], np.arange(len(role_keys)) + 1)
    w.emit(
        "salesforce.user_role",
        {
            "id": role_ids,
            "name": pa.array(role_name),
            "developer_name": pa.array([n.replace(" - ", "_").replace(" ", "_") for n in role_name]),
            "parent_role_id": null_where(role_ids.take(pa.array(np.maximum(parent, 0))), parent < 0),
            "_fivetran_deleted": False,
            "_fivetran_synced": ts(np.full(len(role_keys), t1 - 3 * HOUR)),
        },
    )
    user_ids = ids(SF["user"], np.arange(reps.n) + 1)
    first = pick(V.FIRST_NAMES, reps.first)
    last = pick(V.LAST_NAMES, reps.last)
    ukey = np.asarray([role_index[(r, t)] for r, t in zip(reps.role, reps.team, strict=True)])
    is_system = reps.role == 6
    titles = np.asarray(role_names)[reps.role]
    w.emit(
        "salesforce.user",
        {
            "id": user_ids,
            "name": pc.if_else(pa.array(is_system), pa.scalar("Integration User"), join(first, " ", last)),
            "first_name": null_where(first, is_system),
            "last_name": pc.if_else(pa.array(is_system), pa.scalar("Integration"), last),
            "email": join(
                pc.utf8_lower(first), ".", pc.utf8_lower(last), num_str(np.arange(reps.n)), "@", V.COMPANY_DOMAIN
            ),
            "title": pa.array(titles.tolist()),
            "department": pa.array(np.where(reps.role == 5, "Marketing", np.where(is_system, "IT", "Sales")).tolist()),
            "user_role_id": role_ids.take(pa.array(ukey)),
            "manager_id": null_where(user_ids.take(pa.array(np.maximum(reps.manager, 0))), reps.manager < 0),
            "is_active": reps.leave >= t1,
            "created_date": ts(reps.hire),
            "_fivetran_deleted": False,
            "_fivetran_synced": ts(np.where(reps.leave < t1, reps.leave + DAY, t1 - 2 * HOUR)),
        },
    )
    system_user = int(np.flatnonzero(is_system)[0])

    # ---- accounts
    a_idx = np.flatnonzero(crm_acc.in_crm)
    owner_pools = [(acc.segment[a_idx] == t, np.flatnonzero((reps.role == 2) & (reps.team == t))) for t in range(3)]
    a_owner = C.pick_active(rng, reps, crm_acc.created[a_idx], owner_pools)
    website_style = rng.integers(0, 4, len(a_idx))
    dom = acc_s.domain.take(pa.array(a_idx))
    website = pc.if_else(
        pa.array(website_style == 0),
        join("https://www.", dom, "/"),
        pc.if_else(
            pa.array(website_style == 1),
            join("www.", dom),
            pc.if_else(pa.array(website_style == 2), join("http://", dom), dom),
        ),
    )
    website = null_where(website, rng.random(len(a_idx)) < 0.03)
    customer = conv.customer_since[a_idx] < t1
    w.emit(
        "salesforce.account",
        {
            "id": crm_acc.sf_id.take(pa.array(a_idx)),
            "name": acc_s.name.take(pa.array(a_idx)),
            "website": website,
            "industry": pick(V.INDUSTRIES, acc.industry[a_idx]),
            "number_of_employees": acc.employees[a_idx],
            "annual_revenue": acc.revenue[a_idx],
            "billing_country": pick([c[0] for c in V.COUNTRIES], acc.country[a_idx]),
            "type": pa.array(np.where(customer, "Customer", "Prospect").tolist()),
            "owner_id": user_ids.take(pa.array(a_owner)),
            "created_date": ts(crm_acc.created[a_idx]),
            "is_deleted": False,
            "_fivetran_synced": ts(
                synced(rng, np.maximum(crm_acc.created[a_idx], np.where(customer, conv.customer_since[a_idx], 0)), t1)
            ),
        },
    )

    # ---- leads
    lead_p = np.flatnonzero(life.sf_lead_created < t1)
    L = {k: getattr(life, k)[lead_p] for k in ("sal", "sql", "unqualified", "nurture", "sdr", "sf_lead_created")}
    converted = L["sql"] < t1
    status = np.select(
        [converted, L["unqualified"] < t1, L["nurture"] < t1, L["sal"] < t1],
        ["Qualified", "Unqualified", "Nurturing", "Working"],
        "Open",
    )
    lead_source = np.asarray([V.LEAD_SOURCE[c] for c in V.CHANNELS])[people.channel[lead_p]]
    worked = L["sal"] < t1
    lead_owner = np.where(worked | (people.motion[lead_p] == 2), L["sdr"], system_user)
    contact_id = ids(SF["contact"], np.arange(people.n) + 1)
    opp_ids = ids(SF["opportunity"], np.arange(opp.n) + 1)
    p_opp = conv.person_opp[lead_p]
    a_of = people.account[lead_p]
    w.emit(
        "salesforce.lead",
        {
            "id": ids(SF["lead"], lead_p + 1),
            "first_name": ppl_s.first.take(pa.array(lead_p)),
            "last_name": ppl_s.last.take(pa.array(lead_p)),
            "email": ppl_s.email.take(pa.array(lead_p)),
            "company": ppl_s.company.take(pa.array(lead_p)),
            "title": ppl_s.title.take(pa.array(lead_p)),
            "phone": null_where(ppl_s.phone.take(pa.array(lead_p)), rng.random(len(lead_p)) < 0.4),
            "industry": null_where(pick(V.INDUSTRIES, acc.industry[a_of]), rng.random(len(lead_p)) < 0.2),
            "number_of_employees": null_where(
                pa.array(acc.employees[a_of], pa.int64()), rng.random(len(lead_p)) < 0.25
            ),
            "country": pick([c[0] for c in V.COUNTRIES], acc.country[a_of]),
            "lead_source": pa.array(lead_source.tolist()),
            "status": pa.array(status.tolist()),
            "unqualified_reason_c": pick(
                V.UNQUALIFIED_REASONS, np.where(L["unqualified"] < t1, life.unq_reason[lead_p], -1)
            ),
            "owner_id": user_ids.take(pa.array(lead_owner)),
            "is_converted": converted,
            "converted_date": dt(L["sql"], ~converted),
            "converted_account_id": null_where(crm_acc.sf_id.take(pa.array(a_of)), ~converted),
            "converted_contact_id": null_where(contact_id.take(pa.array(lead_p)), ~converted),
            "converted_opportunity_id": null_where(
                opp_ids.take(pa.array(np.maximum(p_opp, 0))), ~converted | (p_opp < 0)
            ),
            "created_date": ts(L["sf_lead_created"]),
            "is_deleted": False,
            "_fivetran_synced": ts(
                synced(
                    rng,
                    np.max(
                        np.where(
                            np.stack([L["sal"], L["sql"], L["unqualified"], L["nurture"]]) < t1,
                            np.stack([L["sal"], L["sql"], L["unqualified"], L["nurture"]]),
                            0,
                        ),
                        axis=0,
                    ).clip(L["sf_lead_created"]),
                    t1,
                )
            ),
        },
    )

    # ---- lead history: created, owner assignment, status changes
    hist = []
    lid = np.arange(len(lead_p))
    hist.append((lid, L["sf_lead_created"], "created", None, None, np.full(len(lid), system_user)))
    inbound_worked = worked & (people.motion[lead_p] != 2)
    hist.append(
        (
            lid[inbound_worked],
            L["sal"][inbound_worked] - 60,
            "Owner",
            "Integration User",
            "SDR",
            np.full(inbound_worked.sum(), system_user),
        )
    )
    hist.append((lid[worked], L["sal"][worked], "Status", "Open", "Working", L["sdr"][worked]))
    for col, new in (("sql", "Qualified"), ("unqualified", "Unqualified"), ("nurture", "Nurturing")):
        m = L[col] < t1
        hist.append((lid[m], L[col][m], "Status", "Working", new, L["sdr"][m]))
    h_lead = np.concatenate([h[0] for h in hist])
    h_time = np.concatenate([h[1] for h in hist])
    h_field = pa.array(np.concatenate([np.full(len(h[0]), h[2], dtype=object) for h in hist]).tolist(), pa.string())
    h_old = pa.array(np.concatenate([np.full(len(h[0]), h[3], dtype=object) for h in hist]).tolist(), pa.string())
    h_new = pa.array(np.concatenate([np.full(len(h[0]), h[4], dtype=object) for h in hist]).tolist(), pa.string())
    h_by = np.concatenate([h[5] for h in hist])
    # the owner value names the SDR: replace the placeholder with the SDR's user id
    h_new = pc.if_else(pc.equal(h_new, "SDR"), user_ids.take(pa.array(L["sdr"][h_lead])), h_new)
    h_old = pc.if_else(pc.equal(h_old, "Integration User"), user_ids[system_user], h_old)
    order = np.lexsort((h_time, h_lead))
    w.emit(
        "salesforce.lead_history",
        {
            "id": ids(SF["lead_history"], np.arange(len(h_lead)) + 1),
            "lead_id": ids(SF["lead"], lead_p[h_lead[order]] + 1),
            "field": h_field.take(pa.array(order)),
            "old_value": h_old.take(pa.array(order)),
            "new_value": h_new.take(pa.array(order)),
            "created_by_id": user_ids.take(pa.array(h_by[order])),
            "created_date": ts(h_time[order]),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, h_time[order], t1)),
        },
    )

    # ---- contacts (converted leads)
    c_p = np.flatnonzero(life.sql < t1)
    c_owner = np.where(conv.person_opp[c_p] >= 0, opp.owner[np.maximum(conv.person_opp[c_p], 0)], life.sdr[c_p])
    w.emit(
        "salesforce.contact",
        {
            "id": contact_id.take(pa.array(c_p)),
            "account_id": crm_acc.sf_id.take(pa.array(people.account[c_p])),
            "first_name": ppl_s.first.take(pa.array(c_p)),
            "last_name": ppl_s.last.take(pa.array(c_p)),
            "email": ppl_s.email.take(pa.array(c_p)),
            "title": ppl_s.title.take(pa.array(c_p)),
            "phone": ppl_s.phone.take(pa.array(c_p)),
            "lead_source": pa.array(np.asarray([V.LEAD_SOURCE[c] for c in V.CHANNELS])[people.channel[c_p]].tolist()),
            "owner_id": user_ids.take(pa.array(c_owner)),
            "created_date": ts(life.sql[c_p]),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, life.sql[c_p], t1)),
        },
    )

    # ---- opportunities and their stage log
    closed = opp.close < t1
    entered = opp.entry < t1
    cur_stage = np.where(closed, np.where(opp.won, 5, 6), entered.sum(axis=1) - 1)
    stage_names = pick(V.STAGES, cur_stage)
    prob = np.asarray(V.STAGE_PROBABILITY, float)[cur_stage]
    event_camp = life.event_campaign[opp.person]
    camp_ids = ids(SF["campaign"], np.arange(camps.n) + 1)
    amount = opp.amount_minor / 100.0
    names = join(
        acc_s.name.take(pa.array(opp.account)),
        " - ",
        pick(V.PLANS, opp.plan),
        " ",
        pa.array(np.where(opp.annual, "annual", "monthly").tolist()),
    )
    w.emit(
        "salesforce.opportunity",
        {
            "id": opp_ids,
            "account_id": crm_acc.sf_id.take(pa.array(opp.account)),
            "name": names,
            "type": "New Business",
            "stage_name": stage_names,
            "amount": amount,
            "currency_iso_code": pick(V.CURRENCIES, opp.currency),
            "probability": prob,
            "forecast_category": pick(V.FORECAST_CATEGORY, cur_stage),
            "close_date": dt(opp.close),
            "is_closed": closed,
            "is_won": closed & opp.won,
            "loss_reason_c": pick(V.LOSS_REASONS, np.where(closed & ~opp.won, opp.lost_reason, -1)),
            "lead_source": pick([V.LEAD_SOURCE[c] for c in V.CHANNELS], people.channel[opp.person]),
            "campaign_id": null_where(camp_ids.take(pa.array(np.maximum(event_camp, 0))), event_camp < 0),
            "owner_id": user_ids.take(pa.array(opp.owner)),
            "created_date": ts(opp.created),
            "is_deleted": False,
            "_fivetran_synced": ts(
                synced(rng, np.where(closed, opp.close, np.max(np.where(entered, opp.entry, 0), axis=1)), t1)
            ),
        },
    )
    o_idx, s_idx = np.nonzero(entered)
    o_time = opp.entry[o_idx, s_idx]
    fin = np.flatnonzero(closed)
    o_idx = np.concatenate([o_idx, fin])
    s_idx = np.concatenate([s_idx, np.where(opp.won[fin], 5, 6)])
    o_time = np.concatenate([o_time, opp.close[fin]])
    order = np.lexsort((o_time, o_idx))
    o_idx, s_idx, o_time = o_idx[order], s_idx[order], o_time[order]
    w.emit(
        "salesforce.opportunity_history",
        {
            "id": ids(SF["opportunity_history"], np.arange(len(o_idx)) + 1),
            "opportunity_id": opp_ids.take(pa.array(o_idx)),
            "stage_name": pick(V.STAGES, s_idx),
            "amount": amount[o_idx],
            "probability": np.asarray(V.STAGE_PROBABILITY, float)[s_idx],
            "close_date": dt(opp.close[o_idx]),
            "created_by_id": user_ids.take(pa.array(opp.owner[o_idx])),
            "created_date": ts(o_time),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, o_time, t1)),
        },
    )

    # ---- CRM campaigns and members
    kind_name = np.asarray(["Webinar", "Trade Show", "Partner"])[camps.kind]
    day_str = pa.array(np.asarray((camps.start // DAY).astype("datetime64[D]")).astype(str).tolist())
    topic = pick(V.BLOG_SLUGS, np.arange(camps.n) % len(V.BLOG_SLUGS))
    topic = pc.utf8_replace_slice(topic, 0, 6, "")
    partner_name = pick(V.PARTNERS, np.where(camps.kind == 2, np.arange(camps.n) - np.argmax(camps.kind == 2), 0))
    cname = pc.if_else(
        pa.array(camps.kind == 2),
        join("Partner: ", partner_name),
        join(pa.array(kind_name.tolist()), ": ", topic, " ", day_str),
    )
    w.emit(
        "salesforce.campaign",
        {
            "id": camp_ids,
            "name": cname,
            "type": pa.array(kind_name.tolist()),
            "status": pa.array(np.where(camps.end < t1, "Completed", "In Progress").tolist()),
            "start_date": dt(camps.start),
            "end_date": dt(camps.end),
            "is_active": camps.end >= t1,
            "budgeted_cost": np.round(camps.cost * 1.1, 2),
            "actual_cost": null_where(pa.array(camps.cost, pa.float64()), camps.end >= t1),
            "created_date": ts(camps.start - 30 * DAY),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, np.minimum(camps.end, t1 - 8 * HOUR), t1)),
        },
    )
    ev_p = np.flatnonzero(life.event_campaign >= 0)
    ev_p = ev_p[life.sf_lead_created[ev_p] < t1]
    m_person = np.concatenate([ev_p, regs.person])
    m_camp = np.concatenate([life.event_campaign[ev_p], regs.campaign])
    m_created = np.concatenate([life.sf_lead_created[ev_p], regs.registered])
    m_resp = np.concatenate([np.ones(len(ev_p), bool), regs.attended])
    m_resp_t = np.concatenate([life.first_touch[ev_p], regs.attended_at])
    m_status = np.where(m_resp, "Attended", "Registered")
    as_contact = life.sql[m_person] < m_created
    keep = m_created < t1
    m_resp = m_resp & (m_resp_t < t1)
    w.emit(
        "salesforce.campaign_member",
        {
            "id": ids(SF["campaign_member"], np.arange(keep.sum()) + 1),
            "campaign_id": camp_ids.take(pa.array(m_camp[keep])),
            "lead_id": null_where(ids(SF["lead"], m_person[keep] + 1), as_contact[keep]),
            "contact_id": null_where(contact_id.take(pa.array(m_person[keep])), ~as_contact[keep]),
            "status": pa.array(np.where(m_resp, m_status, "Registered")[keep].tolist()),
            "has_responded": m_resp[keep],
            "first_responded_date": dt(m_resp_t[keep], ~m_resp[keep]),
            "created_date": ts(m_created[keep]),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, np.where(m_resp, np.maximum(m_resp_t, m_created), m_created)[keep], t1)),
        },
    )

    # ---- tasks (SDR on leads, AE on opportunities) and events (AE meetings)
    sdr = acts.sdr
    ae = acts.ae_tasks
    ae_person = opp.person[ae.opp]
    who = pa.concat_arrays([ids(SF["lead"], sdr.person + 1), contact_id.take(pa.array(ae_person))])
    what = pa.concat_arrays([pa.nulls(len(sdr.person), pa.string()), opp_ids.take(pa.array(ae.opp))])
    t_acc = pa.concat_arrays(
        [pa.nulls(len(sdr.person), pa.string()), crm_acc.sf_id.take(pa.array(opp.account[ae.opp]))]
    )
    kind = np.concatenate([sdr.kind, ae.kind])
    when = np.concatenate([sdr.time, ae.time])
    subject_call = np.where(np.concatenate([sdr.first, np.zeros(len(ae.opp), bool)]), "Intro call", "Follow-up call")
    subject = np.where(kind == 0, subject_call, "Email: follow up")
    w.emit(
        "salesforce.task",
        {
            "id": ids(SF["task"], np.arange(len(kind)) + 1),
            "who_id": who,
            "what_id": what,
            "account_id": t_acc,
            "owner_id": user_ids.take(pa.array(np.concatenate([sdr.owner, opp.owner[ae.opp]]))),
            "subject": pa.array(subject.tolist()),
            "type": pa.array(np.where(kind == 0, "Call", "Email").tolist()),
            "task_subtype": pa.array(np.where(kind == 0, "Call", "Email").tolist()),
            "status": "Completed",
            "activity_date": dt(when),
            "created_date": ts(when),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, when, t1)),
        },
    )
    mt = acts.meetings
    w.emit(
        "salesforce.event",
        {
            "id": ids(SF["event"], np.arange(len(mt.opp)) + 1),
            "who_id": contact_id.take(pa.array(opp.person[mt.opp])),
            "what_id": opp_ids.take(pa.array(mt.opp)),
            "account_id": crm_acc.sf_id.take(pa.array(opp.account[mt.opp])),
            "owner_id": user_ids.take(pa.array(opp.owner[mt.opp])),
            "subject": pa.array(np.where(mt.demo, "Product demo", "Meeting").tolist()),
            "type": pa.array(np.where(mt.demo, "Demo", "Meeting").tolist()),
            "start_date_time": ts(mt.time),
            "end_date_time": ts(mt.time + mt.duration * MINUTE),
            "duration_in_minutes": mt.duration,
            "created_date": ts(np.maximum(mt.time - 3 * DAY, opp.created[mt.opp])),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, mt.time + mt.duration * MINUTE, t1)),
        },
    )


# =============================================================================== hubspot


def _write_hubspot(ctx, w, people, ppl_s, life, conv, email, regs):
    rng = ctx.rng("hubspot_tables")
    t1 = ctx.t1
    hp = np.flatnonzero(life.in_hubspot & (life.hubspot_created < t1))
    hs_id = 100_001 + np.arange(people.n)
    opp = conv.opp
    opp_created = np.full(people.n, C.NEVER, dtype=np.int64)
    won_at = np.full(people.n, C.NEVER, dtype=np.int64)
    has = conv.person_opp >= 0
    opp_created[has] = opp.created[conv.person_opp[has]]
    wins = has & opp.won[np.maximum(conv.person_opp, 0)] & (opp.close[np.maximum(conv.person_opp, 0)] < t1)
    won_at[wins] = opp.close[conv.person_opp[wins]]
    stages = [
        ("lead", life.hubspot_created),
        ("marketingqualifiedlead", life.map_mql),
        ("salesqualifiedlead", life.sql),
        ("opportunity", opp_created),
        ("customer", won_at),
    ]
    current = np.full(people.n, "lead", dtype=object)
    for name, when in stages[1:]:
        current = np.where(when < t1, name, current)
    source = np.asarray([V.HS_SOURCE[c] for c in V.CHANNELS])[people.channel]
    w.emit(
        "hubspot.contact",
        {
            "id": hs_id[hp],
            "property_email": ppl_s.email.take(pa.array(hp)),
            "property_firstname": ppl_s.first.take(pa.array(hp)),
            "property_lastname": ppl_s.last.take(pa.array(hp)),
            "property_company": ppl_s.company.take(pa.array(hp)),
            "property_jobtitle": ppl_s.title.take(pa.array(hp)),
            "property_lifecyclestage": pa.array(current[hp].tolist(), pa.string()),
            "property_hs_analytics_source": pa.array(source[hp].tolist()),
            "property_hs_analytics_source_data_1": pick([f[0] for f in V.FORMS], life.form[hp]),
            "property_hs_lifecyclestage_marketingqualifiedlead_date": ts(life.map_mql[hp], life.map_mql[hp] >= t1),
            "property_createdate": ts(life.hubspot_created[hp]),
            "_fivetran_deleted": False,
            "_fivetran_synced": ts(synced(rng, np.full(len(hp), t1 - 8 * HOUR), t1)),
        },
    )
    # lifecycle history: each stage reached, at its time (a stage never repeats a timestamp of the contact)
    h_c, h_t, h_v = [], [], []
    for k, (name, when) in enumerate(stages):
        m = when[hp] < t1
        h_c.append(hp[m])
        h_t.append(np.maximum(when[hp][m], life.hubspot_created[hp][m]) + k)
        h_v.append(np.full(m.sum(), name, dtype=object))
    h_c, h_t, h_v = np.concatenate(h_c), np.concatenate(h_t), np.concatenate(h_v)
    order = np.lexsort((h_t, h_c))
    w.emit(
        "hubspot.contact_property_history",
        {
            "contact_id": hs_id[h_c[order]],
            "name": "lifecyclestage",
            "value": pa.array(h_v[order].tolist()),
            "timestamp": ts(h_t[order]),
            "source": pa.array(np.where(h_v[order] == "lead", "FORM", "CRM_UI").tolist()),
            "_fivetran_synced": ts(synced(rng, h_t[order], t1)),
        },
    )
    # email campaigns and events
    kinds = np.asarray(V.EMAIL_CAMPAIGN_KINDS)[email.kind]
    cname = email_campaign_names(email)  # one per campaign (~150), not per row
    camp_id = 3_000_001 + np.arange(email.n_campaigns) * 17
    w.emit(
        "hubspot.email_campaign",
        {
            "id": camp_id,
            "app_name": "Batch",
            "name": pa.array(cname),
            "subject": pa.array([f"{k}: news from Lumen Metrics" for k in kinds]),
            "type": pa.array(np.where(kinds == "Nurture - Guide", "AUTOMATED", "BATCH").tolist()),
            "content_id": camp_id + 5,
            "_fivetran_synced": ts(synced(rng, email.send_times, t1)),
        },
    )
    ev = email.events
    types = ("SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "UNSUBSCRIBE")
    slugs = pa.array([W.slug(n) for n in cname])
    campaign_urls = join(V.SITE, "/blog/saas-metrics-guide?utm_source=hubspot&utm_medium=email&utm_campaign=", slugs)
    # only clicks carry a URL: a dictionary array materialises the strings of click rows alone
    ev_synced = synced(rng, ev.time, t1)
    id_rng = ctx.rng("email_event_ids")
    sent_by = num_str(camp_id * 31 + 7)

    def event_slice(lo: int, hi: int) -> dict:
        campaign = ev.campaign[lo:hi]
        return {
            "id": hex_ids(id_rng, hi - lo),
            "type": W.encoded(ev.type[lo:hi], pa.array(types)),
            "created": ts(ev.time[lo:hi]),
            "recipient": ppl_s.email.take(pa.array(ev.person[lo:hi])),
            "email_campaign_id": camp_id[campaign],
            "sent_by_id": W.encoded(campaign, sent_by),
            "url": W.encoded(campaign, campaign_urls, ev.type[lo:hi] != 3),  # only clicks carry a URL
            "_fivetran_synced": ts(ev_synced[lo:hi]),
        }

    w.emit_slices("hubspot.email_event", event_slice, len(ev.type))
    # form submissions: the identifying form of inbound people, and webinar registrations
    inbound = np.flatnonzero((people.motion == 0) & (life.identify < t1))
    reg_hs = life.in_hubspot[regs.person] & (regs.registered < t1)
    f_person = np.concatenate([inbound, regs.person[reg_hs]])
    f_form = np.concatenate([life.form[inbound], np.full(reg_hs.sum(), 3)])
    f_time = np.concatenate([life.identify[inbound], regs.registered[reg_hs]])
    forms = V.FORMS
    w.emit(
        "hubspot.contact_form_submission",
        {
            "conversion_id": hex_ids(ctx.rng("form_ids"), len(f_person)),
            "contact_id": hs_id[f_person],
            "form_id": pick([f[2] for f in forms], f_form),
            "title": pick([f[0] for f in forms], f_form),
            "page_url": join(V.SITE, pick([f[1] for f in forms], f_form)),
            "timestamp": ts(f_time),
            "_fivetran_synced": ts(synced(rng, f_time, t1)),
        },
    )
    email.campaign_names = cname


# =============================================================================== segment


def email_campaign_names(email: NS) -> list[str]:
    """Campaign names (one per email campaign, ~150), as HubSpot shows them: '<kind> - <send day>'."""
    kinds = np.asarray(V.EMAIL_CAMPAIGN_KINDS)[email.kind]
    day_str = np.asarray((email.send_times // DAY).astype("datetime64[D]")).astype(str)
    return [f"{k} - {d}" for k, d in zip(kinds, day_str, strict=True)]


def _page_writer(ctx: Ctx, ads: NS, email_names: list[str]) -> W.PageWriter:
    out = ctx.out_dir / "segment"
    truth = ctx.out_dir / "truth"
    return W.PageWriter(
        ctx, ads, email_names, out / "pages", out / "tracks", truth / "web_sessions", truth / "web_faults"
    )


PERSON_CHUNK = 1_000_000  # person sessions per page-view part file


def _start_pages(ctx: Ctx, people: NS, life: NS, ads: NS, email: NS, sessions: NS, devices: NS) -> NS:
    """Start writing segment.pages in two child processes: one writes the known people's sessions and then
    the first anonymous chunks, the other the remaining anonymous chunks (it plans the chunks before its
    own to number their sessions). Part files, session ids and visitor numbers are fixed by the chunk, so
    the output does not depend on the split or on which process finishes first."""
    email_names = email_campaign_names(email)
    n_dev = len(devices.person)
    signs_up = (life.form == 4) & (people.motion == 0)
    visitors = W.visitor_table(
        np.arange(n_dev),
        hex_ids(ctx.rng("anonymous_ids:people"), n_dev),
        devices.ua,
        devices.ip,
        identified_from=devices.identified,
        user=np.where(signs_up[devices.person], devices.person, -1),
        user_ids=join("usr_", hex_ids(ctx.rng("user_ids"), people.n, 6, False)),
        person=devices.person,
        person_keys=join("P", pc.utf8_lpad(num_str(np.arange(people.n) + 1), 7, "0")),
    )
    n_chunks = -(-ctx.scale.anonymous_visitors // ANON_CHUNK)
    split = _split_anonymous_chunks(ctx, len(sessions.start), n_chunks)
    jobs = [
        Background(_write_pages_first, ctx, ads, email_names, sessions, visitors, split),
        Background(write_anonymous_pages, ctx, ads, email_names, n_dev, len(sessions.start), split, n_chunks),
    ]
    return NS(jobs=jobs, visitors=visitors)


def _split_anonymous_chunks(ctx: Ctx, person_sessions: int, n_chunks: int) -> int:
    """How many anonymous chunks the person-page process writes, so that both page processes get about the
    same work (in sessions; planning a chunk only to count its sessions costs about an eighth of writing it)."""
    per_chunk = [min(ANON_CHUNK, ctx.scale.anonymous_visitors - j * ANON_CHUNK) * 1.8 for j in range(n_chunks)]

    def cost(m: int) -> float:
        return max(person_sessions + sum(per_chunk[:m]), sum(per_chunk[:m]) / 8 + sum(per_chunk[m:]))

    return min(range(n_chunks + 1), key=cost)


def _write_pages_first(ctx: Ctx, ads: NS, email_names: list[str], sessions: NS, visitors: NS, chunks: int) -> NS:
    person = write_person_pages(ctx, ads, email_names, sessions, visitors)
    anonymous = write_anonymous_pages(ctx, ads, email_names, len(visitors.visitor), person.sessions, 0, chunks)
    return NS(
        landed=person.landed + anonymous.landed,
        pages=person.pages + anonymous.pages,
        tracks=person.tracks + anonymous.tracks,
    )


def write_person_pages(ctx: Ctx, ads: NS, email_names: list[str], sessions: NS, visitors: NS) -> NS:
    """segment.pages (and CTA tracks, truth sessions, page faults) of known people's sessions: session ids
    from 0, part files from 0, PERSON_CHUNK sessions each."""
    writer = _page_writer(ctx, ads, email_names)
    sid = 0
    for part, lo in enumerate(range(0, len(sessions.start), PERSON_CHUNK)):
        chunk = W.NS(**{k: getattr(sessions, k)[lo : lo + PERSON_CHUNK] for k in vars(sessions)})
        sid += writer.write(chunk, visitors, sid, ctx.dirty_rate, part)
    return NS(landed=writer.landed, pages=writer.rows_pages, tracks=writer.rows_tracks, sessions=sid)


def write_anonymous_pages(
    ctx: Ctx, ads: NS, email_names: list[str], first_visitor: int, first_session_id: int, start: int, stop: int
) -> NS:
    """segment.pages (and CTA tracks, truth sessions, page faults) of the anonymous visitors of chunks
    start..stop-1 (ANON_CHUNK visitors each). Visitor numbers, session ids and part numbers follow the known
    people's: the chunks before ``start`` are planned to count their sessions, not written."""
    writer = _page_writer(ctx, ads, email_names)
    person_parts = -(-first_session_id // PERSON_CHUNK)
    sid = first_session_id
    offset = first_visitor
    for j in range(stop):
        lo = j * ANON_CHUNK
        hi = min(lo + ANON_CHUNK, ctx.scale.anonymous_visitors)
        s, d = W.anonymous_sessions(ctx, ads, lo, hi, offset)
        n = hi - lo
        if ctx.dirty_rate > 0:  # bots and the office network: extra visitors with their own sessions
            s, extra = _add_dirty_visitors(ctx, ctx.rng(f"dirty_visitor_plan:{lo}"), ads, s, lo, offset + n)
        if j >= start:
            visitor = offset + np.arange(n)
            anonymous_id = hex_ids(ctx.rng(f"anonymous_ids:{lo}"), n)
            ua, ip = d.ua, d.ip
            if ctx.dirty_rate > 0:
                visitor = np.concatenate([visitor, extra.visitor])
                anonymous_id = pa.concat_arrays([anonymous_id, extra.anonymous_id])
                ua, ip = np.concatenate([ua, extra.ua]), np.concatenate([ip, extra.ip])
            vis = W.visitor_table(visitor, anonymous_id, ua, ip)
            writer.write(s, vis, sid, ctx.dirty_rate, person_parts + j)
        sid += len(s.start)
        offset += n + 1000
    return NS(landed=writer.landed, pages=writer.rows_pages, tracks=writer.rows_tracks, sessions=sid)


def _write_segment(ctx, w, people, ppl_s, life, sessions, devices, visitors) -> None:
    """segment.identifies and the form tracks (the page views and CTA tracks come from the page writers)."""
    rng = ctx.rng("segment_tables")
    t1 = ctx.t1
    out = ctx.out_dir / "segment"
    anon_ids = visitors.anonymous_id
    signs_up = (life.form == 4) & (people.motion == 0)
    user_id = null_where(visitors.user_ids, ~signs_up)
    # identify calls: one per identified device, plus re-identifications on some later visits
    idev = np.flatnonzero(devices.identified < t1)
    re_idx = np.flatnonzero(
        (sessions.start > devices.identified[sessions.visitor]) & (rng.random(len(sessions.start)) < 0.08)
    )
    i_dev = np.concatenate([idev, sessions.visitor[re_idx]])
    i_time = np.concatenate([devices.identified[idev], sessions.start[re_idx] + 20])
    i_person = devices.person[i_dev]
    identifies = {
        "id": join("ajs-", hex_ids(ctx.rng("identify_ids"), len(i_dev), 16, False)),
        "anonymous_id": anon_ids.take(pa.array(i_dev)),
        "user_id": user_id.take(pa.array(i_person)),
        "email": ppl_s.email.take(pa.array(i_person)),
        "first_name": ppl_s.first.take(pa.array(i_person)),
        "last_name": ppl_s.last.take(pa.array(i_person)),
        "company": ppl_s.company.take(pa.array(i_person)),
        "timestamp": ts(i_time),
        "received_at": ts(i_time + 1),
        "context_user_agent": pick(V.USER_AGENTS, devices.ua[i_dev]),
        "uuid_ts": ts(i_time - i_time % HOUR + HOUR),
    }
    w.emit("segment.identifies", identifies)
    # form tracks: the identifying form fill (plus demo/sign-up events)
    inbound = np.flatnonzero((people.motion == 0) & (life.identify < t1))
    dev0 = (np.cumsum(people.n_devices) - people.n_devices)[inbound]
    form = life.form[inbound]
    extra = np.isin(form, (0, 4))
    t_dev = np.concatenate([dev0, dev0[extra]])
    t_time = np.concatenate([life.identify[inbound], life.identify[inbound][extra] + 2])
    t_event = np.concatenate([np.zeros(len(inbound), int), np.where(form[extra] == 0, 1, 2)])
    t_form = np.concatenate([form, form[extra]])
    t_person = devices.person[t_dev]
    page = pick([f[1] for f in V.FORMS], t_form)
    tracks = to_table(
        "segment.tracks",
        {
            "id": join("ajs-", hex_ids(ctx.rng("track_ids"), len(t_dev), 16, False)),
            "anonymous_id": anon_ids.take(pa.array(t_dev)),
            "user_id": null_where(user_id.take(pa.array(t_person)), t_form != 4),
            "event": pick(("form_submitted", "demo_requested", "signed_up"), t_event),
            "event_text": pick(("Form Submitted", "Demo Requested", "Signed Up"), t_event),
            "timestamp": ts(t_time),
            "received_at": ts(t_time + 1),
            "context_page_url": join(V.SITE, page),
            "context_page_path": page,
            "context_user_agent": pick(V.USER_AGENTS, devices.ua[t_dev]),
            "uuid_ts": ts(t_time - t_time % HOUR + HOUR),
        },
    )
    tracks, faults = F.inject(ctx.rng("faults:segment.tracks"), "segment.tracks", tracks, ctx.dirty_rate)
    if faults.num_rows:
        w.faults.append(faults)
    (out / "tracks").mkdir(parents=True, exist_ok=True)
    write_parquet(tracks, out / "tracks" / "part-forms.parquet")
    ctx.rows["segment.tracks"] = tracks.num_rows  # + the CTA tracks of the page writers
    w.bar.update(1)


def _add_dirty_visitors(ctx, rng, ads, s, lo, next_visitor):
    """Bots crawling many pages and employees browsing from the office: flagged, not real demand."""
    n_bad = max(1, int(round(len(s.start) * ctx.dirty_rate * 0.05)))
    start = ctx.t0 + (rng.random(n_bad) * (ctx.t1 - ctx.t0 - DAY)).astype(np.int64)
    bot = np.where(rng.random(n_bad) < 0.6, 1, 2)
    channel = np.full(n_bad, V.CH["direct"])
    landing = np.full(n_bad, V.PAGE_INDEX["/"])
    extra = W._sessions(
        visitor=next_visitor + np.arange(n_bad),
        start=start,
        n_pages=rng.integers(1, 12, n_bad),
        gap=rng.integers(2, 30, n_bad),
        channel=channel,
        landing=landing,
        bot=bot,
    )
    merged = W.NS(**{k: np.concatenate([getattr(s, k), getattr(extra, k)]) for k in vars(s)})
    ip = W._not_office(rng.integers(1 << 24, 223 << 24, n_bad))
    ip = np.where(bot == 2, (10 << 24) + (20 << 16) + rng.integers(0, 65536, n_bad), ip)
    ua = np.where(
        bot == 1,
        len(V.USER_AGENTS) + rng.integers(0, len(V.BOT_USER_AGENTS), n_bad),
        rng.integers(0, len(V.USER_AGENTS), n_bad),
    )
    visitors = NS(
        visitor=next_visitor + np.arange(n_bad),
        anonymous_id=hex_ids(ctx.rng(f"dirty_visitors:{lo}"), n_bad),
        ua=ua,
        ip=ip,
    )
    return merged, visitors


# =============================================================================== ads


def _write_ads(ctx, w, ads, landed):
    rng = ctx.rng("ads_tables")
    t1 = ctx.t1
    stats = M.ad_stats(ctx, ads, landed)
    account_id = {"google_ads": 1_234_567_890, "linkedin_ads": 508_123_456, "facebook_ads": 1_010_000_555_123}
    # accounts
    w.emit(
        "google_ads.account_history",
        {
            "id": [account_id["google_ads"]],
            "updated_at": ts(np.array([ctx.t0 - 400 * DAY])),
            "descriptive_name": ["Lumen Metrics - Search"],
            "currency_code": ["USD"],
            "time_zone": ["Etc/UTC"],
            "_fivetran_synced": ts(np.array([t1 - 2 * HOUR])),
        },
    )
    w.emit(
        "linkedin_ads.account_history",
        {
            "id": [account_id["linkedin_ads"]],
            "last_modified_time": ts(np.array([ctx.t0 - 380 * DAY])),
            "name": ["Lumen Metrics"],
            "currency": ["USD"],
            "status": ["ACTIVE"],
            "_fivetran_synced": ts(np.array([t1 - 2 * HOUR])),
        },
    )
    w.emit(
        "facebook_ads.account_history",
        {
            "id": [account_id["facebook_ads"]],
            "_fivetran_id": ["acc_1"],
            "name": ["Lumen Metrics EU"],
            "currency": ["EUR"],
            "account_status": ["ACTIVE"],
            "updated_time": ts(np.array([ctx.t0 - 390 * DAY])),
            "_fivetran_synced": ts(np.array([t1 - 2 * HOUR])),
        },
    )
    # campaign versions: created (enabled) and, once over, paused
    for p, platform in enumerate(V.AD_PLATFORMS):
        c = np.flatnonzero(ads.platform == p)
        ended = ads.end[c] < t1
        v_c = np.concatenate([c, c[ended]])
        v_t = np.concatenate([ads.start[c] - DAY, ads.end[c][ended]])
        v_status = np.concatenate([np.zeros(len(c), int), np.ones(ended.sum(), int)])
        name = pa.array(ads.name[v_c].tolist())
        sync = ts(synced(rng, v_t, t1))
        if platform == "google_ads":
            w.emit(
                "google_ads.campaign_history",
                {
                    "id": ads.ext_id[v_c],
                    "updated_at": ts(v_t),
                    "customer_id": account_id[platform],
                    "name": name,
                    "status": pick(("ENABLED", "PAUSED"), v_status),
                    "advertising_channel_type": "SEARCH",
                    "start_date": dt(ads.start[v_c]),
                    "end_date": dt(ads.end[v_c]),
                    "_fivetran_synced": sync,
                },
            )
        elif platform == "linkedin_ads":
            w.emit(
                "linkedin_ads.campaign_history",
                {
                    "id": ads.ext_id[v_c],
                    "last_modified_time": ts(v_t),
                    "account_id": account_id[platform],
                    "name": name,
                    "status": pick(("ACTIVE", "PAUSED"), v_status),
                    "type": "SPONSORED_UPDATES",
                    "cost_type": "CPC",
                    "created_time": ts(ads.start[v_c] - DAY),
                    "_fivetran_synced": sync,
                },
            )
        else:
            w.emit(
                "facebook_ads.campaign_history",
                {
                    "id": ads.ext_id[v_c],
                    "updated_time": ts(v_t),
                    "account_id": account_id[platform],
                    "name": name,
                    "status": pick(("ACTIVE", "PAUSED"), v_status),
                    "objective": "LEAD_GENERATION",
                    "start_time": ts(ads.start[v_c]),
                    "stop_time": ts(ads.end[v_c]),
                    "_fivetran_synced": sync,
                },
            )
        m = ads.platform[stats.campaign] == p
        day = ctx.t0 + stats.day[m] * DAY
        cid = ads.ext_id[stats.campaign[m]]
        sync = ts(synced(rng, day + DAY, t1))
        if platform == "google_ads":
            w.emit(
                "google_ads.campaign_stats",
                {
                    "id": cid,
                    "date": dt(day),
                    "customer_id": account_id[platform],
                    "cost_micros": np.round(stats.spend[m] * 1_000_000).astype(np.int64),
                    "impressions": stats.impressions[m],
                    "clicks": stats.clicks[m],
                    "conversions": stats.conversions[m].astype(float),
                    "conversions_value": stats.conversions[m] * 50.0,
                    "_fivetran_synced": sync,
                },
            )
        elif platform == "linkedin_ads":
            w.emit(
                "linkedin_ads.ad_analytics_by_campaign",
                {
                    "campaign_id": cid,
                    "day": dt(day),
                    "cost_in_local_currency": stats.spend[m],
                    "impressions": stats.impressions[m],
                    "clicks": stats.clicks[m],
                    "external_website_conversions": stats.conversions[m],
                    "_fivetran_synced": sync,
                },
            )
        else:
            w.emit(
                "facebook_ads.basic_campaign",
                {
                    "campaign_id": cid,
                    "date": dt(day),
                    "account_id": account_id[platform],
                    "spend": stats.spend[m],
                    "impressions": stats.impressions[m],
                    "inline_link_clicks": stats.clicks[m],
                    "reach": np.round(stats.impressions[m] * 0.7).astype(np.int64),
                    "_fivetran_synced": sync,
                },
            )
    ctx._ad_stats = stats


# =============================================================================== stripe


def _write_stripe(ctx, w, acc, acc_s, crm_acc, people, ppl_s, opp, bill, fx):
    rng = ctx.rng("stripe_tables")
    t1 = ctx.t1
    cust = bill.cust
    cus_ids = join("cus_", hex_ids(ctx.rng("customer_ids"), cust.n, 7, False))
    meta = pc.if_else(
        pa.array(cust.has_metadata),
        join('{"salesforce_account_id": "', crm_acc.sf_id.take(pa.array(cust.account)), '"}'),
        pa.scalar("{}"),
    )
    billing_email = pc.if_else(
        pa.array(people.free_mail[opp.person[cust.opp]]),
        join("billing@", acc_s.domain.take(pa.array(cust.account))),
        ppl_s.email.take(pa.array(opp.person[cust.opp])),
    )
    w.emit(
        "stripe.customer",
        {
            "id": cus_ids,
            "email": billing_email,
            "name": acc_s.name.take(pa.array(cust.account)),
            "description": None,
            "currency": pc.utf8_lower(pick(V.CURRENCIES, cust.currency)),
            "metadata": meta,
            "created": ts(cust.created),
            "delinquent": False,
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, cust.created, t1)),
        },
    )
    # prices: plan x interval x currency
    plan, interval, cur = np.meshgrid(np.arange(3), np.arange(2), np.arange(3), indexing="ij")
    plan, interval, cur = plan.ravel(), interval.ravel(), cur.ravel()
    monthly = np.asarray(V.PLAN_MONTHLY)[plan, cur]
    unit = np.where(interval == 1, 12 * np.round(monthly * V.ANNUAL_DISCOUNT).astype(np.int64), monthly)
    price_ids = join(
        "price_",
        pick(V.PLANS, plan),
        "_",
        pick(("monthly", "annual"), interval),
        "_",
        pc.utf8_lower(pick(V.CURRENCIES, cur)),
    )
    w.emit(
        "stripe.price",
        {
            "id": price_ids,
            "product_id": join("prod_", pc.utf8_lower(pick(V.PLANS, plan))),
            "nickname": join(
                pick(V.PLANS, plan), " (", pick(("monthly", "annual"), interval), ", ", pick(V.CURRENCIES, cur), ")"
            ),
            "currency": pc.utf8_lower(pick(V.CURRENCIES, cur)),
            "unit_amount": unit,
            "recurring_interval": pick(("month", "year"), interval),
            "recurring_interval_count": 1,
            "active": True,
            "created": ts(np.full(len(plan), ctx.t0 - 500 * DAY)),
            "is_deleted": False,
            "_fivetran_synced": ts(np.full(len(plan), t1 - 5 * HOUR)),
        },
    )
    subs, ver, inv = bill.subs, bill.versions, bill.invoices
    s_cust = subs.customer
    s_price = (cust.plan[s_cust] * 2 + subs.annual.astype(int)) * 3 + cust.currency[s_cust]
    sub_ids = join("sub_", hex_ids(ctx.rng("subscription_ids"), len(s_cust), 7, False))
    # versions: _fivetran_end = next version's start; only versions that began within history are known
    known = ver.start < t1
    vs = NS(**{k: v[known] for k, v in vars(ver).items()})
    nxt = np.r_[vs.sub[1:] == vs.sub[:-1], False]
    v_end = np.where(nxt, np.r_[vs.start[1:], 0], C.NEVER)
    period_months = np.where(subs.annual[vs.sub], 12, 1)
    # current period of each version: the last anniversary at or before the version start
    k = np.maximum(0, _months_between(subs.start[vs.sub], vs.start) // period_months) * period_months
    p_start = B.add_months(subs.start[vs.sub], k)
    p_end = B.add_months(subs.start[vs.sub], k + period_months)
    status = np.where(vs.status == 1, "canceled", "active")
    w.emit(
        "stripe.subscription_history",
        {
            "id": sub_ids.take(pa.array(vs.sub)),
            "_fivetran_start": ts(vs.start),
            "_fivetran_end": ts(v_end, ~nxt),
            "_fivetran_active": ~nxt,
            "customer_id": cus_ids.take(pa.array(s_cust[vs.sub])),
            "status": pa.array(status.tolist()),
            "plan_id": price_ids.take(pa.array(s_price[vs.sub])),
            "quantity": vs.seats,
            "start_date": ts(subs.start[vs.sub]),
            "current_period_start": ts(p_start),
            "current_period_end": ts(p_end),
            "cancel_at_period_end": vs.cancel_at_period_end,
            "canceled_at": ts(vs.canceled_at, vs.canceled_at >= C.NEVER),
            "ended_at": ts(vs.ended_at, vs.ended_at >= C.NEVER),
            "created": ts(subs.start[vs.sub]),
            "metadata": "{}",
            "_fivetran_synced": ts(synced(rng, vs.start, t1)),
        },
    )
    # subscription items: the current price and quantity of each subscription
    last = np.flatnonzero(~nxt)
    w.emit(
        "stripe.subscription_item",
        {
            "id": join("si_", hex_ids(ctx.rng("item_ids"), len(last), 7, False)),
            "subscription_id": sub_ids.take(pa.array(vs.sub[last])),
            "price_id": price_ids.take(pa.array(s_price[vs.sub[last]])),
            "quantity": vs.seats[last],
            "created": ts(subs.start[vs.sub[last]]),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, vs.start[last], t1)),
        },
    )
    # invoices, one line each
    ok = inv.start < t1
    iv = NS(**{k: v[ok] for k, v in vars(inv).items()})
    unit_amount = unit[s_price[iv.sub]]
    total = iv.seats * unit_amount
    i_end = B.add_months(iv.start, iv.months)
    inv_ids = join("in_", hex_ids(ctx.rng("invoice_ids"), len(iv.sub), 8, False))
    i_cur = pc.utf8_lower(pick(V.CURRENCIES, cust.currency[s_cust[iv.sub]]))
    w.emit(
        "stripe.invoice",
        {
            "id": inv_ids,
            "customer_id": cus_ids.take(pa.array(s_cust[iv.sub])),
            "subscription_id": sub_ids.take(pa.array(iv.sub)),
            "number": join("LM-", pc.utf8_lpad(num_str(np.arange(len(iv.sub)) + 1), 7, "0")),
            "status": "paid",
            "currency": i_cur,
            "subtotal": total,
            "total": total,
            "amount_paid": total,
            "period_start": ts(iv.start),
            "period_end": ts(i_end),
            "created": ts(iv.start),
            "due_date": ts(iv.start + 30 * DAY),
            "is_deleted": False,
            "_fivetran_synced": ts(synced(rng, iv.start + 2 * DAY, t1)),
        },
    )
    w.emit(
        "stripe.invoice_line_item",
        {
            "id": join("il_", hex_ids(ctx.rng("line_ids"), len(iv.sub), 8, False)),
            "invoice_id": inv_ids,
            "subscription_id": sub_ids.take(pa.array(iv.sub)),
            "price_id": price_ids.take(pa.array(s_price[iv.sub])),
            "description": join(num_str(iv.seats), " × ", pick(V.PLANS, cust.plan[s_cust[iv.sub]]), " seat"),
            "amount": total,
            "currency": i_cur,
            "quantity": iv.seats,
            "period_start": ts(iv.start),
            "period_end": ts(i_end),
            "proration": False,
            "_fivetran_synced": ts(synced(rng, iv.start + 2 * DAY, t1)),
        },
    )
    # MRR per version in minor units (for truth): seats x unit / months per period
    return NS(
        sub=vs.sub,
        start=vs.start,
        end=v_end,
        status=vs.status,
        mrr_minor=vs.seats * unit[s_price[vs.sub]] // np.where(subs.annual[vs.sub], 12, 1),
        customer=s_cust[vs.sub],
        cus_ids=cus_ids,
        currency=cust.currency[s_cust[vs.sub]],
        sub_ids=sub_ids,
    )


def _months_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whole calendar months from a to b (b's day-of-month and time must have passed a's)."""
    da = (a // DAY).astype("datetime64[D]")
    db = (b // DAY).astype("datetime64[D]")
    months = (db.astype("datetime64[M]") - da.astype("datetime64[M]")).astype(np.int64)
    back = B.add_months(a, months) > b
    return months - back


# =============================================================================== sales ops, finance


def _write_sales_ops(ctx, w, reps, opp, fx, camps):
    rng = ctx.rng("sales_ops_tables")
    t1 = ctx.t1
    starts = C.fiscal_quarter_start_months(ctx)
    q_lo = np.searchsorted(starts, ctx.t0, side="right") - 1
    q_hi = np.searchsorted(starts, t1 - 1, side="right") - 1
    quarters = np.arange(q_lo, q_hi + 1)
    closed_won = opp.won & (opp.close < t1)
    rate = fx_rate_at(fx, opp.currency, opp.close)
    usd = np.round(opp.amount_minor / 100.0 * rate, 2)
    q_of = np.searchsorted(starts, opp.close, side="right") - 1
    aes = np.flatnonzero(reps.role == 2)
    rows = {"rep": [], "q": [], "quota": []}
    for q in quarters:
        qs, qe = starts[q], starts[q + 1]
        active = aes[(reps.hire[aes] < qe - 30 * DAY) & (reps.leave[aes] > qs + 30 * DAY)]
        for t in range(3):
            team = active[reps.team[active] == t]
            if len(team) == 0:
                continue
            team_bookings = usd[closed_won & (q_of == q) & (reps.team[opp.owner] == t)].sum()
            base = max(team_bookings / len(team), 20_000.0) * rng.uniform(1.05, 1.3)
            quota = np.round(base * rng.uniform(0.85, 1.15, len(team)), -3)
            rows["rep"] += team.tolist()
            rows["q"] += [q] * len(team)
            rows["quota"] += quota.tolist()
    rep, q = np.asarray(rows["rep"]), np.asarray(rows["q"])
    q_start = starts[q]
    # fiscal year is named by the calendar year in which it ends (FY2025 = Feb 2024 .. Jan 2025)
    month_idx = (q_start // DAY).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    fiscal_month0 = (month_idx - 1) % 12  # months since February (start month 2)
    fiscal_year = (month_idx - 1) // 12 + 1970 + 1
    user_ids = ids(SF["user"], np.arange(reps.n) + 1)
    w.emit(
        "sales_ops.quota",
        {
            "_row": np.arange(len(rep)) + 2,
            "rep_id": user_ids.take(pa.array(rep)),
            "fiscal_year": fiscal_year,
            "fiscal_quarter": fiscal_month0 // 3 + 1,
            "quota_amount": np.asarray(rows["quota"]),
            "currency_code": "USD",
            "_fivetran_synced": ts(np.full(len(rep), t1 - 4 * HOUR)),
        },
    )
    # monthly non-media costs: salaries by headcount, tools, events (CRM campaign costs), agency
    months = np.arange(
        np.datetime64(ctx.t0 // DAY, "D").astype("datetime64[M]"),
        np.datetime64((t1 - 1) // DAY, "D").astype("datetime64[M]") + 1,
    )
    m_start = months.astype("datetime64[D]").astype("datetime64[s]").astype(np.int64)
    m_end = (months + 1).astype("datetime64[D]").astype("datetime64[s]").astype(np.int64)

    def head(roles: tuple[int, ...]) -> np.ndarray:
        return np.asarray(
            [
                ((np.isin(reps.role, roles)) & (reps.hire < e) & (reps.leave > s)).sum()
                for s, e in zip(m_start, m_end, strict=True)
            ]
        )

    ev_cost = np.asarray(
        [
            camps.cost[(camps.kind < 2) & (camps.start >= s) & (camps.start < e)].sum()
            for s, e in zip(m_start, m_end, strict=True)
        ]
    )
    nm = len(months)
    lines = [
        ("marketing", "salaries", 6 * 9_500 * rng.uniform(0.97, 1.03, nm) * (1 + np.arange(nm) / nm)),
        ("marketing", "tools", 4_000 + 50 * np.arange(nm) + rng.uniform(0, 500, nm)),
        ("marketing", "events", ev_cost),
        ("marketing", "agency", rng.uniform(5_000, 15_000, nm)),
        ("sales", "salaries", head((0, 1, 2, 3, 4)) * 11_000 * rng.uniform(0.97, 1.03, nm)),
        ("sales", "tools", head((0, 1, 2, 3, 4)) * 250.0 + 1_500),
    ]
    g_month = np.concatenate([months for _ in lines])
    g_team = np.concatenate([np.full(nm, t, dtype=object) for t, _, _ in lines])
    g_cat = np.concatenate([np.full(nm, c, dtype=object) for _, c, _ in lines])
    g_amount = np.round(np.concatenate([v for _, _, v in lines]), 2)
    w.emit(
        "sales_ops.gtm_cost",
        {
            "_row": np.arange(len(g_month)) + 2,
            "month": pa.array(g_month.astype("datetime64[D]")),
            "team": pa.array(g_team.tolist()),
            "category": pa.array(g_cat.tolist()),
            "amount": g_amount,
            "currency_code": "USD",
            "_fivetran_synced": ts(np.full(len(g_month), t1 - 4 * HOUR)),
        },
    )


def _fx(ctx: Ctx) -> NS:
    rng = ctx.rng("fx")
    days = np.arange(ctx.t0 // DAY - 400, ctx.t1 // DAY)
    eur = 1.08 * np.exp(np.cumsum(rng.normal(0, 0.0035, len(days))))
    gbp = 1.26 * np.exp(np.cumsum(rng.normal(0, 0.003, len(days))))
    return NS(days=days, rates=np.vstack([np.ones(len(days)), np.round(eur, 6), np.round(gbp, 6)]))


def fx_rate_at(fx: NS, currency: np.ndarray, when: np.ndarray) -> np.ndarray:
    """USD per unit of currency (0 USD, 1 EUR, 2 GBP) on the UTC day of ``when``."""
    idx = np.clip(when // DAY - fx.days[0], 0, len(fx.days) - 1)
    return fx.rates[currency, idx]


def _write_fx(ctx, w, fx):
    n = len(fx.days)
    days = np.concatenate([fx.days, fx.days])
    w.emit(
        "finance.fx_rate",
        {
            "rate_date": pa.array(days.astype("datetime64[D]")),
            "from_currency": pa.array(["EUR"] * n + ["GBP"] * n),
            "to_currency": "USD",
            "rate": np.concatenate([fx.rates[1], fx.rates[2]]),
            "_fivetran_synced": ts(days * DAY + DAY + 2 * HOUR),
        },
    )


# =============================================================================== truth


def _write_truth(ctx, truth, acc, acc_s, crm_acc, people, ppl_s, life, conv, bill, devices, fx, mrr):
    t1 = ctx.t1
    opp = conv.opp
    n = people.n
    # first opportunity on the person's account created after the person's lead, and its milestones
    o_order = np.lexsort((opp.created, opp.account))
    o_acc, o_created = opp.account[o_order], opp.created[o_order]
    opp_at = np.full(n, C.NEVER, dtype=np.int64)
    proposal_at = np.full(n, C.NEVER, dtype=np.int64)
    won_at = np.full(n, C.NEVER, dtype=np.int64)
    first_opp = np.full(n, -1)
    key = o_acc.astype(np.float64) * 1e11 + o_created
    q = people.account.astype(np.float64) * 1e11 + life.lead_created
    pos = np.searchsorted(key, q, side="left")
    ok = (pos < len(key)) & (life.lead_created < t1)
    ok[ok] = o_acc[pos[ok]] == people.account[ok]
    first_opp[ok] = o_order[pos[ok]]
    f = first_opp[ok]
    opp_at[ok] = opp.created[f]
    proposal_at[ok] = opp.entry[f, 3]
    won_at[ok] = np.where(opp.won[f] & (opp.close[f] < t1), opp.close[f], C.NEVER)
    # churn: the customer's last subscription ended and nothing active after it
    cust = bill.cust
    last_end = np.full(cust.n, -1, dtype=np.int64)
    any_open = np.zeros(cust.n, bool)
    np.maximum.at(last_end, cust_subs := bill.subs.customer, np.minimum(bill.subs.churned_at, t1 + 1))
    np.logical_or.at(any_open, cust_subs, bill.subs.churned_at >= t1)
    acc_churn = np.full(acc.n, C.NEVER, dtype=np.int64)
    acc_churn[cust.account] = np.where(any_open, C.NEVER, last_end)
    person_key = join("P", pc.utf8_lpad(num_str(np.arange(n) + 1), 7, "0"))
    # channel of the lead-creating touch: the first touch's, where the person identified on that first visit
    # (event and outbound people, and inbound people with one visit before the form); NULL otherwise
    lead_channel = np.where((people.motion == 0) & (life.pre_sessions > 1), -1, people.channel)
    pq.write_table(
        pa.table(
            {
                "person_id": person_key,
                "account_key": pa.array(people.account, pa.int64()),
                "sf_account_id": crm_acc.sf_id.take(pa.array(people.account)),
                "email": ppl_s.email,
                "email_domain": ppl_s.domain,
                "is_free_mail": pa.array(people.free_mail),
                "motion": pick(("inbound", "event", "outbound"), people.motion),
                "first_touch_channel": pick(V.CHANNELS, people.channel),
                "paid_platform": pick(V.AD_PLATFORMS, people.paid_platform),
                "lead_channel": pick(V.CHANNELS, lead_channel),
                "first_touch_at": ts(life.first_touch, life.first_touch >= t1),
                "lead_created_at": ts(life.lead_created, life.lead_created >= t1),
                "map_mql_at": ts(life.map_mql, life.map_mql >= t1),
                "sal_at": ts(life.sal, life.sal >= t1),
                "sql_at": ts(life.sql, life.sql >= t1),
                "opportunity_created_at": ts(opp_at, opp_at >= t1),
                "proposal_at": ts(proposal_at, proposal_at >= t1),
                "won_at": ts(won_at, won_at >= t1),
                "churned_at": ts(acc_churn[people.account], acc_churn[people.account] >= t1),
                "first_opportunity_id": null_where(ids(SF["opportunity"], np.maximum(first_opp, 0) + 1), first_opp < 0),
            }
        ),
        truth / "people.parquet",
    )
    # identity: every source record and the person (or account) behind it
    hs = np.flatnonzero(life.in_hubspot & (life.hubspot_created < t1))
    leads = np.flatnonzero(life.sf_lead_created < t1)
    contacts = np.flatnonzero(life.sql < t1)
    n_dev = len(devices.person)
    anon = hex_ids(ctx.rng("anonymous_ids:people"), n_dev)  # same stream as the segment writer: same ids
    parts = [
        ("hubspot", "contact", num_str(100_001 + hs), hs, np.ones(len(hs), bool)),
        ("salesforce", "lead", ids(SF["lead"], leads + 1), leads, np.ones(len(leads), bool)),
        ("salesforce", "contact", ids(SF["contact"], contacts + 1), contacts, np.ones(len(contacts), bool)),
        ("segment", "anonymous_id", anon, devices.person, devices.identified < t1),
    ]
    pq.write_table(
        pa.concat_tables(
            [
                pa.table(
                    {
                        "source": pa.array([s] * len(p)),
                        "record_type": pa.array([r] * len(p)),
                        "record_id": rid,
                        "person_id": person_key.take(pa.array(p)),
                        "is_linkable": pa.array(link),
                    }
                )
                for s, r, rid, p, link in parts
            ]
        ),
        truth / "identity.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "account_key": pa.array(np.arange(acc.n), pa.int64()),
                "sf_account_id": crm_acc.sf_id,
                "name": acc_s.name,
                "domain": acc_s.domain,
                "employees": acc.employees,
                "industry": pick(V.INDUSTRIES, acc.industry),
                "segment": pick(V.TEAMS, acc.segment),
                "stripe_customer_id": _customer_ids_by_account(acc, bill, mrr),
            }
        ),
        truth / "accounts.parquet",
    )
    closed = opp.close < t1
    rate = fx_rate_at(fx, opp.currency, opp.close)
    pq.write_table(
        pa.table(
            {
                "opportunity_id": ids(SF["opportunity"], np.arange(opp.n) + 1),
                "account_key": opp.account,
                "person_id": person_key.take(pa.array(opp.person)),
                "created_at": ts(opp.created),
                "close_date": dt(opp.close),
                "is_closed": closed,
                "is_won": closed & opp.won,
                "amount": opp.amount_minor / 100.0,
                "currency": pick(V.CURRENCIES, opp.currency),
                "fx_rate_to_usd": rate,
                "amount_usd": np.round(opp.amount_minor / 100.0 * rate, 2),
                "first_touch_channel": pick(V.CHANNELS, people.channel[opp.person]),
            }
        ),
        truth / "opportunities.parquet",
    )
    _write_mrr_truth(ctx, truth, mrr, bill, fx)


def _customer_ids_by_account(acc, bill, mrr) -> pa.Array:
    idx = np.full(acc.n, -1)
    idx[bill.cust.account] = np.arange(bill.cust.n)
    return null_where(mrr.cus_ids.take(pa.array(np.maximum(idx, 0))), idx < 0)


def _write_mrr_truth(ctx, truth, mrr, bill, fx):
    """MRR per customer at each month end (minor units and USD at the month-end rate, rounded to cents)."""
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    versions = pa.table(
        {
            "customer_id": mrr.cus_ids.take(pa.array(mrr.customer)),
            "start_s": mrr.start,
            "end_s": np.minimum(mrr.end, 2**40),
            "active": mrr.status == 0,
            "mrr_minor": mrr.mrr_minor,
            "currency": pick(V.CURRENCIES, mrr.currency),
        }
    )
    rates = pa.table(
        {"day": pa.array(fx.days.astype("datetime64[D]")), "USD": fx.rates[0], "EUR": fx.rates[1], "GBP": fx.rates[2]}
    )
    con.register("versions", versions)
    con.register("rates", rates)
    con.execute(f"""
        copy (
            with months as (
                select (m + interval 1 month - interval 1 day)::date as month_end,
                       epoch(m + interval 1 month)::bigint as boundary
                from range(date '{np.datetime64(ctx.t0 // DAY, "D")}', date '{ctx.as_of}' + 1, interval 1 month) t(m)
            ),
            live as (
                select v.customer_id, m.month_end, sum(v.mrr_minor) as mrr_minor, any_value(v.currency) as currency
                from versions v join months m on v.start_s < m.boundary and v.end_s >= m.boundary
                where v.active
                group by all
            )
            select l.customer_id, l.month_end, l.currency, l.mrr_minor,
                   round(l.mrr_minor / 100.0 * case l.currency when 'USD' then 1 when 'EUR' then r.EUR
                         else r.GBP end, 2) as mrr_usd
            from live l join rates r on r.day = l.month_end
            order by 1, 2
        ) to '{truth / "mrr_monthly.parquet"}' (format parquet)
    """)

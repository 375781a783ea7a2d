-- One row per person × fit signal that a fit rule of the seed lead_scoring_rules matches: the
-- matching rule with the most points (rules of one signal are alternatives, e.g. size bands).
-- Signals: employees (the account's), title, industry (the account's), email_type (free_mail or
-- company). A rule matches when its match_pattern (SQL LIKE on the lower-cased value) and its
-- min_value / max_value bounds (on the numeric value) all hold; empty ones always hold.
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['person_id']},
) }}
with

-- the person's title, email domain and account, from int_people_resolved rather than dim_people
-- (the same values): dim_people waits for the web sessions (first visits), fit does not need to
people as (

    select * from {{ ref('int_people_resolved') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

rules as (

    select * from {{ ref('lead_scoring_rules') }}
    where dimension = 'fit'

),

signals as (

    select
        people.person_id,
        'employees' as signal_name,
        cast(null as {{ dbt.type_string() }}) as text_value,
        cast(accounts.number_of_employees as double) as numeric_value
    from people
    inner join accounts
        on people.account_id = accounts.account_id
    where accounts.number_of_employees is not null

    union all

    select
        people.person_id,
        'title' as signal_name,
        lower({{ trim_spaces('people.title') }}) as text_value,
        cast(null as double) as numeric_value
    from people
    where people.title is not null

    union all

    select
        people.person_id,
        'industry' as signal_name,
        lower({{ trim_spaces('accounts.industry') }}) as text_value,
        cast(null as double) as numeric_value
    from people
    inner join accounts
        on people.account_id = accounts.account_id
    where accounts.industry is not null

    union all

    select
        people.person_id,
        'email_type' as signal_name,
        case when people.is_free_mail_email then 'free_mail' else 'company' end as text_value,
        cast(null as double) as numeric_value
    from people
    where people.email_domain is not null

),

matched as (

    select
        signals.person_id,
        signals.signal_name,
        rules.rule_id,
        rules.points,
        row_number() over (
            partition by signals.person_id, signals.signal_name
            order by rules.points desc, rules.rule_id asc
        ) as match_rank
    from signals
    inner join rules
        on
            signals.signal_name = rules.signal
            and (rules.match_pattern is null or signals.text_value like rules.match_pattern)
            and (rules.min_value is null or signals.numeric_value >= rules.min_value)
            and (rules.max_value is null or signals.numeric_value <= rules.max_value)

),

final as (

    select
        person_id,
        signal_name,
        rule_id,
        points
    from matched
    where match_rank = 1

)

select * from final

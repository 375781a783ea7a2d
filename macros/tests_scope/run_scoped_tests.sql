{#-
    Run-scoped data tests (issue 11): on a daily run, the row-level and key tests of a model
    with `meta: {run_scoped_tests: true}` check only the rows written since the last run whose
    data tests all passed, instead of the whole table.

    Why that is sound: every such model writes `_written_at` (written_at(), the start of the run
    that wrote the row) on each row, and its rows change only when a run rewrites them (an
    incremental table, or a view that only renames and filters one such table). A row written
    before the last fully tested run was checked by that run, or by an earlier one, and has not
    changed since. So a row-level test (not_null, accepted_values, accepted_range,
    expression_is_true, not_null_columns) needs only the newer rows, and a key test (unique,
    unique_combination_of_columns) needs only the keys of the newer rows, counted over the
    whole table (a new row may repeat an old key). Tests that compare against other tables
    (relationships: a parent may be gone), aggregates (totals_reconcile) and singular tests
    always see every row, except a relationships_where with run_scope_key between two such
    models whose parent only deletes within keys it rewrites (see that test).

    The scope comes from the environment variable GTM_TESTS_SINCE, read at execution time only
    (a new value does not make dbt parse again). `gtm build` sets it to the `_written_at` of the
    last run it recorded in `_gtm_build.tested_runs` (every data test of the project ran and
    passed, and the project's files are the same); without it, every test sees every row. See
    scripts/gtm/build.py.
-#}

{#- the start of the run that writes a row: GTM_RUN_STARTED_AT (set by `gtm build`, which records
    it once the run's tests pass) else dbt's run_started_at (UTC) -#}
{% macro written_at() -%}
    {%- set value = none -%}
    {%- if execute -%}
        {%- set value = env_var('GTM_RUN_STARTED_AT', '') | trim or none -%}
    {%- endif -%}
    {%- if value is none -%}
        {%- set value = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?', value) -%}
        {{ exceptions.raise_compiler_error(
            "GTM_RUN_STARTED_AT must be a UTC timestamp as YYYY-MM-DD HH:MM:SS[.ffffff]; got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    cast('{{ value }}' as timestamp)
{%- endmacro %}


{#- the generic tests that check each row on its own -#}
{% macro run_scoped_row_tests() -%}
    {{ return(['not_null', 'accepted_values', 'accepted_range', 'expression_is_true', 'not_null_columns']) }}
{%- endmacro %}


{#- The predicate on `_written_at` that limits the current test node to the rows of this scope,
    or '' when the test sees every row (no GTM_TESTS_SINCE, parse time, a model without
    run_scoped_tests, a singular test that names no model). For the test macros and
    get_where_subquery below; which kinds of test may use it is theirs to decide. `of`: the name
    of the model whose rows are scoped, for a singular test (a generic test scopes the model it
    is attached to). -#}
{% macro run_scope_condition(column='_written_at', of=none) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set since = env_var('GTM_TESTS_SINCE', '') | trim -%}
    {%- if not since -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?', since) -%}
        {{ exceptions.raise_compiler_error(
            "GTM_TESTS_SINCE must be a UTC timestamp as YYYY-MM-DD HH:MM:SS[.ffffff]; got '" ~ since ~ "'"
        ) }}
    {%- endif -%}
    {%- if of is not none -%}
        {%- set named = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', of) | list -%}
        {%- set tested = named[0] if named else none -%}
    {%- else -%}
        {%- set attached = model.get('attached_node') if model is mapping else none -%}
        {%- set tested = graph.nodes.get(attached) if attached else none -%}
    {%- endif -%}
    {%- if tested is none or not tested.config.meta.get('run_scoped_tests', false) -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(column ~ " > cast('" ~ since ~ "' as timestamp)") }}
{%- endmacro %}


{#- For a test that scopes its rows by what a parent model wrote (relationships_where's
    run_scope_key): the tested model and the parent `relation` must both be models with
    run_scoped_tests, else there is no `_written_at` to scope by. Checked in every run, scoped
    or not, so a wrong configuration fails the first build rather than the first daily run.
    Raises a compiler error naming the test otherwise. -#}
{% macro run_scope_key_check(relation) -%}
    {%- if execute -%}
        {%- set attached = model.get('attached_node') if model is mapping else none -%}
        {%- set tested = graph.nodes.get(attached) if attached else none -%}
        {%- set scoped_parents = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                and (node.alias or node.name) | lower == relation.identifier | lower
                and node.schema | lower == relation.schema | lower
                and node.config.meta.get('run_scoped_tests', false) -%}
                {%- do scoped_parents.append(node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if tested is none or not tested.config.meta.get('run_scoped_tests', false) or not scoped_parents -%}
            {{ exceptions.raise_compiler_error(
                model.unique_id ~ ": run_scope_key needs the tested model and its parent " ~ relation
                ~ " both to have meta run_scoped_tests"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- dbt wraps the `model` argument of every generic test in get_where_subquery (the `where`
    config); this adds the run scope for the row-level tests. Found before dbt's own through the
    dispatch search order in dbt_project.yml. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = '' -%}
    {%- set test_name = (model.get('test_metadata') or {}).get('name') if model is mapping else none -%}
    {%- if test_name in run_scoped_row_tests() -%}
        {%- set scope = run_scope_condition() -%}
    {%- endif -%}
    {#- the scope first: Spark reads `from t where (x)` as the alias `where` with a column list -#}
    {%- if scope and where -%}
        {%- set condition = scope ~ ' and (' ~ where ~ ')' -%}
    {%- else -%}
        {%- set condition = scope or where -%}
    {%- endif -%}
    {%- if condition -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ condition }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}


{#- For the key tests: CTEs ending in `name`, whose value_hash holds the key_hash of
    `hash_arguments` of every row in the run scope `scope` (rows failing `where` left out). -#}
{% macro run_scoped_hashes(name, relation, hash_arguments, scope, where=none) -%}
{{ name }} as (

    select distinct {{ key_hash(hash_arguments) }} as value_hash
    from {{ relation }}
    where {{ scope }}
    {%- if where is not none %}
        and {{ where }}
    {%- endif %}

)
{%- endmacro %}

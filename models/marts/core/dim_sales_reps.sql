{#-
    One row per CRM user, with role, team and manager. The role and team come from the user's
    role in the CRM role hierarchy ("Account Executive - Enterprise": role before " - ", team
    after it), else the title. Names follow the display-name policy (first name, last initial).
-#}
with

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

user_roles as (

    select * from {{ ref('stg_salesforce__user_roles') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

events as (

    select * from {{ ref('stg_salesforce__events') }}

),

activity_dates as (

    select
        owner_id as user_id,
        cast(created_at as date) as activity_date
    from opportunities
    union all
    select
        owner_id as user_id,
        cast(created_at as date) as activity_date
    from tasks
    union all
    select
        owner_id as user_id,
        cast(created_at as date) as activity_date
    from events

),

last_activity as (

    select
        user_id,
        max(activity_date) as last_activity_date
    from activity_dates
    group by user_id

),

with_role as (

    select
        users.user_id,
        users.last_name,
        users.title,
        users.department,
        users.user_role_id,
        user_roles.name as role_name,
        user_roles.parent_role_id,
        users.manager_id,
        users.is_active,
        users.created_at,
        last_activity.last_activity_date,
        {{ display_name('users.first_name', 'users.last_name') }} as display_name,
        lower(coalesce(user_roles.name, users.title, '')) as role_text,
        case
            when user_roles.name like '% - %'
                then {{ trim_spaces(dbt.split_part('user_roles.name', "' - '", 2)) }}
        end as role_team
    from users
    left join user_roles
        on users.user_role_id = user_roles.user_role_id
    left join last_activity
        on users.user_id = last_activity.user_id

),

classified as (

    select
        with_role.*,
        case
            when with_role.role_text like '%manager%'
                or with_role.role_text like '%vp %'
                or with_role.role_text like '%director%'
                or with_role.role_text like '%head of%'
                then 'manager'
            when with_role.role_text like '%account executive%' then 'ae'
            when with_role.role_text like '%sdr%' or with_role.role_text like '%sales development%' then 'sdr'
            else 'other'
        end as sales_role
    from with_role

),

final as (

    select
        classified.user_id as sales_rep_id,
        classified.title,
        classified.department,
        classified.role_name,
        classified.sales_role,
        classified.user_role_id,
        classified.parent_role_id,
        classified.manager_id,
        classified.is_active,
        classified.last_activity_date,
        cast(classified.created_at as date) as active_from_date,
        coalesce(classified.display_name, classified.last_name) as rep_name,
        classified.sales_role in ('ae', 'sdr', 'manager') as is_sales,
        case
            when classified.role_team is not null then classified.role_team
            when classified.sales_role = 'sdr' then 'SDR'
        end as team,
        coalesce(managers.display_name, managers.last_name) as manager_name,
        case
            when not classified.is_active
                then coalesce(classified.last_activity_date, cast(classified.created_at as date))
        end as active_to_date
    from classified
    left join classified as managers
        on classified.manager_id = managers.user_id

)

select * from final

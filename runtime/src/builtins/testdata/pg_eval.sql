-- Helpers for recording expected results from PostgreSQL 15 (see gen_cases.py).
drop function if exists ev(text);
create or replace function ev(q text) returns table(status text, a text, b text, c text, d text)
language plpgsql as $$
declare r text; st text; msg text; hnt text; det text;
begin
  execute q into r;
  return query select 'OK', r, null::text, null::text, null::text;
exception when others then
  get stacked diagnostics st = returned_sqlstate, msg = message_text, hnt = pg_exception_hint, det = pg_exception_detail;
  return query select 'ERR', st, msg, nullif(hnt, ''), nullif(det, '');
end $$;
-- An array as "cardinality:" then elements joined by '|' ('\N' for NULL, '\|' and '\\' escaped).
create or replace function arrenc(arr text[]) returns text language sql immutable as $$
  select coalesce(cardinality(arr), -1) || ':' || coalesce((select string_agg(coalesce(replace(replace(e, '\', '\\'), '|', '\|'), '\N'), '|' order by o) from unnest(arr) with ordinality u(e, o)), '')
$$;
-- setseed(seed) then n random() values, comma-separated.
create or replace function rnd(seed float8, n int) returns text language plpgsql as $$
declare out text := '';
begin
  perform setseed(seed);
  for i in 1..n loop out := out || case when i > 1 then ',' else '' end || random()::text; end loop;
  return out;
end $$;

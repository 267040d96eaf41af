"""A lean `bulk_create` for the hot tables of conversion ingest, and a lean constructor.

`insert(objs)` writes new model instances as `QuerySet.bulk_create(objs)` does — one
multi-row `INSERT … RETURNING pk` per chunk of the backend's batch size, the pks set back on
the objects, `_state` marked saved — but resolves how each field's value is prepared once
per field instead of once per value: plain `str`, `int` and `bool` values of character,
integer, boolean and foreign-key fields go to the driver as they are (what Django's
preparation returns for them anyway); aware datetimes go straight to the backend's adapter;
anything else (JSON, naive datetimes, expressions, other types) takes the field's own
`get_db_prep_save`. `auto_now`/`auto_now_add` are honoured, and an object pointing at an
unsaved related object is refused like bulk_create refuses it.

Scope, deliberately small: new objects with an auto-increment pk, every concrete field
written, no signals (bulk_create sends none either), no conflict handling — a refused row
raises IntegrityError to the caller. SQLite (≥ 3.35) gets `VALUES (…), (…)`; PostgreSQL
one array per column through `SELECT * FROM UNNEST(…)`, as Django 5.2's bulk_create.

`new(Model, **values)` builds the new instance `Model(**values)` builds — every concrete
field's default, the values given by attname or, for a foreign key, by name (the related
object cached and its pk copied, as the descriptor does) — without Model.__init__'s
per-field walk: the defaults are resolved once per model. A batch of conversions builds a
few thousand instances; this is what they cost. Models with pre_init/post_init receivers,
one-to-one fields given by name and unknown keywords take the regular path or fail like
Model.__init__.

`select(Model, where, params, related=…)` and `rows(sql, params, fields)` read what a
queryset reads, from SQL written once instead of compiled by the ORM on every call (a few
hundred microseconds a query, more than PostgreSQL takes to answer the small lookups of a
single conversion): instances built by `Model.from_db` with the backend's converters
applied, forward foreign keys loaded by a JOIN and cached as `select_related` caches them."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

MAX_PARAMETERS = 65_535

_PLAIN = (  # stock fields whose preparation returns a value of these types unchanged
    (models.CharField, (str,)),  # and EmailField, SlugField… (to_python keeps any str)
    (models.TextField, (str,)),
    (models.IntegerField, (int,)),  # and BigIntegerField, PositiveIntegerField…
    (models.AutoField, (int,)),
    (models.BigAutoField, (int,)),
    (models.BooleanField, (bool,)),
)
_PREPARATION = ("get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")


def _stock(field, kind) -> bool:
    """The field prepares values exactly as `kind` does (no override in a subclass)."""
    return all(getattr(type(field), name) is getattr(kind, name) for name in _PREPARATION)


def _plain_types(field) -> tuple:
    """The value types this field's get_db_prep_save hands to the driver unchanged."""
    if field.is_relation:
        stock_fk = type(field).get_db_prep_save is models.ForeignKey.get_db_prep_save
        return _plain_types(field.target_field) if stock_fk else ()
    for kind, types in _PLAIN:
        if isinstance(field, kind) and _stock(field, kind):
            return types
    return ()


class _Plan:
    """What to do with each field of one model on one connection, resolved once."""

    def __init__(self, model, connection):
        meta = model._meta
        self.pk = meta.pk
        self.fields = [field for field in meta.concrete_fields if field is not meta.pk and not field.generated]
        self.columns = [field.column for field in self.fields]
        self.attnames = [field.attname for field in self.fields]
        self.auto_now = [field for field in self.fields
                         if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)]
        self.relations = [(field, field.cache_name, field.attname, field.target_field.attname)
                          for field in self.fields if field.is_relation]
        self.converters = []
        adapt = connection.ops.adapt_datetimefield_value
        for field in self.fields:
            plain = _plain_types(field)
            prep = field.get_db_prep_save
            if plain:
                self.converters.append(_passing(plain, prep, connection))
            elif isinstance(field, models.DateTimeField) and _stock(field, models.DateTimeField):
                self.converters.append(_datetime(adapt, prep, connection))
            else:
                self.converters.append(lambda value, prep=prep, connection=connection: prep(value, connection))
        quote = connection.ops.quote_name
        self.head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column) for column in self.columns)})"
        self.returning = f"RETURNING {quote(meta.db_table)}.{quote(self.pk.column)}"
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        # PostgreSQL: one array parameter per column (`SELECT * FROM UNNEST(…)`, as Django's own
        # bulk_create does since 5.2) rather than a placeholder per value: psycopg parses a query
        # text with thousands of placeholders on every execution, which cost more than the insert
        self.unnest = None
        if connection.vendor == "postgresql" and not any(
                hasattr(field, "get_placeholder")
                or (field.target_field if field.is_relation else field).get_internal_type() not in connection.data_types
                for field in self.fields):
            types = [field.db_type(connection).split("(")[0] for field in self.fields]
            self.unnest = "SELECT * FROM UNNEST(" + ", ".join(f"(%s)::{kind}[]" for kind in types) + ")"


def _passing(types, prep, connection):
    def convert(value):
        if value is None or type(value) in types or (str in types and isinstance(value, str)):
            return value
        return prep(value, connection)
    return convert


def _datetime(adapt, prep, connection):
    # SQLite stores an aware datetime as its naive text in the connection's zone; for the
    # common UTC-in, UTC-stored case that text is computed directly (what make_naive + str give).
    utc_text = connection.vendor == "sqlite"

    def convert(value):
        if value is None:
            return None
        if type(value) is datetime and value.tzinfo is not None:
            if utc_text and value.tzinfo is UTC and connection.timezone_name == "UTC" and settings.USE_TZ:
                return value.replace(tzinfo=None).isoformat(" ")
            return adapt(value)
        return prep(value, connection)
    return convert


_plans: dict[tuple[type, str, str], _Plan] = {}


def _plan(model, connection) -> _Plan:
    key = (model, connection.alias, connection.vendor)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _Plan(model, connection)
    return plan


def insert(objs: list, using: str | None = None) -> list:
    """Write new instances of one model (pk unset) like `Model.objects.bulk_create(objs)`."""
    if not objs:
        return objs
    model = type(objs[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    plan = _plan(model, connection)
    rows = [_row(plan, model, obj) for obj in objs]
    # the backend's batch size (999 parameters on SQLite), and never more than the 65,535
    # parameters one PostgreSQL statement can carry
    size = max(min(connection.ops.bulk_batch_size(plan.fields, objs), MAX_PARAMETERS // len(plan.fields)), 1)
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            if plan.unnest and len(chunk) > 1 and not any(hasattr(value, "as_sql") for row in chunk for value in row):
                cursor.execute(f"{plan.head} {plan.unnest} {plan.returning}", [list(column) for column in zip(*chunk, strict=True)])
            else:
                sql = f"{plan.head} VALUES {', '.join([plan.row] * len(chunk))} {plan.returning}"
                cursor.execute(sql, [value for row in chunk for value in row])
            returned = connection.ops.fetch_returned_insert_rows(cursor)
            if len(returned) != len(chunk):
                raise RuntimeError(f"The database returned {len(returned)} ids for {len(chunk)} rows.")
            for obj, (pk,) in zip(objs[start:start + size], returned, strict=True):
                _saved(obj, pk, alias)
    return objs


def insert_unless_taken(obj, columns: tuple[str, ...], using: str | None = None) -> bool:
    """Write one new instance unless a row already holds its values of `columns` (the columns
    of a unique constraint): one `INSERT … ON CONFLICT (…) DO NOTHING RETURNING pk` statement,
    without a transaction or savepoint of its own. True when written (pk set), False if taken.
    A concurrent insert of the same values is waited for, as a plain INSERT waits for it."""
    model = type(obj)
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    plan = _plan(model, connection)
    row = _row(plan, model, obj)
    quote = connection.ops.quote_name
    conflict = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"{plan.head} VALUES {plan.row} ON CONFLICT ({conflict}) DO NOTHING {plan.returning}", row)
        returned = cursor.fetchall()
    if not returned:
        return False
    _saved(obj, returned[0][0], alias)
    return True


def _row(plan, model, obj) -> list:
    """The values of one new instance, prepared for the database."""
    if type(obj) is not model:
        raise TypeError("insert() writes instances of one model at a time.")
    if obj.pk is not None:
        raise ValueError("insert() writes new objects only (their pk is set by the database).")
    cached = obj._state.fields_cache
    for relation in plan.relations:
        if relation[1] in cached:
            _prepare_relation(obj, cached[relation[1]], *relation)
    values = obj.__dict__
    for field in plan.auto_now:
        field.pre_save(obj, add=True)
    return [convert(values[attname]) for attname, convert in zip(plan.attnames, plan.converters, strict=True)]


def _saved(obj, pk, alias: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias


def _prepare_relation(obj, related, field, cache_name, attname, target_attname) -> None:
    """Model._prepare_related_fields_for_save for one foreign key whose related object is
    cached on `obj`, as bulk_create runs it."""
    if not related:
        return
    if not related._is_pk_set():
        if not field.remote_field.multiple:
            field.remote_field.delete_cached_value(related)
        raise ValueError(f"bulk_create() prohibited to prevent data loss due to unsaved related object '{field.name}'.")
    target = getattr(related, target_attname)
    current = obj.__dict__.get(attname)
    if current in field.empty_values:
        if field.one_to_one:
            setattr(obj, field.name, related)  # as Django does: also caches the reverse side
        else:
            obj.__dict__[attname] = target
        current = obj.__dict__.get(attname)
    if target != current:
        del obj._state.fields_cache[cache_name]


# --- new(): building instances ---------------------------------------------------------------

_IMMUTABLE = (str, int, float, bool, type(None))


class _Blueprint:
    """How `Model(**values)` fills a new instance, resolved once per model."""

    def __init__(self, model):
        meta = model._meta
        self.constants: dict[str, object] = {}
        self.factories: list[tuple[str, object]] = []
        self.fields: dict[str, object] = {}  # name and attname -> field
        for field in meta.concrete_fields:
            default = field.get_default()
            if field.has_default() and callable(field.default) or not isinstance(default, _IMMUTABLE):
                self.factories.append((field.attname, field.get_default))
            else:
                self.constants[field.attname] = default
            self.fields[field.attname] = field
            self.fields[field.name] = field
        self.plain = not (pre_init.has_listeners(model) or post_init.has_listeners(model))


_blueprints: dict[type, _Blueprint] = {}


def new(model, /, **values):
    """`model(**values)` for a new instance, built as Model.__init__ builds it (see above)."""
    blueprint = _blueprints.get(model)
    if blueprint is None:
        blueprint = _blueprints[model] = _Blueprint(model)
    if not blueprint.plain:
        return model(**values)
    obj = model.__new__(model)
    obj._state = state = ModelState()
    attributes = obj.__dict__
    attributes.update(blueprint.constants)
    for attname, factory in blueprint.factories:
        attributes[attname] = factory()
    fields = blueprint.fields
    for key, value in values.items():
        field = fields.get(key)
        if field is None:
            raise TypeError(f"{model.__name__}() got unexpected keyword arguments: '{key}'")
        if key == field.attname:
            attributes[key] = value
        elif field.one_to_one:
            setattr(obj, key, value)  # the descriptor also caches the reverse side
        else:
            _relate(obj, state, field, value)
    return obj


def _relate(obj, state, field, value) -> None:
    """ForwardManyToOneDescriptor.__set__ on a new instance (the default router)."""
    if value is not None:
        if not isinstance(value, field.remote_field.model._meta.concrete_model):
            setattr(obj, field.name, value)  # raises the descriptor's ValueError
            return
        if state.db is None:
            state.db = router.db_for_write(type(obj), instance=value)
        if value._state.db is None:
            value._state.db = router.db_for_write(type(value), instance=obj)
        obj.__dict__[field.attname] = getattr(value, field.target_field.attname)
    else:
        obj.__dict__[field.attname] = None
    state.fields_cache[field.cache_name] = value


# --- select() and rows(): reading without compiling querysets ---------------------------------

def in_list(values) -> tuple[str, list]:
    """`(%s, %s, …)` and its parameters for `column IN …`; never true for no values."""
    values = list(values)
    return ("(" + ", ".join(["%s"] * len(values)) + ")", values) if values else ("(NULL)", [])


def _converters(fields, connection) -> list:
    """(position, converters, column) for each field whose values the ORM converts."""
    out = []
    for position, field in enumerate(fields):
        if field is None:
            continue
        column = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            out.append((position, converters, column))
    return out


def _convert(values: list, converters: list, connection) -> list:
    for position, functions, column in converters:
        value = values[position]
        for function in functions:
            value = function(value, column, connection)
        values[position] = value
    return values


class _Select:
    def __init__(self, model, related: tuple, connection):
        quote = connection.ops.quote_name
        meta = model._meta
        self.parts = [(model, None, list(meta.concrete_fields))]
        columns = [f"t.{quote(field.column)}" for field in meta.concrete_fields]
        joins = []
        for number, name in enumerate(related):
            field = meta.get_field(name)
            target = field.remote_field.model
            alias = f"r{number}"
            self.parts.append((target, field, list(target._meta.concrete_fields)))
            columns += [f"{alias}.{quote(column.column)}" for column in target._meta.concrete_fields]
            kind = "LEFT OUTER JOIN" if field.null else "INNER JOIN"
            joins.append(f"{kind} {quote(target._meta.db_table)} {alias} "
                         f"ON {alias}.{quote(field.target_field.column)} = t.{quote(field.column)}")
        self.head = f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} t {' '.join(joins)}".rstrip()
        all_fields = [field for _model, _via, fields in self.parts for field in fields]
        self.converters = _converters(all_fields, connection)


_selects: dict[tuple, _Select] = {}


def select(model, where: str, params, *, related: tuple = (), order_by: str = "", suffix: str = "",
           using: str | None = None) -> list:
    """Instances of `model` whose row (alias `t`) matches `where`, as the ORM loads them;
    each foreign key named in `related` loaded by a JOIN (aliases r0, r1…) and cached."""
    alias = using or router.db_for_read(model)
    connection = connections[alias]
    key = (model, tuple(related), alias, connection.vendor)
    plan = _selects.get(key)
    if plan is None:
        plan = _selects[key] = _Select(model, tuple(related), connection)
    sql = f"{plan.head} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if suffix:
        sql += f" {suffix}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        fetched = cursor.fetchall()
    objs = []
    parts = plan.parts
    for row in fetched:
        values = _convert(list(row), plan.converters, connection)
        start = len(parts[0][2])
        obj = model.from_db(alias, [field.attname for field in parts[0][2]], values[:start])
        for target, via, fields in parts[1:]:
            chunk = values[start:start + len(fields)]
            start += len(fields)
            related_obj = None if chunk[0] is None else target.from_db(alias, [f.attname for f in fields], chunk)
            via.set_cached_value(obj, related_obj)
            if via.one_to_one and related_obj is not None:
                via.remote_field.set_cached_value(related_obj, obj)
        objs.append(obj)
    return objs


def rows(sql: str, params, fields=(), using: str | None = None) -> list[tuple]:
    """The rows of `sql`, each value converted as the ORM converts `fields[i]` (None: as is)."""
    connection = connections[using or "default"]
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        fetched = cursor.fetchall()
    converters = _converters(fields, connection)
    if not converters:
        return [tuple(row) for row in fetched]
    return [tuple(_convert(list(row), converters, connection)) for row in fetched]


def table(model, connection=None) -> str:
    """The model's quoted table name."""
    return (connection or connections["default"]).ops.quote_name(model._meta.db_table)

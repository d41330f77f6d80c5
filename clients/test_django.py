"""Django 5.2 (postgresql backend on psycopg 3): migrate contenttypes and auth,
ORM insert/filter/aggregate on User/Group/Permission, inspectdb compared with
what Django prints against PostgreSQL 15 (clients/expected/django_inspectdb.txt),
and the migrations unapplied again at the end."""
import io
import os
import sys

import django
from django.conf import settings

port = int(sys.argv[1])
record = len(sys.argv) > 2 and sys.argv[2] == "--record"
expected_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected", "django_inspectdb.txt")

settings.configure(
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": "127.0.0.1",
            "PORT": port,
            "NAME": "postgres",
            "USER": "postgres",
        }
    },
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    USE_TZ=True,
    TIME_ZONE="UTC",
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
django.setup()

from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import IntegrityError, connection, transaction  # noqa: E402
from django.db.models import Count, F, Max, Min, Q  # noqa: E402

assert connection.vendor == "postgresql"
# leftovers of an interrupted run
with connection.cursor() as c:
    c.execute(
        "DROP TABLE IF EXISTS auth_user_user_permissions, auth_user_groups, auth_group_permissions, auth_user, "
        "auth_group, auth_permission, django_content_type, django_migrations CASCADE"
    )
call_command("migrate", verbosity=0, interactive=False)
tables = set(connection.introspection.table_names())
assert {"django_content_type", "auth_user", "auth_group", "auth_permission", "auth_user_groups", "auth_group_permissions", "auth_user_user_permissions", "django_migrations"} <= tables, tables

# post_migrate created the content types and default permissions
assert ContentType.objects.filter(app_label="auth").count() == 3
assert Permission.objects.count() == 4 * 4, Permission.objects.count()
assert sorted(Permission.objects.filter(content_type__model="user").values_list("codename", flat=True)) == ["add_user", "change_user", "delete_user", "view_user"]

# ---- ORM ----
ann = User.objects.create_user("ann", "ann@example.com", "pw", first_name="Ann")
bob = User.objects.create_user("bob", "bob@example.com", "pw", is_staff=True)
User.objects.create_superuser("root", "root@example.com", "pw")
editors = Group.objects.create(name="editors")
viewers = Group.objects.create(name="viewers")
editors.permissions.set(Permission.objects.filter(codename__in=["change_user", "view_user", "add_group"]))
viewers.permissions.add(Permission.objects.get(codename="view_user"))
ann.groups.add(editors, viewers)
bob.groups.add(viewers)
bob.user_permissions.add(Permission.objects.get(codename="delete_group"))

assert User.objects.get(username="ann").check_password("pw")
assert list(User.objects.filter(is_staff=True).order_by("username").values_list("username", flat=True)) == ["bob", "root"]
assert list(User.objects.filter(Q(email__endswith="@example.com") & ~Q(is_superuser=True)).order_by("-username").values_list("username", flat=True)) == ["bob", "ann"]
assert list(User.objects.filter(username__icontains="O").values_list("username", flat=True).order_by("username")) == ["bob", "root"]
assert User.objects.filter(groups__name="viewers").count() == 2
assert list(Group.objects.annotate(n=Count("user")).order_by("name").values_list("name", "n")) == [("editors", 1), ("viewers", 2)]
assert list(Group.objects.annotate(n=Count("permissions")).filter(n__gt=1).values_list("name", flat=True)) == ["editors"]
agg = User.objects.aggregate(n=Count("id"), first=Min("username"), last=Max("username"), staff=Count("id", filter=Q(is_staff=True)))
assert agg == {"n": 3, "first": "ann", "last": "root", "staff": 2}, agg
assert ann.has_perm("auth.change_user") and ann.has_perm("auth.view_user") and not ann.has_perm("auth.delete_user")
assert bob.get_all_permissions() == {"auth.view_user", "auth.delete_group"}, bob.get_all_permissions()
assert list(Permission.objects.filter(group__user=ann).distinct().order_by("codename").values_list("codename", flat=True)) == ["add_group", "change_user", "view_user"]
assert User.objects.filter(date_joined__lte=F("date_joined")).count() == 3
assert User.objects.filter(last_login__isnull=True).count() == 3

# update, delete, errors, transactions
assert User.objects.filter(username__in=["ann", "bob"]).update(is_active=False) == 2
assert User.objects.filter(is_active=False).count() == 2
try:
    with transaction.atomic():
        User.objects.create_user("ann")
    raise AssertionError("duplicate username accepted")
except IntegrityError as e:
    assert e.__cause__.sqlstate == "23505", e.__cause__.sqlstate
with transaction.atomic():
    User.objects.create_user("carl")
    sid = transaction.savepoint()
    User.objects.create_user("dora")
    transaction.savepoint_rollback(sid)
assert sorted(User.objects.values_list("username", flat=True)) == ["ann", "bob", "carl", "root"]
deleted, per_model = bob.delete()
assert per_model == {"auth.User_groups": 1, "auth.User_user_permissions": 1, "auth.User": 1}, per_model
assert User.objects.count() == 3

# ---- inspectdb ----
out = io.StringIO()
call_command(
    "inspectdb",
    "auth_user",
    "auth_group",
    "auth_permission",
    "auth_user_groups",
    "auth_group_permissions",
    "django_content_type",
    "django_migrations",
    stdout=out,
)
got = out.getvalue()
if record:
    with open(expected_path, "w") as f:
        f.write(got)
else:
    with open(expected_path) as f:
        want = f.read()
    if got != want:
        import difflib

        sys.stderr.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "expected (PostgreSQL)", "got"))
        raise AssertionError("inspectdb output differs")

# ---- unapply everything again ----
call_command("migrate", "auth", "zero", verbosity=0, interactive=False)
call_command("migrate", "contenttypes", "zero", verbosity=0, interactive=False)
with connection.cursor() as c:
    c.execute("DROP TABLE django_migrations")
left = [t for t in connection.introspection.table_names() if t.startswith(("auth_", "django_"))]
assert not left, left
print("django ok")

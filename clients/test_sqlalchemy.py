"""SQLAlchemy 2 (psycopg 3 dialect): create_all of related tables, ORM
insert/query/update/delete through relationships, reflection through
inspect(engine) checked against what PostgreSQL 15 answers, drop_all."""
import datetime
import decimal
import sys

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload

port = int(sys.argv[1])
engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")


class Base(DeclarativeBase):
    metadata = MetaData()


book_tags = Table(
    "sa_book_tags",
    Base.metadata,
    Column("book_id", ForeignKey("sa_books.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("sa_tags.id"), primary_key=True),
)


class Author(Base):
    __tablename__ = "sa_authors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # serial
    name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    joined: Mapped[datetime.date] = mapped_column(Date, server_default=func.current_date())
    rating: Mapped[decimal.Decimal | None] = mapped_column(Numeric(5, 2), server_default=text("0"))
    books: Mapped[list["Book"]] = relationship(back_populates="author", cascade="all, delete-orphan", order_by="Book.id")


class Book(Base):
    __tablename__ = "sa_books"
    id: Mapped[int] = mapped_column(BigInteger, Identity(start=10), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("sa_authors.id", ondelete="CASCADE"))
    price: Mapped[decimal.Decimal] = mapped_column(Numeric(10, 2), server_default=text("9.99"))
    published: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    pages: Mapped[int | None] = mapped_column(Integer, CheckConstraint("pages > 0", name="sa_books_pages_positive"))
    author: Mapped[Author] = relationship(back_populates="books")
    tags: Mapped[list["Tag"]] = relationship(secondary=book_tags, back_populates="books", order_by="Tag.label")
    __table_args__ = (
        UniqueConstraint("author_id", "title", name="sa_books_author_title_key"),
        Index("sa_books_price_pub_idx", "price", "published"),
    )


class Tag(Base):
    __tablename__ = "sa_tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(30))
    books: Mapped[list[Book]] = relationship(secondary=book_tags, back_populates="tags")
    __table_args__ = (Index("sa_tags_label_uq", "label", unique=True),)


Base.metadata.drop_all(engine)
Base.metadata.create_all(engine)

# ---- ORM ----
with Session(engine) as s:
    ann = Author(name="Ann", email="ann@example.com")
    bob = Author(name="Bob")
    fiction, poetry = Tag(label="fiction"), Tag(label="poetry")
    ann.books = [
        Book(title="First", price=decimal.Decimal("12.50"), published=datetime.datetime(2020, 1, 2, 3, 4, 5), pages=100, tags=[fiction]),
        Book(title="Second", pages=200, tags=[fiction, poetry]),
    ]
    bob.books = [Book(title="Verses", price=decimal.Decimal("5"), tags=[poetry])]
    s.add_all([ann, bob])
    s.commit()
    assert [b.id for b in ann.books] == [10, 11], [b.id for b in ann.books]
    assert ann.id == 1 and bob.id == 2
    # server defaults come back
    assert ann.active is True and ann.rating == decimal.Decimal("0.00")
    assert ann.joined == s.scalar(select(func.current_date()))
    assert ann.books[1].price == decimal.Decimal("9.99")

with Session(engine) as s:
    authors = s.scalars(select(Author).options(selectinload(Author.books).selectinload(Book.tags)).order_by(Author.name)).all()
    assert [(a.name, [(b.title, [t.label for t in b.tags]) for b in a.books]) for a in authors] == [
        ("Ann", [("First", ["fiction"]), ("Second", ["fiction", "poetry"])]),
        ("Bob", [("Verses", ["poetry"])]),
    ]
    rows = s.execute(
        select(Author.name, func.count(Book.id), func.sum(Book.price))
        .join(Author.books)
        .group_by(Author.name)
        .having(func.count(Book.id) > 0)
        .order_by(Author.name)
    ).all()
    assert rows == [("Ann", 2, decimal.Decimal("22.49")), ("Bob", 1, decimal.Decimal("5.00"))], rows
    poetry_titles = s.scalars(select(Book.title).where(Book.tags.any(Tag.label == "poetry")).order_by(Book.title)).all()
    assert poetry_titles == ["Second", "Verses"], poetry_titles
    # lazy loads
    verses = s.scalars(select(Book).where(Book.title == "Verses")).one()
    assert verses.author.name == "Bob" and [t.label for t in verses.tags] == ["poetry"]
    # update through the unit of work
    verses.price = decimal.Decimal("6.25")
    verses.author.email = "bob@example.com"
    s.commit()
    assert s.scalar(select(Book.price).where(Book.id == verses.id)) == decimal.Decimal("6.25")
    assert s.scalar(select(Author.email).where(Author.name == "Bob")) == "bob@example.com"
    # bulk update and delete
    from sqlalchemy import delete, update

    res = s.execute(update(Book).where(Book.author_id == 1).values(price=Book.price + 1))
    assert res.rowcount == 2
    s.commit()
    # delete-orphan cascade through the relationship, association rows go too
    ann = s.scalars(select(Author).where(Author.name == "Ann")).one()
    second = ann.books[1]
    ann.books.remove(second)
    s.commit()
    assert s.scalar(select(func.count()).select_from(Book)) == 2
    assert s.scalar(select(func.count()).select_from(book_tags)) == 2
    s.delete(ann)
    s.commit()
    assert s.scalars(select(Book.title).order_by(Book.id)).all() == ["Verses"]
    s.execute(delete(Tag).where(~Tag.books.any()))
    s.commit()
    assert s.scalars(select(Tag.label)).all() == ["poetry"]
    # a constraint violation comes back as IntegrityError with PostgreSQL's SQLSTATE
    from sqlalchemy.exc import IntegrityError

    try:
        s.add(Author(name="Bob"))
        s.commit()
        raise AssertionError("duplicate accepted")
    except IntegrityError as e:
        assert e.orig.sqlstate == "23505", e.orig.sqlstate
        s.rollback()

# ---- reflection ----
insp = inspect(engine)
assert sorted(t for t in insp.get_table_names() if t.startswith("sa_")) == ["sa_authors", "sa_book_tags", "sa_books", "sa_tags"]


def cols(table):
    out = []
    for c in insp.get_columns(table):
        d = {k: v for k, v in c.items() if k != "type"}
        d["type"] = repr(c["type"])
        out.append(d)
    return out


def show(name, got, want):
    if got != want:
        print(f"{name}:\n  got  {got!r}\n  want {want!r}", file=sys.stderr)
        raise AssertionError(name)


# Recorded from PostgreSQL 15 (run with --print to see what a server answers).
EXPECTED = {
    'authors columns': [{'name': 'id', 'nullable': False, 'default': "nextval('sa_authors_id_seq'::regclass)", 'autoincrement': True, 'comment': None, 'type': 'INTEGER()'}, {'name': 'name', 'nullable': False, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'VARCHAR(length=100)'}, {'name': 'email', 'nullable': True, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'TEXT()'}, {'name': 'active', 'nullable': False, 'default': 'true', 'autoincrement': False, 'comment': None, 'type': 'BOOLEAN()'}, {'name': 'joined', 'nullable': False, 'default': 'CURRENT_DATE', 'autoincrement': False, 'comment': None, 'type': 'DATE()'}, {'name': 'rating', 'nullable': True, 'default': '0', 'autoincrement': False, 'comment': None, 'type': 'NUMERIC(precision=5, scale=2)'}],
    'books columns': [{'name': 'id', 'nullable': False, 'default': None, 'autoincrement': True, 'comment': None, 'identity': {'always': False, 'start': 10, 'increment': 1, 'minvalue': 1, 'maxvalue': 9223372036854775807, 'cache': 1, 'cycle': False}, 'type': 'BIGINT()'}, {'name': 'title', 'nullable': False, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'VARCHAR(length=200)'}, {'name': 'author_id', 'nullable': False, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'INTEGER()'}, {'name': 'price', 'nullable': False, 'default': '9.99', 'autoincrement': False, 'comment': None, 'type': 'NUMERIC(precision=10, scale=2)'}, {'name': 'published', 'nullable': True, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'TIMESTAMP()'}, {'name': 'pages', 'nullable': True, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'INTEGER()'}],
    'book_tags columns': [{'name': 'book_id', 'nullable': False, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'BIGINT()'}, {'name': 'tag_id', 'nullable': False, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'INTEGER()'}],
    'tags columns': [{'name': 'id', 'nullable': False, 'default': "nextval('sa_tags_id_seq'::regclass)", 'autoincrement': True, 'comment': None, 'type': 'INTEGER()'}, {'name': 'label', 'nullable': False, 'default': None, 'autoincrement': False, 'comment': None, 'type': 'VARCHAR(length=30)'}],
    'authors pk': {'constrained_columns': ['id'], 'name': 'sa_authors_pkey', 'comment': None, 'dialect_options': {'postgresql_include': []}},
    'books pk': {'constrained_columns': ['id'], 'name': 'sa_books_pkey', 'comment': None, 'dialect_options': {'postgresql_include': []}},
    'book_tags pk': {'constrained_columns': ['book_id', 'tag_id'], 'name': 'sa_book_tags_pkey', 'comment': None, 'dialect_options': {'postgresql_include': []}},
    'books fks': [{'name': 'sa_books_author_id_fkey', 'constrained_columns': ['author_id'], 'referred_schema': None, 'referred_table': 'sa_authors', 'referred_columns': ['id'], 'options': {'ondelete': 'CASCADE'}, 'comment': None}],
    'book_tags fks': [{'name': 'sa_book_tags_book_id_fkey', 'constrained_columns': ['book_id'], 'referred_schema': None, 'referred_table': 'sa_books', 'referred_columns': ['id'], 'options': {'ondelete': 'CASCADE'}, 'comment': None}, {'name': 'sa_book_tags_tag_id_fkey', 'constrained_columns': ['tag_id'], 'referred_schema': None, 'referred_table': 'sa_tags', 'referred_columns': ['id'], 'options': {}, 'comment': None}],
    'books indexes': [{'name': 'ix_sa_books_title', 'unique': False, 'column_names': ['title'], 'dialect_options': {'postgresql_include': []}}, {'name': 'sa_books_author_title_key', 'unique': True, 'column_names': ['author_id', 'title'], 'duplicates_constraint': 'sa_books_author_title_key', 'dialect_options': {'postgresql_include': []}}, {'name': 'sa_books_price_pub_idx', 'unique': False, 'column_names': ['price', 'published'], 'dialect_options': {'postgresql_include': []}}],
    'tags indexes': [{'name': 'sa_tags_label_uq', 'unique': True, 'column_names': ['label'], 'dialect_options': {'postgresql_include': []}}],
    'authors indexes': [{'name': 'sa_authors_name_key', 'unique': True, 'column_names': ['name'], 'duplicates_constraint': 'sa_authors_name_key', 'dialect_options': {'postgresql_include': []}}],
    'authors uniques': [{'column_names': ['name'], 'name': 'sa_authors_name_key', 'comment': None, 'dialect_options': {'postgresql_include': [], 'postgresql_nulls_not_distinct': False}}],
    'books uniques': [{'column_names': ['author_id', 'title'], 'name': 'sa_books_author_title_key', 'comment': None, 'dialect_options': {'postgresql_include': [], 'postgresql_nulls_not_distinct': False}}],
    'books checks': [{'name': 'sa_books_pages_positive', 'sqltext': 'pages > 0', 'comment': None}],
}

checks = {
    "authors columns": cols("sa_authors"),
    "books columns": cols("sa_books"),
    "book_tags columns": cols("sa_book_tags"),
    "tags columns": cols("sa_tags"),
    "authors pk": insp.get_pk_constraint("sa_authors"),
    "books pk": insp.get_pk_constraint("sa_books"),
    "book_tags pk": insp.get_pk_constraint("sa_book_tags"),
    "books fks": insp.get_foreign_keys("sa_books"),
    "book_tags fks": sorted(insp.get_foreign_keys("sa_book_tags"), key=lambda f: f["name"]),
    "books indexes": insp.get_indexes("sa_books"),
    "tags indexes": insp.get_indexes("sa_tags"),
    "authors indexes": insp.get_indexes("sa_authors"),
    "authors uniques": insp.get_unique_constraints("sa_authors"),
    "books uniques": insp.get_unique_constraints("sa_books"),
    "books checks": insp.get_check_constraints("sa_books"),
}
if len(sys.argv) > 2 and sys.argv[2] == "--print":
    for k, v in checks.items():
        print(f"    {k!r}: {v!r},")
    sys.exit(0)
for k, v in checks.items():
    show(k, v, EXPECTED[k])

# reflect whole tables into a fresh MetaData and use them
meta2 = MetaData()
meta2.reflect(engine, only=["sa_authors", "sa_books"])
books = meta2.tables["sa_books"]
assert [c.name for c in books.primary_key.columns] == ["id"]
assert [fk.target_fullname for fk in books.foreign_keys] == ["sa_authors.id"]
with engine.connect() as c:
    assert c.execute(select(books.c.title, meta2.tables["sa_authors"].c.name).join(meta2.tables["sa_authors"])).all() == [("Verses", "Bob")]

Base.metadata.drop_all(engine)
assert not [t for t in inspect(engine).get_table_names() if t.startswith("sa_")]
print("sqlalchemy ok")

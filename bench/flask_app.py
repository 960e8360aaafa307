"""The Flask tutorials' version of "list my authors": decode the JWT, load the user,
return 20 of the user's authors as JSON. A reference for the benchmark, not a product.

Reads the same SQLite database and verifies the same HS256 tokens as the Django app.
"""

import os

import jwt
from flask import Flask, abort, jsonify, request
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "accounts_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150))
    is_active: Mapped[bool] = mapped_column(Boolean)


class Author(Base):
    __tablename__ = "authors_author"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id"))
    name: Mapped[str] = mapped_column(String(100))
    book: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100))
    booker_prize: Mapped[bool] = mapped_column(Boolean)
    created_at = mapped_column(DateTime)


engine = create_engine(os.environ["BENCH_SQLALCHEMY_URL"])
SECRET = os.environ["JWT_SIGNING_KEY"]  # the key our tokens are signed with (HS256)
app = Flask(__name__)


@app.get("/api/authors/")
def list_authors():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    try:
        claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        abort(401)
    with Session(engine) as session:
        user = session.get(User, int(claims["user_id"]))
        if user is None or not user.is_active:
            abort(401)
        authors = session.scalars(
            select(Author)
            .where(Author.owner_id == user.id)
            .order_by(Author.created_at.desc(), Author.id.desc())
            .limit(20)
        )
        return jsonify(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "book": a.book,
                    "country": a.country,
                    "booker_prize": a.booker_prize,
                    "owner": user.username,
                    "created_at": a.created_at.isoformat(),
                }
                for a in authors
            ]
        )

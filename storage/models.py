"""The schema, as SQLAlchemy 2 models. `docs/schema.md` explains every table and constraint.

Integrity lives in the database as well as in `tracker/`: ranges are checked, duplicates that would be
bugs are UNIQUE, and every row that belongs to a user cascades from `users`, so deleting a user deletes
all of their data.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import CleanString, CleanText, UTCDateTime

# Stable constraint names: Alembic needs them to alter or drop constraints, and SQLite batch mode
# cannot recreate an unnamed one.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TOTAL_AYAHS = 6236  # the canonical ayah index runs 1..6236 (quran.TOTAL_AYAHS; storage stays independent)

COVERAGE_BYTES = (TOTAL_AYAHS + 7) // 8  # a khatm's coverage bitmap

# Readings of at least this many ayahs have a partial index each (long ones are few): a reading that
# reaches ayah `a` starts at most 15 ayahs before it, or is long and starts at most 255 before, or is
# very long (storage.repos.ReadingRepo.windows).
LONG_READING = 17
VERY_LONG_READING = 257

TELEGRAM_GROUP_PER_MINUTE = 20  # messages a bot may send one group a minute (Telegram's limit)

# A surrogate key: BIGINT on Postgres, but SQLite only auto-increments a plain INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _cascade(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("length(language) BETWEEN 2 AND 8", name="language_code"),
        CheckConstraint("length(timezone) BETWEEN 1 AND 64", name="timezone_name"),
        CheckConstraint("grace_days_per_week BETWEEN 0 AND 7", name="grace_days"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # Telegram user id
    first_name: Mapped[str | None] = mapped_column(CleanString(128))
    language: Mapped[str] = mapped_column(String(8), server_default="en")
    timezone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    grace_days_per_week: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the bot is waiting for from this person (e.g. {"awaiting": "timezone"}), as JSON, until
    # `conversation_expires_at`: on the row every update loads anyway, so any instance, after any restart,
    # knows it without one more query (migration 0006).
    conversation: Mapped[str | None] = mapped_column(CleanText)
    conversation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped at every new claim of an update of theirs (a trigger on handled_updates), and checked by the one
    # statement of a log on the optimistic path (storage/optimistic.py): that log is written only if no
    # other update of this person committed since it read the row (migration 0012).
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class Khatm(Base):
    """One full reading of the Quran by one user; exactly one is open at a time."""

    __tablename__ = "khatms"
    __table_args__ = (
        UniqueConstraint("user_id", "number"),
        UniqueConstraint("id", "user_id"),  # target of readings' composite foreign key
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("completed_at IS NULL OR completed_at >= started_at", name="completed_after_start"),
        CheckConstraint(f"length(coverage) <= {COVERAGE_BYTES}", name="coverage_size"),
        Index(
            "ix_khatms_one_open_per_user",
            "user_id",
            unique=True,
            postgresql_where=text("completed_at IS NULL"),
            sqlite_where=text("completed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The union of the khatm's readings as a bitmap (bit i-1 = ayah index i, little-endian, trailing zero
    # bytes trimmed): kept by every log so coverage never needs the readings (tracker.coverage reads it).
    coverage: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class Reading(Base):
    """What a user read: one inclusive range of the canonical ayah index, on one local day."""

    __tablename__ = "readings"
    __table_args__ = (
        CheckConstraint(
            f"start_index >= 1 AND start_index <= end_index AND end_index <= {TOTAL_AYAHS}",
            name="range_valid",
        ),
        CheckConstraint(
            "source IN ('message', 'command', 'reminder', 'circle', 'import')", name="source_known"
        ),
        CheckConstraint("part >= 0", name="part_non_negative"),
        CheckConstraint("length(source_text) <= 4096", name="source_text_length"),
        # The same Telegram update (a webhook retry, a double tap) must not log twice.
        UniqueConstraint("user_id", "update_id", "part"),
        # A reading belongs to a khatm of the same user.
        ForeignKeyConstraint(["khatm_id", "user_id"], ["khatms.id", "khatms.user_id"], ondelete="CASCADE"),
        Index("ix_readings_user_id_local_date", "user_id", "local_date"),
        Index("ix_readings_user_id_recorded_at", "user_id", "recorded_at"),
        Index("ix_readings_khatm_id_start_index", "khatm_id", "start_index"),
        # Long readings only, by start: with them "which earlier readings reach into these ayahs" is a
        # bounded range scan (storage.repos.ReadingRepo.windows), not a scan of the khatm (migration 0013).
        *(
            Index(
                f"ix_readings_long_{length}",
                "khatm_id",
                "start_index",
                postgresql_where=text(f"end_index - start_index >= {length - 1}"),
                sqlite_where=text(f"end_index - start_index >= {length - 1}"),
            )
            for length in (LONG_READING, VERY_LONG_READING)
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    khatm_id: Mapped[int] = mapped_column(Id)
    start_index: Mapped[int] = mapped_column(SmallInteger)
    end_index: Mapped[int] = mapped_column(SmallInteger)
    local_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), server_default="message")
    source_text: Mapped[str | None] = mapped_column(CleanText)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    part: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))


class Goal(Base):
    """What the user aims for: one main goal (a daily amount, or a khatm by a date) and any number of
    surah habits (Al-Mulk every night, Al-Kahf every Friday)."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'khatm_by' AND target_date IS NOT NULL) OR "
            "(kind IN ('ayahs', 'pages', 'juz', 'minutes') AND amount IS NOT NULL AND amount > 0) OR "
            "(kind = 'surah' AND amount BETWEEN 1 AND 114)",
            name="kind_has_its_value",
        ),
        CheckConstraint("weekday IS NULL OR weekday BETWEEN 0 AND 6", name="weekday_range"),
        Index(
            "ix_goals_one_main_goal_per_user",
            "user_id",
            unique=True,
            postgresql_where=text("kind <> 'surah'"),
            sqlite_where=text("kind <> 'surah'"),
        ),
        Index(
            "ix_goals_one_habit_per_surah",
            "user_id",
            "amount",
            unique=True,
            postgresql_where=text("kind = 'surah'"),
            sqlite_where=text("kind = 'surah'"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int | None] = mapped_column(Integer)  # units a day, or the habit's surah
    target_date: Mapped[date | None] = mapped_column(Date)  # khatm_by: the last local day
    weekday: Mapped[int | None] = mapped_column(SmallInteger)  # habit: 0=Monday..6; NULL = every day
    preset: Mapped[str | None] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReadingMinutes(Base):
    """Time spent reading on a local day ("read for 20 minutes"): a minutes goal and the streak count it;
    the khatm does not (it covers no ayahs)."""

    __tablename__ = "reading_minutes"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes_range"),
        UniqueConstraint("user_id", "update_id"),  # a redelivered update logs its minutes once
        Index("ix_reading_minutes_user_id_local_date", "user_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    local_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(SmallInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    update_id: Mapped[int | None] = mapped_column(BigInteger)


class ExcusedDay(Base):
    """A local day the user asked not to count against their streak (private to them)."""

    __tablename__ = "excused_days"
    __table_args__ = (
        CheckConstraint("reason IN ('travel', 'illness', 'menstruation', 'other')", name="reason_known"),
    )

    user_id: Mapped[int] = mapped_column(_cascade("users.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))


class Reminder(Base):
    """A nudge the user wants at a local time; `next_due_at` is precomputed in UTC for the tick's query."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "slot"),
        CheckConstraint("kind IN ('daily', 'streak', 'kahf', 'weekly')", name="kind_known"),
        CheckConstraint("slot BETWEEN 1 AND 5", name="slot_range"),
        Index(
            "ix_reminders_due", "next_due_at", postgresql_where=text("enabled"), sqlite_where=text("enabled")
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    slot: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    local_time: Mapped[time] = mapped_column(Time)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=true())
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """A nudge claimed for sending. The UNIQUE key is what makes a reminder impossible to send twice."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "slot", "local_date"),
        Index("ix_deliveries_claimed_at", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    slot: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    local_date: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the start of its lease (storage/leases.py)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(200))
    # Set (committed) just before the send: an attempted nudge is never retried, so a kill between its
    # send and its mark loses it rather than doubling it. Claimed but never attempted = retried.
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HandledUpdate(Base):
    """A Telegram update already handled, claimed first thing in its unit of work, with what was answered:
    a redelivery (a lost 200, the same update at two instances) gets the first answer again and repeats
    no effect. The FK is checked at commit: the claim comes before the user's row is created."""

    __tablename__ = "handled_updates"
    __table_args__ = (Index("ix_handled_updates_handled_at", "handled_at"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED")
    )
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(CleanText)  # the replies (JSON); NULL while in progress


class RateBudgetRow(Base):
    """A token bucket shared by every instance (storage/rate.py): Telegram's ~30 messages/s is per bot,
    not per process. The row lock taken on each acquire is what makes it one budget (migration 0006)."""

    __tablename__ = "rate_budgets"
    __table_args__ = (CheckConstraint("tokens >= 0", name="tokens_non_negative"),)

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupConfirmations(Base):
    """When a group's /log confirmations went out as texts in the last minute, one window for every
    instance (storage/confirmations.py): the upsert that takes from it locks the row until the update
    commits, so two machines never both see room for the same text (migration 0014, docs/schema.md)."""

    __tablename__ = "group_confirmations"
    __table_args__ = (
        CheckConstraint("chat_id < 0", name="group_chat"),
        CheckConstraint(
            f"json_array_length(sent) <= {TELEGRAM_GROUP_PER_MINUTE}", name="within_telegram_limit"
        ),
    )

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sent: Mapped[list[str]] = mapped_column(JSON)  # ISO 8601 UTC instants


class LoggedMessage(Base):
    """The Telegram message a log came from: an edit of that message corrects the log (docs/schema.md)."""

    __tablename__ = "logged_messages"
    __table_args__ = (Index("ix_logged_messages_logged_at", "logged_at"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    update_id: Mapped[int] = mapped_column(BigInteger)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Circle(Base):
    """A Telegram group that reads together."""

    __tablename__ = "circles"
    __table_args__ = (
        CheckConstraint("mode IN ('khatm', 'wird')", name="mode_known"),
        CheckConstraint("wird_pages IS NULL OR wird_pages BETWEEN 1 AND 20", name="wird_pages_range"),
        CheckConstraint(
            "wird_start_page IS NULL OR wird_start_page BETWEEN 1 AND 604", name="wird_start_page_range"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)  # follows group -> supergroup migration
    title: Mapped[str | None] = mapped_column(CleanString(256))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    announce: Mapped[bool] = mapped_column(Boolean, server_default=false())
    mode: Mapped[str] = mapped_column(String(8), server_default="khatm")
    wird_pages: Mapped[int | None] = mapped_column(SmallInteger)
    # The shared wird: page where it started on `wird_started_on`; each day moves on `wird_pages` pages.
    wird_start_page: Mapped[int | None] = mapped_column(SmallInteger)
    wird_started_on: Mapped[date | None] = mapped_column(Date)
    # Announcement watermark: readings with a greater id have not been announced in this circle yet.
    announced_reading_id: Mapped[int | None] = mapped_column(BigInteger)
    digest_sent_on: Mapped[date | None] = mapped_column(Date)  # the weekly digest's last local day
    # The forum topic the circle lives in (where /circle was last sent; None: General): announced there.
    thread_id: Mapped[int | None] = mapped_column(BigInteger)


class CircleMember(Base):
    __tablename__ = "circle_members"
    __table_args__ = (Index("ix_circle_members_user_id", "user_id"),)

    circle_id: Mapped[int] = mapped_column(_cascade("circles.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KhatmRound(Base):
    """A group khatm: the 30 juz shared out among a circle's members."""

    __tablename__ = "khatm_rounds"
    __table_args__ = (
        UniqueConstraint("circle_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "completed_at IS NULL OR cancelled_at IS NULL", name="not_both_completed_and_cancelled"
        ),
        Index(
            "ix_khatm_rounds_one_open_per_circle",
            "circle_id",
            unique=True,
            postgresql_where=text("completed_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=text("completed_at IS NULL AND cancelled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    circle_id: Mapped[int] = mapped_column(_cascade("circles.id"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)


class JuzAssignment(Base):
    """One juz of a round and its reader. The primary key (round, juz) is what gives a juz one reader."""

    __tablename__ = "juz_assignments"
    __table_args__ = (
        CheckConstraint("juz BETWEEN 1 AND 30", name="juz_range"),
        Index("ix_juz_assignments_user_id", "user_id"),
    )

    round_id: Mapped[int] = mapped_column(_cascade("khatm_rounds.id"), primary_key=True)
    juz: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# ------------------------------------------------------------------------------------------------ hifz
# Memorisation and revision (docs/hifz.md). The review log is the truth; a card is the FSRS state that
# replaying its log gives, kept on the row so the due query is one index range scan.
PAGE_COUNT = 604  # Madani mushaf pages (quran.PAGE_COUNT; storage stays independent)
HIFZ_SOURCES = ("memorised", "message", "command", "review", "reminder", "teacher")


class HifzCard(Base):
    """One memorised page of one user, with its FSRS state (py-fsrs `Card`: state, stability, difficulty,
    due, last review)."""

    __tablename__ = "hifz_cards"
    __table_args__ = (
        CheckConstraint(f"page BETWEEN 1 AND {PAGE_COUNT}", name="page_range"),
        CheckConstraint("state IN (1, 2, 3)", name="state_known"),  # Learning, Review, Relearning
        CheckConstraint("stability > 0", name="stability_positive"),
        CheckConstraint("difficulty BETWEEN 1 AND 10", name="difficulty_range"),
        CheckConstraint("due > last_review", name="due_after_review"),
        CheckConstraint("reps >= 1 AND lapses >= 0 AND lapses < reps", name="counts_valid"),
        Index("ix_hifz_cards_user_id_due", "user_id", "due"),
    )

    user_id: Mapped[int] = mapped_column(_cascade("users.id"), primary_key=True)
    page: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    memorised_on: Mapped[date] = mapped_column(Date)  # the user's local day
    state: Mapped[int] = mapped_column(SmallInteger)
    stability: Mapped[float] = mapped_column(Double)  # days until recall probability falls to 90%
    difficulty: Mapped[float] = mapped_column(Double)  # 1 (easy) .. 10 (hard)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    lapses: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class HifzRevision(Base):
    """One revision (or memorisation, or a recitation a teacher heard) of some pages, with one rating."""

    __tablename__ = "hifz_revisions"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 4", name="rating_range"),  # Again, Hard, Good, Easy
        CheckConstraint("source IN (" + ", ".join(f"'{s}'" for s in HIFZ_SOURCES) + ")", name="source_known"),
        CheckConstraint("mistakes IS NULL OR mistakes BETWEEN 0 AND 999", name="mistakes_range"),
        CheckConstraint("teacher_id IS NULL OR source = 'teacher'", name="teacher_only_for_teacher"),
        UniqueConstraint("user_id", "update_id"),
        Index("ix_hifz_revisions_user_id_local_date", "user_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(_cascade("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    rating: Mapped[int] = mapped_column(SmallInteger)
    rated: Mapped[bool] = mapped_column(Boolean, server_default=false())  # False: the default applied
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mistakes: Mapped[int | None] = mapped_column(SmallInteger)
    update_id: Mapped[int | None] = mapped_column(BigInteger)


class HifzReview(Base):
    """One page of a revision: the FSRS review log entry of one card."""

    __tablename__ = "hifz_reviews"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "page"], ["hifz_cards.user_id", "hifz_cards.page"], ondelete="CASCADE"
        ),
        Index("ix_hifz_reviews_user_id_page", "user_id", "page"),
    )

    revision_id: Mapped[int] = mapped_column(_cascade("hifz_revisions.id"), primary_key=True)
    page: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)


class HifzSettings(Base):
    """A memoriser's routine: the daily revision budget, the three-part routine, the revision reminder."""

    __tablename__ = "hifz_settings"
    __table_args__ = (
        CheckConstraint(f"daily_budget BETWEEN 1 AND {PAGE_COUNT}", name="budget_range"),
        CheckConstraint("routine IN ('fsrs', 'three_part')", name="routine_known"),
        CheckConstraint("sabaq_lines IS NULL OR sabaq_lines BETWEEN 1 AND 150", name="sabaq_range"),
        CheckConstraint("sabqi_pages BETWEEN 1 AND 100", name="sabqi_range"),
        CheckConstraint("default_rating BETWEEN 1 AND 4", name="default_rating_range"),
        CheckConstraint("remind_at IS NOT NULL OR remind_next_at IS NULL", name="next_needs_time"),
        Index(
            "ix_hifz_settings_remind_next_at",
            "remind_next_at",
            postgresql_where=text("remind_next_at IS NOT NULL"),
            sqlite_where=text("remind_next_at IS NOT NULL"),
        ),
    )

    user_id: Mapped[int] = mapped_column(_cascade("users.id"), primary_key=True)
    daily_budget: Mapped[int] = mapped_column(SmallInteger, server_default=text("10"))
    routine: Mapped[str] = mapped_column(String(16), server_default="fsrs")
    sabaq_lines: Mapped[int | None] = mapped_column(SmallInteger)  # the new lesson's target, lines a day
    sabqi_pages: Mapped[int] = mapped_column(SmallInteger, server_default=text("5"))
    default_rating: Mapped[int] = mapped_column(SmallInteger, server_default=text("3"))  # Good
    remind_at: Mapped[time | None] = mapped_column(Time)  # local time of the daily revision reminder
    remind_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # UTC, precomputed for the tick


class Halaqa(Base):
    """A circle run as a hifz halaqa: its teacher hears recitations and sees the shared hifz."""

    __tablename__ = "halaqas"

    circle_id: Mapped[int] = mapped_column(_cascade("circles.id"), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(_cascade("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HifzShare(Base):
    """A member's opt-in: their hifz and revision are visible to this halaqa's teacher."""

    __tablename__ = "hifz_shares"
    __table_args__ = (
        ForeignKeyConstraint(
            ["circle_id", "user_id"],
            ["circle_members.circle_id", "circle_members.user_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["circle_id"], ["halaqas.circle_id"], ondelete="CASCADE"),
    )

    circle_id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)

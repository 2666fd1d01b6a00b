"""What circles say: the round's status, the summary, the board, the digest and the nudges (pure)."""

from __future__ import annotations

import html

from bot.i18n import Translator
from bot.views import amount_text
from tracker.circles import Board, Digest, MemberPeriod, RoundNudge, RoundStatus


def member_count(t: Translator, n: int) -> str:
    return t.plural("circle.count.members", n)


def status_view(status: RoundStatus, t: Translator) -> tuple[str, list[list[tuple[str, str]]]]:
    rnd = status.round
    lines = [
        t(
            "circle.round.title",
            number=t.num(rnd.number),
            done=t.num(status.done_count),
            taken=t.num(status.taken_count),
        )
    ]
    if rnd.deadline:
        lines.append(t("circle.round.deadline", date=t.date(rnd.deadline)))
    readers: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for j in status.juz:
        if j.user_id is not None:
            names[j.user_id] = j.name
            readers.setdefault(j.user_id, []).append(t.num(j.juz) + (" ✅" if j.done else ""))
    for user_id, juz in readers.items():
        lines.append(t("circle.round.reader", name=html.escape(names[user_id]), juz=t.join(juz)))
    free = [t.num(j.juz) for j in status.juz if j.user_id is None]
    if free:
        lines.append(t("circle.round.free", juz=t.join(free)))
    take = [
        (t("circle.button.take", juz=t.num(j.juz)), f"ct:{rnd.id}:{j.juz}")
        for j in status.juz
        if j.user_id is None
    ]
    done = [
        (t("circle.button.done", juz=t.num(j.juz)), f"cd:{rnd.id}:{j.juz}")
        for j in status.juz
        if j.user_id is not None and not j.done
    ]
    rows = [take[i : i + 3] for i in range(0, len(take), 3)] + [
        done[i : i + 3] for i in range(0, len(done), 3)
    ]
    if take:
        rows.append([(t("circle.button.distribute"), f"ca:{rnd.id}")])
    return "\n".join(lines), rows


def summary_text(status: RoundStatus, t: Translator) -> str:
    rnd = status.round
    if rnd.cancelled_at is not None:
        return t("circle.round.cancelled", number=t.num(rnd.number))
    days = max(1, (rnd.completed_at.date() - rnd.started_at.date()).days + 1)
    names = {j.user_id: j.name for j in status.juz if j.user_id is not None}
    lines = [t("circle.round.complete", number=t.num(rnd.number), days=t.plural("count.days", days))]
    for user_id, juz in status.readers().items():
        lines.append(
            t("circle.round.reader", name=html.escape(names[user_id]), juz=t.join([t.num(j) for j in juz]))
        )
    lines.append(t("circle.round.dua"))
    return "\n".join(lines)


def _period_lines(t: Translator, rows: list[MemberPeriod]) -> list[str]:
    lines = []
    for p in rows:
        line = t(
            "circle.board.line",
            name=html.escape(p.name),
            pages=amount_text(t, "pages", p.pages),
            days=t.plural("count.days", p.days),
        )
        if p.streak >= 2:
            line += " " + t("circle.board.streak", n=t.num(p.streak))
        lines.append(line)
    return lines


def _period_total(t: Translator, board: Board, period: str) -> str:
    """ "In all: 12 pages, 3 of 5 members read" for the board's week or month (the board and the digest)."""
    return t(
        "circle.board.total",
        pages=amount_text(t, "pages", getattr(board, f"{period}_pages")),
        active=t.num(getattr(board, f"{period}_active")),
        members=member_count(t, board.member_count),
    )


def board_text(board: Board, t: Translator) -> str:
    lines = [t("circle.board.week")]
    lines += _period_lines(t, board.week) or [t("circle.board.quiet")]
    if board.week:
        lines.append(_period_total(t, board, "week"))
    lines += ["", t("circle.board.month")]
    lines += _period_lines(t, board.month) or [t("circle.board.quiet")]
    if board.month:
        lines.append(_period_total(t, board, "month"))
    lines += ["", t("circle.board.kind")]
    return "\n".join(lines)


def digest_text(digest: Digest, t: Translator) -> str:
    """The weekly digest's words (its picture is the board): last week's totals and the round's status."""
    board = digest.board
    lines = [t("circle.digest.title")]
    if board.week:
        lines.append(_period_total(t, board, "week"))
    else:
        lines.append(t("circle.board.quiet"))
    if digest.status is not None:
        lines.append(
            t(
                "circle.round.title",
                number=t.num(digest.status.round.number),
                done=t.num(digest.status.done_count),
                taken=t.num(digest.status.taken_count),
            )
        )
    return "\n".join(lines)


def nudge_text(nudge: RoundNudge, t: Translator) -> str:
    """The words of a round nudge (tracker.circles.round_nudges_due): private, or a mention in the group
    for members who never started the bot."""
    params = dict(
        number=t.num(nudge.round_number),
        date=t.date(nudge.deadline),
        juz=t.join([t.num(j) for j in nudge.juz]),
    )
    if nudge.in_group:
        mention = f'<a href="tg://user?id={nudge.user_id}">{html.escape(nudge.name)}</a>'
        return t("circle.nudge.group", mention=mention, **params)
    return t("circle.nudge.private", **params)

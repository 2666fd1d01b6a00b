"""The open questions of edits (tracker.corrections): one per message, the newest few, each answered once."""

from __future__ import annotations

from quran import parse_reading
from tracker import corrections

KAHF = parse_reading("Al-Kahf 1-10")
MULK = parse_reading("Al-Mulk")


def _ask(state: dict, message_id: int, edit: int, chat_id: int = 5) -> None:
    corrections.ask_about_edit(
        state, [KAHF, MULK], chat_id=chat_id, message_id=message_id, log_update_id=1, edit_update_id=edit
    )


def test_a_message_has_one_open_question_the_newest():
    state: dict = {}
    _ask(state, 10, edit=100)
    _ask(state, 10, edit=101)  # the same message edited again
    assert list(state[corrections.QUESTIONS]) == ["101"]
    assert state[corrections.QUESTIONS]["101"]["answers"][1] == [[MULK[0].first_index, MULK[0].last_index]]


def test_only_the_newest_questions_stay_open():
    state: dict = {}
    for n in range(corrections.MAX_QUESTIONS + 2):
        _ask(state, 10 + n, edit=100 + n)
    assert len(state[corrections.QUESTIONS]) == corrections.MAX_QUESTIONS
    assert "100" not in state[corrections.QUESTIONS]


def test_another_edit_forgets_the_question_of_its_message_only():
    state: dict = {}
    _ask(state, 10, edit=100)
    _ask(state, 10, edit=101, chat_id=6)  # the same message id in another chat is another message
    corrections.forget_question(state, chat_id=5, message_id=10)
    assert list(state[corrections.QUESTIONS]) == ["101"]
    corrections.forget_question(state, chat_id=6, message_id=10)
    assert corrections.QUESTIONS not in state  # nothing left: the key goes, the state can expire empty
    corrections.forget_question(state, chat_id=6, message_id=10)  # nothing to forget: no error

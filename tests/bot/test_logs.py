"""Every record goes through loguru, and the bot token never reaches a log line."""

from __future__ import annotations

import io
import json
import logging

from loguru import logger

from bot.logs import setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


def test_stdlib_records_go_through_loguru_as_json_lines_without_the_token():
    out = io.StringIO()
    setup_logging("INFO", "json", secrets=[TOKEN], stream=out)
    # What httpx writes for every Bot API call (the token is part of the URL).
    logging.getLogger("httpx").warning('HTTP Request: POST https://api.telegram.org/bot%s/getMe "200"', TOKEN)
    logging.getLogger("telegram.ext.Application").info("Application started")
    logger.bind(update_id=42, user_id=7).info("handled update with {}", TOKEN)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 3
    assert TOKEN not in out.getvalue()
    assert "[REDACTED]" in lines[0]["record"]["message"]
    assert lines[1]["record"]["message"] == "Application started"
    assert lines[2]["record"]["extra"] == {"update_id": 42, "user_id": 7}


def test_any_token_shaped_string_is_redacted_even_if_unknown():
    out = io.StringIO()
    setup_logging("INFO", "text", stream=out)
    logger.error("leaked 987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9 here")
    assert "987654321:ZZ" not in out.getvalue()
    assert "leaked [REDACTED] here" in out.getvalue()


def test_exceptions_with_the_token_are_redacted():
    out = io.StringIO()
    setup_logging("INFO", "text", secrets=[TOKEN], stream=out)
    try:
        raise RuntimeError(f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        logger.exception("send failed")
    assert "send failed" in out.getvalue()
    assert "RuntimeError" in out.getvalue()
    assert TOKEN not in out.getvalue()


def test_level_filters_library_noise():
    out = io.StringIO()
    setup_logging("WARNING", "text", stream=out)
    logging.getLogger("apscheduler.scheduler").info("tick")
    logging.getLogger("sqlalchemy.engine").info("SELECT 1")
    logger.warning("kept")
    assert "tick" not in out.getvalue() and "SELECT 1" not in out.getvalue()
    assert "kept" in out.getvalue()


def test_library_records_keep_their_logger_name():
    out = io.StringIO()
    setup_logging("INFO", "json", stream=out)
    logging.getLogger("telegram.ext.Application").warning("No error handlers are registered")
    record = json.loads(out.getvalue().splitlines()[-1])["record"]
    assert record["name"] == "telegram.ext.Application"
    assert record["function"] == "test_library_records_keep_their_logger_name"


def test_text_lines_show_bound_fields_and_end_cleanly_without_them():
    out = io.StringIO()
    setup_logging("INFO", "text", stream=out)
    logger.info("plain line")
    logger.bind(update_id=42).info("bound line")
    plain, bound = out.getvalue().splitlines()
    assert plain.endswith("plain line")  # no stray " {}"
    assert bound.endswith("bound line {'update_id': 42}")


def test_a_library_record_below_the_level_is_never_built():
    """At INFO, a library's DEBUG call (PTB logs one per update) must stop at `isEnabledFor`, and uvicorn
    must not see TRACE enabled (it would wrap the app in its per-message logging middleware)."""
    out = io.StringIO()
    setup_logging("INFO", "text", stream=out)
    built: list[logging.LogRecord] = []
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(lambda *a, **kw: built.append(factory(*a, **kw)) or built[-1])
    try:
        logging.getLogger("telegram.ext.Application").debug("Processing update %s", 1)
        logging.getLogger("uvicorn.error").log(5, "ASGI message")
        assert built == []
        assert not logging.getLogger("uvicorn.error").isEnabledFor(5)
        logging.getLogger("some.library").info("still heard")
        assert len(built) == 1 and "still heard" in out.getvalue()
    finally:
        logging.setLogRecordFactory(factory)

"""The product's rules: logging readings, khatm progress, streaks, goals, circles, what is due.

Written against a `storage.UnitOfWork` and plain values; no Telegram types here, so the bot and the
scheduler share the same rules.
"""

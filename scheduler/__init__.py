"""The reminder tick: one job a minute asks tracker what is due, claims it, and sends it within
Telegram's limits. Not one job per user: the due reminders are rows, found by an indexed query."""

from scheduler.tick import Nudge, ReminderScheduler, TickReport

__all__ = ["Nudge", "ReminderScheduler", "TickReport"]

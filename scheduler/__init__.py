"""The reminder tick: one job a minute asks tracker what is due, claims it, and sends it within
Telegram's limits. Not one job per user: the due reminders are rows, found by an indexed query."""

from scheduler.tick import Nudge, Outgoing, ReminderScheduler, TickReport

__all__ = ["Nudge", "Outgoing", "ReminderScheduler", "TickReport"]

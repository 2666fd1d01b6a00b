"""Telegram handlers, grouped by concern. Each turns an update into a tracker call and a reply."""

"""Reply due dates in working days (Monday to Friday), TOWNHALL_REPLY_WORKDAYS after sending."""

import datetime as dt

from django.conf import settings

SATURDAY = 5  # date.weekday(): Monday is 0


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day `days` working days after `start` (weekends skipped, public holidays not)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < SATURDAY:
            left -= 1
    return day


def due_date(sent_on: dt.date) -> dt.date:
    """When the reply to a request sent on `sent_on` is due."""
    return add_working_days(sent_on, settings.TOWNHALL_REPLY_WORKDAYS)

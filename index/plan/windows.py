"""When each step of an outreach plan falls: the guide's words on timing, turned into calendar days.

A window is a closed range of days, [start, end]. Where the guide is vague, these rules make it concrete;
each rests on the guide words quoted (content/pre-match-communication-pmr-non-us-img.md):

- Thank-you: "Within 24–72 hours after each interview". From the interview day to two days after it:
  whole days that stay within 72 hours of the interview, whatever its hour.
- Visa question: "Before interview: 0–1 email per program (only if needed)", in the "Pre-interview phase".
  From today to the day before the interview. With no interview date yet, to the rank-list deadline, since
  the guide's reason is the rank list: "This can save you from ranking programs that cannot realistically
  sponsor your visa."
- Step 3: "If you need H-1B, clarify Step 3 requirements and timing early." From today to the day before
  the first interview still ahead; with none ahead, today.
- The interview season: "typically December–February for PM&R": 1 December of the year before the
  rank-list deadline's to the last day of February of the deadline's year.
- Letters of strong interest: "Mid- to late interview season". From mid-season, the middle of the season's
  middle month (15 January), to the season's end.
- Letter of intent: "usually in late January or early February". Early is days 1–10 of a month and late
  is day 21 to its end: 21 January to 10 February.
- Follow-ups: "After interview: 1 thank-you email; possibly 1 follow-up later with updates or letter of
  interest." A letter or update starts after the thank-you window (the third day after the interview), and
  one that carries updates starts on the day the last of them arrives.
- Nothing after the rank list: "After rank list submission: No further emails are usually necessary unless
  requested." Every window ends by the rank-list deadline, and none starts before today.

Dates are clamped to Python's range (years 1 to 9999): a request may carry any valid date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

THANK_YOU_DAYS = 2  # the last whole day within 72 hours of an interview held on day 0
MID_SEASON = (1, 15)  # (month, day): the middle of the season's middle month
INTENT_FROM = (1, 21)  # late January: from the 21st
INTENT_TO = (2, 10)  # early February: to the 10th


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date

    @property
    def empty(self) -> bool:
        return self.start > self.end

    def within(self, start: dt.date, end: dt.date) -> Window:
        return Window(max(self.start, start), min(self.end, end))


def shift(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, held at the first or last date Python can represent."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def _on(year: int, month: int, day: int) -> dt.date:
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, day)


def season(deadline: dt.date) -> Window:
    """December–February before the rank-list deadline: 1 December to the end of February."""
    first_of_march = _on(deadline.year, 3, 1)
    return Window(_on(deadline.year - 1, 12, 1), shift(first_of_march, -1))


def thank_you(interview: dt.date) -> Window:
    return Window(interview, shift(interview, THANK_YOU_DAYS))


def after_thank_you(interview: dt.date | None, today: dt.date) -> dt.date:
    """The first day a follow-up may go: the day after the thank-you window (today when the date is unknown)."""
    return today if interview is None else max(today, shift(interview, THANK_YOU_DAYS + 1))


def before_interview(interview: dt.date | None, today: dt.date, deadline: dt.date) -> Window:
    end = deadline if interview is None else min(deadline, shift(interview, -1))
    return Window(today, end)


def step3(interviews_ahead: list[dt.date], today: dt.date, deadline: dt.date) -> Window:
    end = shift(min(interviews_ahead), -1) if interviews_ahead else today
    return Window(today, min(end, deadline))


def letter_of_interest(deadline: dt.date) -> Window:
    whole = season(deadline)
    return Window(max(whole.start, _on(deadline.year, *MID_SEASON)), whole.end)


def letter_of_intent(deadline: dt.date) -> Window:
    return Window(_on(deadline.year, *INTENT_FROM), _on(deadline.year, *INTENT_TO))


def day_text(day: dt.date) -> str:
    """A date as applicants read it: "January 14, 2027"."""
    return f"{day:%B} {day.day}, {day.year}"

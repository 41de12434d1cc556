"""The planner: an applicant's profile turned into dated steps and warnings, each naming the guide rule it follows.

The rules are index/plan/rules.py's (the guide's words), the dates index/plan/windows.py's. Per program:
- a visa question only when a visa is needed, the program's sponsorship is unknown and its interview is still
  ahead (or not set): at most one, before the interview ("Before interview: 0–1 email per program");
- a program that sponsors no visa the applicant can use is flagged, and gets no letter or update;
- a thank-you within 24–72 hours of each interview;
- at most one follow-up after the interview ("possibly 1 follow-up later with updates or letter of
  interest"), for programs marked top or high only: the letter of intent (the one program marked top), else
  a letter of strong interest, else, outside the letters' windows, an update email when something new
  arrives. A letter carries the updates that arrive by its window's end; a later one is not sent there.
Overall: an H-1B need with Step 3 not done adds "clarify Step 3 requirements and timing early" (with
"either", when some program sponsors H-1B only); two programs marked top get a warning and no letter of
intent; nothing falls after the rank-list deadline, which closes the plan. Nothing here is advice the
guide does not give: each text restates the guide's step for the named program.
"""

from __future__ import annotations

import datetime as dt

from index.plan import windows
from index.plan.model import ActionKind, Note, Profile, Program, Sponsors, Step, Update, Visa, WarningKind
from index.plan.windows import Window, day_text

USABLE: dict[Visa, frozenset[Sponsors]] = {
    "J-1": frozenset({"J-1", "both"}),
    "H-1B": frozenset({"H-1B", "both"}),
    "either": frozenset({"J-1", "H-1B", "both"}),
}
NEED_TEXT: dict[Visa, str] = {"J-1": "a J-1", "H-1B": "an H-1B", "either": "a J-1 or an H-1B"}
SPONSORS_TEXT: dict[Sponsors, str] = {
    "J-1": "sponsors J-1 only",
    "H-1B": "sponsors H-1B only",
    "none": "sponsors no visas",
}
UPDATE_TEXT = {"score": "score", "publication": "publication", "letter": "letter of recommendation"}
LETTERS: dict[ActionKind, tuple[str, str]] = {  # name, and the guide's words for its window
    "letter_of_intent": ("letter of intent", "late January or early February"),
    "letter_of_interest": ("letter of strong interest", "mid- to late interview season"),
}


def cannot_sponsor(profile: Profile, program: Program) -> bool:
    """True when the applicant needs a visa and the program is known to sponsor none they can use."""
    return profile.visa != "none" and program.sponsors != "unknown" and program.sponsors not in USABLE[profile.visa]


def _updates_text(updates: list[Update]) -> str:
    return ", ".join(f"new {UPDATE_TEXT[u.kind]} ({day_text(u.date)})" for u in updates)


class _Planner:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.today, self.deadline = profile.today, profile.rank_list_deadline
        self.updates = sorted(profile.updates, key=lambda u: u.date)
        self.timely = [i for i, u in enumerate(self.updates) if u.date <= self.deadline]  # by the deadline
        self.steps: list[Step] = []
        self.notes: list[Note] = []
        self.sent: set[int] = set()  # indexes into self.updates of the updates some step carries
        self.capped: set[int] = set()

    def note(self, kind: WarningKind, program: str | None, text: str, rule: str) -> None:
        self.notes.append(Note(kind, program, text, rule))

    def run(self) -> tuple[list[Step], list[Note]]:
        if self.deadline < self.today:
            text = (
                f"The rank-list deadline ({day_text(self.deadline)}) is before today ({day_text(self.today)}): "
                "the plan has no steps."
            )
            self.note("after_deadline", None, text, "stop")
            return self.steps, self.notes
        self._step3()
        tops = [p for p in self.profile.programs if p.interest == "top"]
        if len(tops) > 1:
            names = ", ".join(p.name for p in tops)
            text = (
                f"{len(tops)} programs are marked top choice ({names}). A letter of intent goes to one program only, "
                "so the plan has none; each gets a letter of strong interest where the season allows. Mark one "
                "program as top to plan its letter of intent."
            )
            self.note("two_top_choices", None, text, "letter_of_intent")
        for program in self.profile.programs:
            self._program(program, intent=len(tops) == 1 and program is tops[0])
        self._unsent_updates()
        stop = (
            "Rank-list deadline. After you submit your rank list, no further emails to programs are usually "
            "necessary unless requested."
        )
        self.steps.append(Step("stop", None, Window(self.deadline, self.deadline), stop, "stop"))
        return self.steps, self.notes

    def _step3(self) -> None:
        visa, programs = self.profile.visa, self.profile.programs
        h1b_only = [p.name for p in programs if p.sponsors == "H-1B"]
        if self.profile.step3 == "done" or not (visa == "H-1B" or (visa == "either" and h1b_only)):
            return
        ahead = [p.interview_date for p in programs if p.interview_date is not None and p.interview_date > self.today]
        taken = "planned, not yet done" if self.profile.step3 == "planned" else "not yet taken"
        why = "you need an H-1B" if visa == "H-1B" else f"H-1B is the only visa {', '.join(h1b_only)} sponsor(s)"
        text = f"Clarify the programs' Step 3 requirements and timing early: {why}, and Step 3 is {taken}."
        self.steps.append(Step("step3", None, windows.step3(ahead, self.today, self.deadline), text, "step3"))

    def _program(self, program: Program, intent: bool) -> None:
        interview = program.interview_date
        if interview is not None and interview > self.deadline:
            text = (
                f"{program.name}'s interview ({day_text(interview)}) is after the rank-list deadline "
                f"({day_text(self.deadline)}): the plan has no steps for it after the deadline."
            )
            self.note("after_deadline", program.name, text, "stop")
        if cannot_sponsor(self.profile, program):
            text = (
                f"{program.name} {SPONSORS_TEXT[program.sponsors]}, and you need {NEED_TEXT[self.profile.visa]}: "
                "the plan sends it no letter or update."
            )
            self.note("cannot_sponsor", program.name, text, "cannot_sponsor")
        self._visa_question(program)
        if interview is None and not program.interviewed_or_waitlisted:
            text = (
                f"{program.name} has no interview date yet: the plan holds only what the guide allows before an "
                "interview. Add the date when you have it."
            )
            self.note("no_interview_yet", program.name, text, "before_interview")
            if intent:
                self._no_letter(program, "letter_of_intent", "there is no interview with it yet")
            return
        if interview is not None:
            window = windows.thank_you(interview).within(self.today, self.deadline)
            if not window.empty:
                text = (
                    f"Thank-you email to the PD and/or primary interviewers at {program.name}, within 24–72 hours "
                    f"of the interview on {day_text(interview)}: 1–2 specific points from your conversation and "
                    "your interest, without promising or requesting rank positions."
                )
                self.steps.append(Step("thank_you", program, window, text, "thank_you", "thank_you"))
            if interview > self.deadline:
                return
        if program.interest != "normal" and not cannot_sponsor(self.profile, program):
            self._follow_up(program, intent)

    def _visa_question(self, program: Program) -> None:
        if self.profile.visa == "none" or program.sponsors != "unknown":
            return
        interview = program.interview_date
        if (interview is None and not program.interviewed_or_waitlisted) or (interview and interview > self.today):
            when = f" on {day_text(interview)}" if interview else ""
            text = (
                f"Check {program.name}'s website and FREIDA for the visas it sponsors; if that leaves it unclear, send "
                f"one concise email asking about visa sponsorship, before the interview{when}."
            )
            window = windows.before_interview(interview, self.today, self.deadline)
            self.steps.append(Step("visa_question", program, window, text, "visa_question", "visa_question"))
        else:
            text = (
                f"{program.name}'s visa sponsorship is unknown, and the time for a question before its interview has "
                "passed, so the plan has none: confirm whether it sponsors J-1, H-1B, or not at all before you rank it."
            )
            self.note("sponsorship_unknown", program.name, text, "sponsorship_unknown")

    def _follow_up(self, program: Program, intent: bool) -> None:
        first = windows.after_thank_you(program.interview_date, self.today)
        kinds: list[ActionKind] = ["letter_of_intent", "letter_of_interest"] if intent else ["letter_of_interest"]
        for kind in kinds:
            whole = (
                windows.letter_of_intent(self.deadline)
                if kind == "letter_of_intent"
                else windows.letter_of_interest(self.deadline)
            )
            window = whole.within(first, self.deadline)
            if window.empty:
                self._no_letter(program, kind, self._why_closed(whole, program.interview_date))
                continue
            self._carry(program, kind, window)
            return
        if self.timely:
            window = Window(max(first, self.updates[self.timely[-1]].date), self.deadline)
            if not window.empty:
                news = _updates_text([self.updates[i] for i in self.timely])
                text = f"Update {program.name} on your {news}: one email, your one follow-up after the interview."
                self.steps.append(Step("update", program, window, text, "update", "update"))
                self.sent.update(self.timely)

    def _carry(self, program: Program, kind: ActionKind, window: Window) -> None:
        carried = [i for i in self.timely if self.updates[i].date <= window.end]
        if carried:
            window = Window(max(window.start, self.updates[carried[-1]].date), window.end)
        if kind == "letter_of_intent":
            text = (
                f"Letter of intent to {program.name}, and to no other program, only if you are truly committed: "
                "you may state clearly that you plan to rank it first, as long as that is truthful and you will "
                "follow through."
            )
        else:
            text = (
                f"Letter of strong interest to {program.name}: that it is among your top choices, and its fit with "
                "your goals and background, without exact ranking language or promises."
            )
        if carried:
            news = _updates_text([self.updates[i] for i in carried])
            text += f" It is your one follow-up after the interview: include your {news}."
        template = "letter_of_interest" if kind == "letter_of_interest" else None
        self.steps.append(Step(kind, program, window, text, kind, template))
        self.sent.update(carried)
        for i in self.timely:
            u = self.updates[i]
            if u.date > window.end:
                self.capped.add(i)
                text = (
                    f"Your new {UPDATE_TEXT[u.kind]} ({day_text(u.date)}) is not sent to {program.name}: its one "
                    f"follow-up after the interview is the {LETTERS[kind][0]} (by {day_text(window.end)})."
                )
                self.note("follow_up_cap", program.name, text, "follow_up")

    def _why_closed(self, whole: Window, interview: dt.date | None) -> str:
        if self.deadline < whole.start:
            return f"the rank-list deadline ({day_text(self.deadline)}) comes before it"
        if self.today > whole.end:
            return "it has passed"
        return f"the interview ({day_text(interview) if interview else 'no date'}) and its thank-you run past it"

    def _no_letter(self, program: Program, kind: ActionKind, why: str) -> None:
        name, words = LETTERS[kind]
        whole = (
            windows.letter_of_intent(self.deadline)
            if kind == "letter_of_intent"
            else windows.letter_of_interest(self.deadline)
        )
        text = (
            f"No {name} to {program.name}: its window, {words} ({day_text(whole.start)} to "
            f"{day_text(whole.end)}), {why}."
        )
        self.note("letter_window", program.name, text, kind)

    def _unsent_updates(self) -> None:
        for i, u in enumerate(self.updates):
            what = f"Your new {UPDATE_TEXT[u.kind]} ({day_text(u.date)})"
            if u.date > self.deadline:
                text = (
                    f"{what} comes after the rank-list deadline ({day_text(self.deadline)}): the plan sends it to no "
                    "program."
                )
                self.note("after_deadline", None, text, "stop")
            elif i not in self.sent and i not in self.capped:
                text = (
                    f"{what} goes to no program: none marked top or high has interviewed you or placed you on a "
                    "waitlist in time."
                )
                self.note("update_unsent", None, text, "update")


def plan_steps(profile: Profile) -> tuple[list[Step], list[Note]]:
    """The profile's steps (unordered) and warnings, before citations and drafts (index/plan/compose.py)."""
    return _Planner(profile).run()

"""The benchmark's questions: each request a distinct question, so only the cache row hits a cache."""

from __future__ import annotations

from collections.abc import Iterator

# Applicants' questions about the guide; prefixes and suffixes make each request a distinct
# question after normalisation, so only the "repeated question" row can hit a cache.
QUESTIONS = (
    "can I email about visa sponsorship before interviews",
    "how many letters of intent can I send?",
    "should I ask a program directly for a pre-match offer",
    "can I tell more than one program they are my top choice",
    "what should a thank-you email after the interview say",
    "is it okay if my mentor contacts a program for me",
    "when should I send a letter of interest",
    "how often can I email a program coordinator",
    "what is the difference between pre-match communication and a pre-match offer",
    "does a program saying they are very interested mean I will match there",
    "can I ask whether the program sponsors J-1 or H-1B visas",
    "how do I update a program about a new publication",
    "what are the NRMP rules about post-interview communication",
    "can programs ask me how I will rank them",
    "what makes an IMG a strong fit for PM&R",
    "should I send an LOI to more than one program",
    "how long should a post-interview thank-you note be",
    "is it unprofessional to follow up twice",
    "what should I avoid writing in emails to programs",
    "can I mention other interviews in my letter of intent",
    "how do I ask about visa sponsorship politely",
    "why is PM&R unique for international medical graduates",
    "who should I address my thank-you email to",
    "when is the best time to send a letter of intent",
    "can I call a program instead of emailing",
    "what does the ACGME say about pre-match offers",
    "how can mentors help me ethically before the match",
    "should my letter of intent say I will rank them first",
    "what should I do if a program offers me a position before the match",
    "is USCE important for PM&R programs",
    "can I send a research update after my interview",
    "how do I show genuine interest in a program",
    "what is a good subject line for a thank-you email",
    "should I email the PD or the coordinator",
    "can I ask about my chances of matching",
    "is a letter of interest binding",
    "what to write in a post-interview update with a new achievement",
    "do programs keep track of how often I email them",
    "how do I build rapport without overstepping",
    "what is the rank order list deadline",
)
PREFIXES = (
    "",
    "hi, ",
    "quick question: ",
    "as a non-US IMG, ",
    "please tell me ",
    "I wonder ",
    "sorry, ",
    "so ",
    "hello! ",
)
SUFFIXES = (
    "",
    " thanks",
    " this season",
    " for PM&R",
    " right now",
    " in my case",
    " please",
    " as an IMG",
    " ok",
    " now",
)


def question_pool() -> Iterator[str]:
    for suffix in SUFFIXES:
        for prefix in PREFIXES:
            for question in QUESTIONS:
                yield f"{prefix}{question}{suffix}"


class Questions:
    """Hands out each distinct question once: one of these per server (a cache lives in a server)."""

    def __init__(self) -> None:
        self._pool = question_pool()

    def take(self, n: int) -> list[str]:
        taken = [q for _, q in zip(range(n), self._pool, strict=False)]
        if len(taken) < n:
            raise RuntimeError("the question pool is exhausted: lower the request counts")
        return taken

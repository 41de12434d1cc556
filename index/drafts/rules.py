"""What the guide warns against in an email to a program, as sentence-level patterns.

A rule fires on a sentence when every regex of one of its pattern groups matches that sentence
(so "a request" and "about my rank" can be written once and combined), and none of its `unless`
patterns do. Each rule names the query that finds the guide passage it rests on and the guide
phrases that passage must contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["problem", "caution", "tip"]
SEVERITIES: tuple[Severity, ...] = ("problem", "caution", "tip")

A = "['’]"  # applicants type both apostrophes
I_WILL = rf"\bi(?:{A}ll|{A}d| will| would| shall| am going to|{A}m going to| plan to| intend to| promise to)"
# A question, or a sentence that asks for something, however politely.
REQUEST = (
    r"(?:\?|\b(?:can|could|would|will|may)\s+(?:you|i)\s+(?:please\s+|kindly\s+)?"
    r"(?:tell|let|share|know|ask|confirm|inform|indicate|disclose|give|reveal|say|provide|offer|advise)\b"
    rf"|\blet\s+me\s+know\b|\bi(?:{A}d|\s+would)\s+(?:really\s+)?(?:like|love|appreciate|be\s+grateful)\b"
    r"|\b(?:wondering|curious|wonder)\b|\bplease\s+(?:tell|let|share|confirm|inform|indicate|advise)\b"
    r"|\b(?:any|an|some)\s+(?:idea|indication|information|insight|sense|update)\b)"
)
FIRST = r"(?:first|1st|#\s?1|number\s?(?:one|1)|no\.\s?1|(?:at\s+)?the\s+(?:very\s+)?top|highest)"
PREMATCH = r"pre[\s-]?match"
NOT_GOOD = r"not\s+(?:very\s+|that\s+|so\s+|particularly\s+|really\s+)?(?:great|good|strong|competitive|impressive|the\s+best|the\s+strongest)"
NEGATIVE = (
    r"\b(?:disorganized|unorganized|unprofessional|rude|cold|toxic|malignant|terrible|awful|horrible|chaotic|boring"
    r"|unwelcoming|uninterested|dismissive|disappointing|disaster|waste|worse|arrogant|unfriendly|mediocre|inferior"
    r"|miserable|unhappy|burn(?:ed|t)[\s-]out|overworked|disrespectful|hostile"
    r"|treated\s+me\s+(?:badly|poorly|unfairly)|did\s+not\s+care|didn['’]t\s+care)\b"
)


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    message: str  # "{match}" is replaced by the text that matched
    query: str  # retrieval query for the guide passages the rule rests on
    phrases: tuple[str, ...]  # a cited passage must contain one of these (guide text)
    patterns: tuple[tuple[re.Pattern[str], ...], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    yields_to: tuple[str, ...] = ()  # dropped on a sentence where one of these rules fired


def _group(*regexes: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(r, re.IGNORECASE) for r in regexes)


def _any(*regexes: str) -> tuple[tuple[re.Pattern[str], ...], ...]:
    return tuple(_group(r) for r in regexes)


SENTENCE_RULES: tuple[Rule, ...] = (
    Rule(
        "quid_pro_quo",
        "problem",
        "This trades your ranking for theirs. The guide says never to suggest a quid pro quo such as "
        '"if you promise to rank me highly, I\'ll rank you first".',
        "Suggest a quid pro quo: if you promise to rank me highly, I'll rank you first",
        ("quid pro quo",),
        (
            _group(
                r"\b(?:if|as\s+long\s+as|provided(?:\s+that)?|only\s+if|once)\s+(?:you|your\s+program)\b[^.?!]{0,60}?"
                r"\b(?:rank|promise|commit|guarantee|assure|offer|do\s+the\s+same|reciprocate)",
                rf"\b(?:i|i{A}ll|i{A}d|i{A}m|then\s+i)\b[^.?!]{{0,50}}?\b(?:rank|put|place|list)\w*\s+\S",
            ),
            _group(r"\bin\s+(?:exchange|return)\b", r"\b(?:rank|commit|promise|match|position|spot)"),
            _group(r"\b(?:mutual|reciprocal)\s+(?:commitment|ranking|agreement|understanding)"),
            _group(r"\b(?:do\s+the\s+same|reciprocate)\b", r"\brank"),
        ),
    ),
    Rule(
        "ask_rank",
        "problem",
        "This asks how the program will rank you. Programs may not ask you how you will rank them, and you "
        "may not ask them about your ranking position. Ask about the program instead, or simply restate your interest.",
        "Programs may not ask you how you will rank them; ask the program directly about your specific ranking position",
        ("Ask the program directly about your specific ranking position", "Ask you how you will rank them"),
        (
            _group(
                REQUEST,
                rf"(?:\brank(?:ed|ing)?\s+me\b|\bmy\s+(?:chances?|odds|likelihood)\b|\bmy\s+(?:rank|ranking|position|place|spot)\b(?!\s+(?:list|order))"
                rf"|\bi\s+(?:will\s+be|would\s+be|am|was|{A}m|{A}ll\s+be)\s+(?:\w+\s+){{0,2}}?ranked\b"
                r"|\b(?:on|in)\s+your\s+rank(?:ing)?\s+(?:list|order)|\bhow\s+(?:high|highly|well|far\s+up)\s+(?:i|you)\b)",
            ),
            _group(REQUEST, r"\bwhat\s+(?:rank|position|number|place)\b[^.?!]{0,30}\b(?:me|i)\b"),
            _group(
                REQUEST,
                r"\b(?:do|will|would)\s+i\s+(?:have|stand)\s+a\s+(?:good\s+|real\s+|realistic\s+|reasonable\s+)?chance\b",
            ),
            _group(
                REQUEST,
                r"\b(?:will|would|am|if|whether)\s+i\s+(?:will\s+|would\s+|am\s+)?(?:likely\s+to\s+|going\s+to\s+)?"
                r"(?:match|be\s+(?:matched|ranked)|ranked)\b",
            ),
        ),
        yields_to=("quid_pro_quo",),
    ),
    Rule(
        "commitment",
        "problem",
        "This asks for or offers a commitment about the Match. Programs and applicants must not ask for or make "
        "commitments about rank order: say you remain very interested, without promises.",
        "Programs and applicants must not ask for or make commitments about rank order",
        ("must not ask for or make commitments", "Pressure a program to make a verbal commitment"),
        (
            *_any(
                r"\b(?:can|could|would|will)\s+you\s+(?:please\s+|kindly\s+)?(?:promise|guarantee|commit)\b",
                r"\b(?:promise|guarantee)\s+me\b",
                r"\bi\s+(?:promise|commit|guarantee|pledge|swear|assure\s+you)\b[^.?!]{0,60}\b(?:rank|match|accept|come|sign|join|choose)",
                r"\bi\s+am\s+(?:fully\s+|completely\s+|100%\s+)?committed\s+to\s+(?:rank|match|accept|com|join|sign)",
                r"\byou\s+have\s+my\s+(?:word|promise|commitment|guarantee)\b",
                rf"{I_WILL}\s+(?:definitely\s+|certainly\s+)?rank\s+(?:you|your\s+program|[\w&]+)\s+(?:very\s+)?(?:highly|high|near\s+the\s+top|in\s+my\s+top)",
            ),
            _group(REQUEST, r"\b(?:commitment|guarantee|assurance|promise)\b"),
            _group(
                r"\b(?:confirm|assure|guarantee|promise|ensure)\b",
                rf"\b(?:i|me)\s+(?:will|would|{A}ll)\s+(?:definitely\s+)?"
                r"(?:match|be\s+(?:ranked|matched|offered|accepted)|get\s+(?:a|the)\s+(?:spot|position|place))",
            ),
        ),
        yields_to=("quid_pro_quo",),
    ),
    Rule(
        "outside_match",
        "problem",
        "This asks for a position outside the Match. Binding pre-match offers are not allowed for programs in the "
        "NRMP Main Match, and asking for one can make programs uncomfortable.",
        "Should I directly ask for a pre-match offer? Binding pre-match offers are not allowed",
        ("Asking for a pre-match offer", "Binding pre-match offers are not allowed"),
        (
            *_any(
                rf"\b{PREMATCH}\s+(?:offer|position|spot|contract|agreement|deal|seat|place|acceptance|option|arrangement)",
                rf"\b(?:a|any)\s+{PREMATCH}(?:\s*[?.,!]|\s+(?:or|for|with|before|at|in|here|possible|available)\b|$)",
                r"\b(?:early|direct|binding)\s+(?:offer|contract|commitment|acceptance|appointment)",
                r"\boffer\s+me\s+(?:a|the|your)\s+(?:position|spot|place|seat|residency|contract)",
                r"\bsign\s+(?:a|the|your)\s+contract\s+(?:now|early|today|before)",
            ),
            _group(
                r"\boutside\s+(?:of\s+)?the\s+(?:nrmp\s+|main\s+)?match\b",
                r"\b(?:position|spot|offer|contract|place|seat|sign|accept|join)",
            ),
            _group(
                r"\b(?:before|ahead\s+of|prior\s+to)\s+(?:the\s+)?match\b",
                r"\b(?:offer|sign|contract|secure|guarantee|position|spot)",
                REQUEST,
            ),
        ),
        unless=_group(
            rf"\b(?:not\s+allowed|not\s+permitted|(?:is|are)n{A}t\s+allowed|against\s+(?:the\s+)?(?:nrmp\s+)?rules)\b"
        ),
    ),
    Rule(
        "begging",
        "problem",
        "This reads as begging or emotional pressure. The guide says to write like a future colleague, not a "
        "desperate applicant: no overly emotional language and no emotional pressure.",
        "Avoid overly emotional language (I am begging you for a chance) and emotional pressure",
        ("Overly emotional language", "no emotional pressure"),
        _any(
            r"\bbeg(?:ging)?\b",
            r"\bplease[,!\s]+please\b",
            r"\bdesperat(?:e|ely|ion)\b",
            r"\b(?:my|the)\s+(?:last|only|final)\s+(?:chance|hope|option)\b",
            rf"{I_WILL}\s+do\s+anything\b",
            r"\bgive\s+me\s+(?:a|one|this)\s+(?:chance|shot)\b",
            r"\b(?:my|our)\s+(?:whole\s+|entire\s+)?(?:family|life|future|career|dreams?|everything)\s+(?:depends|depend|rests|hangs|relies)\b",
            r"\b(?:sacrificed|given\s+up)\s+(?:everything|so\s+much)\b",
            rf"\bi\s+(?:can(?:not|{A}t)|could(?:n{A}t|\s+not))\s+(?:afford|bear|survive|go\s+on|face)\b",
            r"\bhave\s+mercy\b",
            rf"\b(?:i\s+am|i{A}m)\s+(?:crying|in\s+tears|heartbroken|losing\s+hope|running\s+out\s+of\s+(?:time|options|hope))\b",
            r"\b(?:will|would)\s+be\s+(?:devastated|destroyed|heartbroken|crushed)\b",
            r"\b(?:really|truly|desperately|badly)\s+need\s+(?:this|a|the)\s+(?:spot|position|chance|match|residency|place)\b",
            r"\bpray(?:ing|ed)?\b",
        ),
    ),
    Rule(
        "self_criticism",
        "problem",
        "This puts yourself down. The guide warns against excessive self-criticism (\"I know I'm a weak "
        'applicant"): state your strengths and what you would bring instead.',
        "Avoid excessive self-criticism: I know I'm a weak applicant",
        ("Excessive self-criticism",),
        _any(
            rf"\b(?:i\s+(?:know|realize|understand|admit|recognize)|admittedly|i\s+am\s+aware|i{A}m\s+aware)\s+(?:that\s+)?"
            rf"(?:i{A}m|i\s+am|i\s+was|i\s+have|i{A}ve|my\s+\w+(?:\s+\w+)?\s+(?:is|are|was|were))\b[^.?!]{{0,40}}"
            rf"\b(?:weak|weaker|{NOT_GOOD}|not\s+(?:the\s+)?(?:most\s+competitive|ideal|perfect)|mediocre|average|low|poor|below"
            r"|unimpressive|less\s+(?:competitive|qualified|impressive)|red\s+flags?|lack)",
            rf"\b(?:i{A}m|i\s+am)\s+(?:just\s+|only\s+|probably\s+|admittedly\s+)?(?:an?\s+)?(?:weak|weaker|mediocre|average|unremarkable"
            r"|poor|below[\s-]average|subpar|unimpressive|not\s+(?:a\s+)?(?:strong|competitive|great|good|impressive))\s+"
            r"(?:applicant|candidate|student|physician|doctor)",
            r"\bmy\s+(?:\w+\s+){0,3}?(?:scores?|application|cv|grades|profile|record|step\s*\d\s*(?:ck)?|english)\s+(?:is|are|was|were)\s+"
            rf"(?:very\s+|quite\s+|really\s+|so\s+|rather\s+|admittedly\s+)?(?:low|weak|poor|bad|mediocre|terrible|embarrassing|{NOT_GOOD})",
            r"\b(?:not|never)\s+(?:good|smart|strong|qualified|competitive)\s+enough\b",
            rf"\bi\s+(?:do\s+not|don{A}t)\s+deserve\b",
            rf"\b(?:i\s+am|i{A}m)\s+not\s+worthy\b",
            r"\bmy\s+(?:many\s+)?(?:weaknesses|shortcomings|flaws|deficiencies|failures)\b",
            r"\b(?:despite|although|even\s+though|though)\s+my\s+(?:low|weak|poor|mediocre|bad|average|unimpressive)\b",
        ),
    ),
    Rule(
        "negative_comparison",
        "problem",
        "This puts other programs down. The guide warns against comparing programs negatively or complaining "
        "about other programs: say what draws you to this one.",
        "Avoid comparing programs negatively; no complaining about other programs",
        ("Comparing programs negatively", "no complaining about other programs"),
        (
            _group(
                r"\b(?:better|superior|worse|(?!rather\b)\w+er|more\s+(?!interested|excited|drawn|enthusiastic|eager)\w+)\s+than\s+"
                r"(?:those\s+(?:at|in|of)\s+)?(?:the\s+)?(?:others\b|(?:any|all(?:\s+the)?|every|most|many)\s+other\b|most|many|the\s+rest"
                r"|(?:other\s+)?(?:programs|places|residencies|institutions)|(?:program|residency|hospital)s?\s+(?:at|in)\b)"
            ),
            _group(
                r"\bunlike\s+(?:other|the\s+other|many|most|some|the\s+rest|programs?|places|the\s+(?:program|residency|hospital)s?\s+(?:at|in))\b"
            ),
            _group(
                r"\b(?:other|another|previous|last|some)\s+(?:programs?|interviews?|places|residenc(?:y|ies)|institutions?)\b",
                NEGATIVE,
            ),
            _group(r"\b(?:interview|program|residents?|faculty|program\s+director)\s+(?:at|in|from)\s+\S+", NEGATIVE),
            _group(r"\b(?:compared\s+(?:to|with)|in\s+contrast\s+to)\b", NEGATIVE),
        ),
    ),
    Rule(
        "repeated_followup",
        "problem",
        "This is a repeated follow-up after no response. The guide warns against sending repeated follow-up "
        "emails when you receive no response: one thank-you and at most one later update is the norm.",
        "Sending repeated follow-up emails when you receive no response; how often is too often",
        ("Sending repeated follow-up emails when you receive no response", "email multiple times"),
        _any(
            r"\bfollow(?:ing)?[\s-]?up\s+(?:again|once\s+(?:more|again)|one\s+more\s+time|(?:for\s+)?(?:the|a)\s+(?:second|third|fourth|fifth)\s+time)\b",
            rf"\b(?:have\s+not|haven{A}t|had\s+not|hadn{A}t|did\s+not|didn{A}t)\s+(?:yet\s+)?(?:heard|received|gotten|got)\s+"
            r"(?:back|a\s+(?:reply|response|word)|any\s+(?:reply|response|word|answer)|an?\s+(?:answer|update)|anything)",
            r"\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|several|multiple)\s+(?:emails?|messages?|time\s+(?:i|that\s+i)\s+(?:am|have))\b",
            r"\b(?:emailed|written|wrote|reached\s+out|contacted|messaged)\s+(?:to\s+)?(?:you\s+|your\s+office\s+|the\s+program\s+)?"
            r"(?:several|multiple|many|a\s+few|two|three|four|\d+|a\s+couple\s+of)\s+times\b",
            rf"\b(?:i\s+am|i{A}m|i\s+wanted\s+to|i\s+will|just)\s+(?:just\s+)?re-?send(?:ing)?\b",
            rf"\bin\s+case\s+(?:you\s+(?:missed|did\s+not\s+see|didn{A}t\s+see)|my\s+(?:previous|last|earlier|prior)\s+(?:email|message))",
            r"\bmy\s+(?:previous|last|earlier|prior)\s+(?:emails|messages)\b",
            r"\bstill\s+(?:waiting|awaiting)\s+(?:for\s+)?(?:a|your|any)\s+(?:reply|response|answer)",
            r"\b(?:checking|writing|reaching\s+out)\s+(?:in\s+|back\s+)?(?:again|once\s+more)\b",
        ),
    ),
    Rule(
        "first_choice",
        "caution",
        "This tells the program it is your first choice. That is allowed, but say it to only one program, and "
        'only if you will actually rank them first; to others, say they are "among your top choices".',
        "Can I tell more than one program that they are my top choice? Say this to only one program",
        ("Say this to only one program", "Sent to only one program"),
        _any(
            r"\b(?:is|are|remains?|be|as|was)\s+(?:still\s+|clearly\s+|definitely\s+|truly\s+|now\s+)?my\s+(?:very\s+|absolute\s+|clear\s+|true\s+)?"
            r"(?:top|first|1st|#\s?1|number\s?(?:one|1)|no\.\s?1)[\s-]*(?:choice|program|pick|option|preference)\b",
            r"\bmy\s+(?:#\s?1|number\s?(?:one|1)|no\.\s?1)(?!\d)",
            r"\bmy\s+(?:very\s+|absolute\s+|clear\s+|true\s+)?(?:first|1st|top)[\s-]+choice\b",
            rf"\bi(?:{A}ll|{A}ve|{A}m| will| would| have| plan to| intend to| am| shall)\s+(?:\w+\s+){{0,3}}?rank(?:ed|ing)?\s+"
            rf"(?:[\w&.’'-]+\s+){{0,5}}?(?:as\s+(?:my\s+)?)?{FIRST}(?![\w-])",
            r"\b(?:top|head)\s+of\s+my\s+(?:rank(?:ing)?|match|rank\s+order)\s+list\b",
        ),
        yields_to=("quid_pro_quo",),
    ),
    Rule(
        "placeholder",
        "problem",
        '"{match}" is a template placeholder left in the draft: replace it with your own details. The guide\'s '
        "templates are to be adapted and personalized, never copied word for word.",
        "Adapt and personalize the templates, never copy word-for-word",
        ("Adapt and personalize them",),
        _any(
            r"\[[^\[\]\n]{0,80}[a-z][^\[\]\n]{0,80}\]",
            r"<\s*(?:program|name|date|your|dr|insert|school|last|first|specialty|hospital|pd|coordinator)[^<>\n]{0,40}>",
            r"\{\{?[^{}\n]{1,40}\}?\}",
            r"\bX{3,}\b",
            r"_{3,}",
            r"\binsert\s+(?:your\s+|the\s+)?(?:name|program|date|school)\b",
        ),
    ),
)

# Rules over the whole draft rather than one sentence; drafts.py decides where each one fires.
LENGTH = Rule(
    "length",
    "caution",
    "The draft is {words} words; the guide asks for concise emails, and its longest template is {longest} words. "
    "Trim it to under {limit} words: 1–2 specific points and your interest are enough. It passes that length here.",
    "Send a concise thank-you email; communication should be concise, direct, easy to understand",
    ("concise, direct, easy to understand", "Send a concise thank-you email"),
)
SUBJECT = Rule(
    "subject",
    "tip",
    "There is no subject line. The guide's templates all start with one that says what the email is "
    '(e.g. "Thank You – PM&R Interview on [Date]").',
    "Example post-interview thank-you email template subject line",
    ("Subject: Thank You",),
)
SALUTATION = Rule(
    "salutation",
    "tip",
    "The email does not open with a formal salutation. The guide asks for professionalism: formal salutations, "
    'no slang, as in its templates ("Dear Dr. [Last Name],").',
    "Professionalism: correct spelling, formal salutations, no slang",
    ("formal salutations",),
)
RULES: tuple[Rule, ...] = (*SENTENCE_RULES, LENGTH, SUBJECT, SALUTATION)
SUBJECT_LINE = re.compile(r"^\s*(?:subject(?:\s+line)?|re|title)\s*:", re.IGNORECASE)
FORMAL_GREETING = re.compile(
    r"^\s*(?:dear|respected|to\s+whom|good\s+(?:morning|afternoon|evening|day)|greetings|hello)\b", re.IGNORECASE
)

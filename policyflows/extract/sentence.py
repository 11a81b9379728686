"""One sentence, read for data practices: mentions, practice verbs, clauses and spans to ignore.

The pieces here know nothing about the policy around the sentence; policyflows.extract.extractor
carries the context (definition items, lead-ins, references) from one sentence to the next.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from policyflows.extract.cues import CaselessPattern, Cues


# Words that, just before a verb form, make it a noun or an adjective ("the use of", "your collection",
# "this automatically collected data") rather than a practice someone performs.
_DETERMINER = CaselessPattern(
    r"(?:\b(?:the|your|our|its|their|his|her|this|that|these|those|any|such|of|for|general|continued|"
    r"proposed|secure|a|an|app|data|whose|further|all|other|no|same|in|by|about|without)\s+"
    r"(?:\w+ly\s+)?|\b(?:collection|disclosure|use|processing|sharing|storage|transfer|access|correction)"
    r"(?:\s+of\s+[\w\s]{0,30}?)?,?\s+(?:and/or\s+|or\s+|and\s+)?)$")
# "that"/"which"/"who" right after a plural noun opens a relative clause whose verb is a practice
# of that noun ("partners who collect", "companies that share"); "of that use" is a determiner's
_RELATIVE_SUBJECT = re.compile(r"\b[a-z]{3,}s\s+(?:that|which|who)\s+(?:(?:may|might|can|could|will|would|also|often)\s+){0,2}$",
                               re.IGNORECASE)
# "our" right before a gerund with an object: the company's act ("consent to our sharing your data with …")
_OUR_GERUND = re.compile(r"\bour\s+$", re.IGNORECASE)
# A nominal practice that is itself the subject: "Disclosure may be made to …".
_NOMINAL_SUBJECT = CaselessPattern(r"^\s+(?:of [^.;]{0,80}?)?(?:may|will|shall|can|is|are|would)\s+(?:be\s+|also\s+)*"
                              r"(?:made|carried out|occur|take place|shared|disclosed|provided)")
# (not "that may": "ad networks that may use your browsing history" is a relative clause)
_DETERMINER_ADJECTIVE = CaselessPattern(r"\b(?:the|a|an|any|such|this|that|its|our|your|their)\s+"
                                        r"(?!(?:may|might|can|could|will|would|shall|should|must|also|often)\s)[a-z-]+\s+$")
_PASSIVE_AUX = CaselessPattern(r"\b(?:is|are|was|were|be|been|being|get|gets|got)\s+(?:\w+ly\s+|not\s+|never\s+|also\s+|only\s+|always\s+|then\s+)*$")
# An infinitive ends the object of use/collect: "use all reasonable efforts to safeguard your data".
INFINITIVE = re.compile(r"(?<!limited )\bto (?!(?:us|our|the|a|an|third|other|your|any|its|their|these|those|such|all|each|"
                        r"and|or|be|that|this|which|whom|you|them|him|it|his|my|me|each|every|some|many|one|two)\b)[a-z]+\b(?<!ing)")
# A clause that opens with a bare imperative addresses the reader: "Publish, transmit or store any content …".
_IMPERATIVE_START = re.compile(r"^\s*(?:[\d.]+\s*|[(]?[a-z0-9]{1,3}[.)]\s*|[·•\-–]\s*)?$")
# the verbs of leave: the party after one performs the infinitive ("allow third parties to use …", "let us access …")
LEAVE_VERBS = r"(?:allow|allows|allowed|permit|permits|permitted|authori[sz]e|authori[sz]es|authori[sz]ed|let|lets|enable|enables|enabled)"
_ALLOWED_US = re.compile(r"\b" + LEAVE_VERBS + r"\s+us\s+to\s+(?:\w+ly\s+)?$", re.IGNORECASE)
PLEASE = re.compile(r"\s*(?:[(]?[a-z0-9]{1,3}[.)]\s*)?please\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_PERSONAL_USE_NOUN = CaselessPattern(r"^\s+(?:of|by)\b")
_CLAUSE_BREAK = re.compile(r";|\s+but\s+(?!not\s+limited\b)|,\s*however\b|,\s*whereas\b|:\s(?=(?-i:[A-Z]))", re.IGNORECASE)
# A colon after a lead-in opens the list of what the clause is about: "we collect the following: Name, …".
_LIST_COLON = re.compile(r"(?:following|includes?|included|including|such as|as follows|namely|e\.g\.|these|"
                         r"collect|collects|collected|gather|receive|obtain|limited to)"
                         r"(?:\s+(?:(?:types?|kinds?|categories|pieces) of\s+)?(?:personal\s+)?(?:data|information|details|items))?\s*$",
                         re.IGNORECASE)  # "… may collect the following data: User ID, …" too
# "… collect the following information when you use our Services:": the colon still opens the list
_THE_FOLLOWING = re.compile(r"\bthe following\b(?![^:]*\b(?:we|you)\s+(?:may|will|can)\b)", re.IGNORECASE)
# a list opened in the clause ("such as", "including") goes on past a semicolon unless a new clause starts there
_LIST_OPENER = re.compile(r"\b(?:such as|including|includes?|e\.g\.|for example|for instance|namely)\b", re.IGNORECASE)
_NEW_CLAUSE = re.compile(r"\s*(?:and\s+|but\s+|or\s+)?(?:we|you|they|it|this|these|those|our|such|if|when|however|in addition|also)\b",
                         re.IGNORECASE)
_COORDINATION = re.compile(r"^[\s,]*(?:(?:and|or|and/or|to and|to or|otherwise|also|then|\w+ing|,)\s*)+$", re.IGNORECASE)
_SKIP_PARENTHESIS = re.compile(r"\((?:which|who|that|as defined|defined|as described|see|hereinafter|collectively)\b[^)]*\)",
                               re.IGNORECASE)
_LAW_CONTEXT = re.compile(r"(?:laws?|legislation|regulations?|courts?|governed|jurisdiction|signed|citizens?|residents?|"
                          r"users?|union|protection)\W+(?:\w+\W+){0,3}$", re.IGNORECASE)
MODALS = re.compile(r"\b(?:may|might|can|could|will|shall|would|must|should|do|does|did)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass
class Verb:
    """A practice verb found in the sentence: its action and where it stands."""

    action: str
    start: int
    end: int
    text: str
    passive: bool = False
    modality: str = "will"
    by_user: bool = False  # a verb of what the person gives ("you provide"): the company collects
    rule: str = ""  # the practices.yaml record that found it
    subject_receives: bool = False  # "vendors have access to …": the subject is the recipient
    default_recipient: str | None = None  # the recipient kind its rule implies when none is named ("public")
    conditional: bool = False  # inside a condition: "if you provide your email address, …" states a possible collection


@dataclass
class SentenceView:
    """A sentence with everything the extractor looks up in it, computed once."""

    text: str
    offset: int  # where the sentence starts in the document text
    section: str | None
    data: list = field(default_factory=list)
    recipients: list = field(default_factory=list)
    purposes_found: list = field(default_factory=list)
    places: list = field(default_factory=list)
    verbs: list[Verb] = field(default_factory=list)
    ignored: list[Span] = field(default_factory=list)  # conditions, parenthetical descriptions
    excluded: list[Span] = field(default_factory=list)  # data named only to be left out ("excluding your name")
    purpose_spans: list[Span] = field(default_factory=list)
    condition_spans: list[Span] = field(default_factory=list)
    label_end: int = 0  # end of a definition-item label ("Cloud cached video:"), 0 when none
    actions: list | None = None  # action-cue matches after the label (see action_matches), found once
    _breaks: list | None = None  # clause breaks, found on first use
    _bounds: dict = field(default_factory=dict)  # position -> its clause bounds, found on first use
    _searched: dict = field(default_factory=dict)  # pattern -> its first match in the text, see search()
    legal_bases: list | None = None  # DPV legal bases named in the sentence, found on first use

    def search(self, pattern: re.Pattern) -> re.Match | None:
        """``pattern.search(self.text)``, found once: each statement of a sentence asks the same questions."""
        if pattern not in self._searched:
            self._searched[pattern] = pattern.search(self.text)
        return self._searched[pattern]

    def clause_bounds(self, pos: int) -> tuple[int, int]:
        # asked for each verb by every reader of it (actor, data, recipients, purposes, modality)
        bounds = self._bounds.get(pos)
        if bounds is None:
            bounds = self._bounds[pos] = self._clause_bounds(pos)
        return bounds

    def _clause_bounds(self, pos: int) -> tuple[int, int]:
        if self._breaks is None:
            breaks, listing, last = [], False, 0
            for m in _CLAUSE_BREAK.finditer(self.text):
                if m.group(0)[0] == ":" and (_LIST_COLON.search(self.text, 0, m.start())
                                             or _THE_FOLLOWING.search(self.text, last, m.start())):
                    listing = True  # "… the following information: your age; your name; …": the items are one list
                    continue
                if m.group(0) == ";" and not listing and not _NEW_CLAUSE.match(self.text, m.end()) and (
                        _LIST_OPENER.search(self.text, last, m.start())
                        or any(_LIST_COLON.search(self.text, 0, c.start()) for c in re.finditer(":", self.text[:m.start()])
                               if c.start() >= last)):
                    listing = True  # "… such as demographic data; information about your device, …": one list too
                if not (listing and m.group(0) == ";"):
                    breaks.append((m.start(), m.end()))
                    listing, last = False, m.end()
            self._breaks = breaks
        start, end = self.label_end, len(self.text)
        for b_start, b_end in self._breaks:
            if b_end <= pos and b_end > start:
                start = b_end
            elif b_start >= pos:
                end = b_start
                break
        return start, end

    def doc_spans(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        """Offsets in the sentence as document offsets, in the form of Term.spans."""
        return ((self.offset + start, self.offset + end),)

    def in_ignored(self, start: int, end: int) -> bool:
        return any(s.covers(start, end) for s in self.ignored)

    def in_purpose(self, start: int, end: int) -> bool:
        return any(s.covers(start, end) for s in self.purpose_spans)


# A definition item opens with a short label and a colon: "Cloud cached video: when …".
_ITEM_LABEL = re.compile(r"^\s*[·•\-–]?\s*([A-Z][^:.;!?]{1,80}?)\s*:\s+(?=\S)")


def item_label_end(text: str, cues: Cues) -> int:
    m = _ITEM_LABEL.match(text)
    if not m:
        return 0
    label = m.group(1)
    if len(label.split()) > 14 or re.search(r"\b(?:we|you|our|us)\b", label, re.IGNORECASE) and \
            re.search(r"\b(?:may|will|can|do|does|shall)\b", label, re.IGNORECASE):
        return 0
    if _LABEL_VERB_END.search(label) or _last_match_ends(cues.list_lead, label):
        return 0  # "This information may include: name, …" leads into a list (context.yaml: list-lead); it labels nothing
    return m.end()


_LABEL_VERB_END = re.compile(r"\b(?:are|is)\s*$", re.I)  # "Examples of such data are: …"


def _last_match_ends(pattern: re.Pattern, text: str) -> bool:
    """Whether a match of ``pattern`` ends ``text`` (but for spaces)."""
    end = len(text.rstrip())
    return any(m.end() == end for m in pattern.finditer(text))


def find_spans(text: str, cues: Cues, view: SentenceView) -> None:
    found = cues.spans.finditer_each(text)  # conditions, then purposes
    conditions, purposes = found[:len(cues.conditions)], found[len(cues.conditions):]
    for matches in conditions:
        for m in matches:
            view.condition_spans.append(Span(m.start(), m.end()))
    for matches in purposes:
        for m in matches:
            end = _purpose_end(text, m.end())
            if end > m.end():
                view.purpose_spans.append(Span(m.start(), end))
    for m in _SKIP_PARENTHESIS.finditer(text):
        view.ignored.append(Span(m.start(), m.end()))
    view.ignored.extend(view.condition_spans)


_PURPOSE_STOP = re.compile(r"[,;:.()]|\s(?:which|who|whereas|but|however|unless|when|if|where|except)\b|\s(?:and|or) (?:we|you)\b")


def _purpose_end(text: str, start: int) -> int:
    m = _PURPOSE_STOP.search(text, start)
    return m.start() if m else len(text.rstrip(" .;"))


def action_matches(text: str, cues: Cues, start: int = 0) -> list[re.Match]:
    """Where an action cue matches from ``start`` on: candidate verbs, before any check of their context."""
    # every action cue starts where the prefilter's word stems start (tests/test_extract_cues.py)
    found = [cues.any_action.match(text, c.start()) for c in cues.candidates(text, start)]
    return [m for m in found if m is not None]


def find_verbs(view: SentenceView, cues: Cues, not_practice: bool = True) -> list[Verb]:
    text = view.text
    kept: list[Verb] = []
    matches = view.actions if view.actions is not None else action_matches(text, cues, view.label_end)
    for m in matches:
        cue = cues.actions[int(m.lastgroup[1:])]  # earlier cues first
        action = cue.action
        # the cheap span checks first: _is_practice runs several searches over the words around
        conditional = False
        if view.in_ignored(m.start(), m.end()):
            # inside a condition or a description states nothing, but for what the person gives ("if you provide your
            # email address") or lets the company do ("if you allow us to access your location"): possible practices
            held = [c for c in view.condition_spans if c.covers(m.start(), m.end())]
            if not held or not (cue.subject == "user" or _ALLOWED_US.search(text, max(0, m.start() - 60), m.start())):
                continue
            conditional = True
            view.ignored = [s for s in view.ignored if s not in held]  # its data is inside the condition too
            if view.in_ignored(m.start(), m.end()):
                continue
        if any(d.start <= m.start() and m.end() <= d.end for d in view.data) or \
                any(d.start <= m.start() and m.end() <= d.end and d.end - d.start > m.end() - m.start() for d in view.recipients):
            continue  # "cloud cached video", "data storage facilities" name things, they do nothing ("made public" does)
        # "by providing us your phone number": the person gives it ("by" otherwise makes a gerund no practice)
        gives_by = cue.subject == "user" and m.group(0).lower().endswith("ing") and text.endswith("by ", 0, m.start())
        if not gives_by and not _is_practice(text, m.start(), m.end(), cues, not_practice):
            continue
        if cue.subject != "user" and PLEASE.match(text, 0, m.start()):
            continue  # "Please send an email to our privacy office": the reader is asked to act; "please provide" still gives
        v = Verb(action, m.start(), m.end(), m.group(0), by_user=cue.subject == "user", rule=cue.id,
                 subject_receives=cue.subject == "recipient", default_recipient=cue.recipient, conditional=conditional)
        v.passive = bool(_PASSIVE_AUX.search(text[max(0, v.start - 50):v.start])) or (
            # a participle with its agent, no auxiliary: "cookies set by Google", "information collected by ad networks"
            text.startswith(" by ", v.end) and v.text.lower().endswith(_PARTICIPLE_ENDINGS))
        kept.append(v)
    return kept


_PARTICIPLE_ENDINGS = ("ed", "set", "sent", "sold", "held", "kept")
# a past participle as a word of a pattern (also "-en": "seen", "given")
PARTICIPLE = r"[a-z]*(?:en|" + "|".join(_PARTICIPLE_ENDINGS) + ")"


_APP_SUBJECT = re.compile(r"\b(?:the|our|this|their|its|your)\s+(?:mobile\s+)?(?:app|application|website|site|service|software|device|camera)\s+(?:\w+ly\s+)?$", re.I)
# "by" and an agent after a participle ("set by Google"), not "by us", "by you", "by means of", "by law"
_BY_AGENT = re.compile(r"\s+by\s+(?!us\b|you\b|means\b|law\b)", re.IGNORECASE)


def _is_practice(text: str, start: int, end: int, cues: Cues, not_practice: bool = True) -> bool:
    # the patterns look a few words either side; bounded slices keep "$"-anchored searches linear
    before, after = text[max(0, start - 90):start], text[end:end + 120]
    word = text[start:end].lower()
    # the not-practice records of ingest/rules/not-practice.yaml
    if not_practice and (any(p.match(after) for p, words in cues.not_after if words is None or word in words)
                         or any(p.search(before) for p, words in cues.not_before if words is None or word in words)):
        return False
    if not_practice and word.startswith(("keep", "kept", "hold", "held")) and cues.kept_safe.match(after):
        return False
    if not_practice and cues.relative.search(before):
        return False
    if start <= 16 and _IMPERATIVE_START.match(text[:start]) and word[:1].isalpha() and not word.endswith(("ing", "ed", "ion", "ure")) \
            and text[start:start + 1].isupper():
        return False
    nominal = word.endswith(("ion", "ure", "ures", "sale of")) or word in {"use", "uses", "process", "record", "records",
                                                                          "hold", "store", "share", "retention"}
    if word.split(" ", 1)[0].endswith("ing") and _OUR_GERUND.search(before) and not re.match(r"\s+of\b", after):
        return True  # "you consent to our providing your financial information to …": we provide it
    # "the use of cookies set by Google", "data collected by third parties": a participle with its agent acts
    by_agent = word.endswith(_PARTICIPLE_ENDINGS) and _BY_AGENT.match(after)
    # "the app collects …", "our application accesses …": a verb after the app as its subject, not "app usage"
    app_acts = word.endswith("s") and not word.endswith(("ss", "ions", "ures")) and _APP_SUBJECT.search(before)
    if app_acts:
        return True
    if _DETERMINER.search(before) and not by_agent:
        if nominal and _NOMINAL_SUBJECT.match(after):
            return True
        # "companies that collect usage data": a relative pronoun after a noun, not a determiner
        return bool(_RELATIVE_SUBJECT.search(before)) and not word.endswith(("ion", "ure", "ures")) \
            and not re.match(r"\s+of\b", after)
    if word in {"use", "uses"} and _PERSONAL_USE_NOUN.match(after):
        return False
    if (nominal or word.endswith("ing")) and _DETERMINER_ADJECTIVE.search(before) and not _NOMINAL_SUBJECT.match(after):
        return False  # "the particular processing of …", "any further sharing"
    if word.endswith(("ion", "ure", "ures")) and not _NOMINAL_SUBJECT.match(after):
        return False
    return True


def modality_of(view: SentenceView, verb: Verb, cues: Cues) -> str:
    """will-not when a negation stands before the verb in its clause; may for a modal; else will."""
    clause_start, clause_end = view.clause_bounds(verb.start)
    window_start = max(clause_start, text_rfind_comma(view.text, verb.start, clause_start))
    # "we do not rent, sell or share …": a list of verbs after a negation is one predicate; the comma is the list's
    listed = _VERB_LIST.search(view.text, clause_start, verb.start)
    if listed:
        window_start = max(clause_start, listed.start())
    before = view.text[window_start:verb.start]
    words = before.split()
    # a list that opens with its negation is negated however long it runs ("not share, sell, rent, swap or authorize
    # any third party to use")
    window = before if listed else " ".join(words[-cues.negation_window_words:])
    negations = list(cues.negation.finditer(window))
    if negations:
        tail = window[negations[-1].end():]
        # "we do not sell … and may share …": a later modal starts a new predicate
        if not re.search(r"\b(?:and|or)\s+(?:\w+\s+)?(?:may|will|can|shall)\b", tail, re.IGNORECASE):
            return "will-not"
    clause_before = view.text[clause_start:verb.start]
    if verb.passive and _NO_SUBJECT.match(clause_before):
        return "will-not"  # "No name, email address or phone number is collected": the subject's "No" rules it out
    if not clause_before.strip():  # "Disclosure may be made to …": the modal follows a nominal subject
        clause_before = view.text[verb.end:min(clause_end, verb.end + 40)]
        if cues.negation.search(clause_before.split(" be ")[0]):
            return "will-not"
    modals = list(MODALS.finditer(clause_before))
    tail_may = cues.may.search(clause_before[modals[-1].start():]) if modals else None
    if tail_may or (not modals and cues.may.search(clause_before)):
        return "may"
    return "will"


# a clause that opens with "No" and reaches its passive verb with no other verb: "No name, email or IP address is received by us"
_NO_SUBJECT = re.compile(r"^\W*(?:no|neither)\s+(?:(?!(?:we|you|they|it|may|will|can|shall|must|should|would|could|do|does|did)\b)[^;:.!?])*?"
                         r"\b(?:is|are|was|were|be|been|being|will be|may be|can be|shall be)\s+(?:\w+ly\s+)?$", re.IGNORECASE)


# a negation, then single words each followed by a comma or a conjunction, up to the verb: "not rent, sell or "
# … or an aside between commas right after the negation: "we never, under any circumstances, share …"
# (a contraction is taken whole, "don't share, sell or rent": "n't" has no word boundary before it)
# … and a list may end in a verb of leave whose party performs the verb: "not sell, rent or authorize any third
# party to use …"
_VERB_LIST = re.compile(r"(?:\b(?:not|never)|\b[a-z]+n['’]t)(?:\s+(?:[a-z]+(?:\s*,\s*(?:(?:or|and|and/or)\s+)?|\s+(?:or|and|and/or)\s+)){1,5}"
                        r"(?:" + LEAVE_VERBS + r"\s+(?:[\w’'-]+\s+){1,4}to\s+)?"
                        r"|\s*,[^,;:.]{1,50},\s*)$", re.IGNORECASE)


def text_rfind_comma(text: str, pos: int, floor: int) -> int:
    """Start of the comma-delimited stretch before pos (negation does not reach across a comma)."""
    i = text.rfind(",", floor, pos)
    return floor if i < 0 else i + 1


def coordinated(view: SentenceView, left: Verb, right: Verb) -> bool:
    """True when two verbs share their object: "collect and use", "transfer to and store"."""
    return bool(_COORDINATION.match(view.text[left.end:right.start]))


# a few words of a noun phrase, no clause of their own: "any information", "the data"
_OBJECT_NOUNS = re.compile(r"\s+(?:[\w’'-]+\s+){1,6}$")
_NOT_A_NOUN = frozenset("""and or but nor to of for by from with in on at as be been being is are was were have has had
    we you they it he she i not also then that which who whom whose when if may will can could would should must shall
    do does did""".split())
_PREPOSITIONS = frozenset({"of", "for", "from", "in", "on", "to"})


def reduced_relative(view: SentenceView, left: Verb, right: Verb) -> bool:
    """True when ``right`` is a past participle right after a noun of ``left``'s object, with no auxiliary: a
    reduced relative clause that describes the object, which goes on after it ("we may share any information
    collected through our services, including your name, with our affiliates")."""
    if not right.text.lower().endswith(_PARTICIPLE_ENDINGS) or " " in right.text.strip():
        return False
    gap = view.text[left.end:right.start]
    if _PASSIVE_AUX.search(gap):  # "… and is collected": a verb of its own ("collected by …", its agent, is not)
        return False
    if not _OBJECT_NOUNS.fullmatch(gap):
        return False
    words = gap.lower().split()
    # the participle follows a noun, and nothing before it but a preposition is a function word ("any data of
    # yours collected …", not "data that we collected …")
    return words[-1] not in _NOT_A_NOUN and not (_NOT_A_NOUN.intersection(words[:-1]) - _PREPOSITIONS)


_PERSON_PLACE = re.compile(r"(?:you are|you're|if you|users?|residents?|individuals?|customers?|persons?)\s+(?:\w+\s+){0,2}?"
                           r"(?:located|based|resident|residing|living|who live)?\s*(?:in|outside(?: of)?|of)\s+(?:the\s+)?$",
                           re.IGNORECASE)


def law_context(text: str, start: int) -> bool:
    """A place named as a law's, a court's or the person's own, not as where data goes."""
    before = text[max(0, start - 60):start]
    return bool(_LAW_CONTEXT.search(before) or _PERSON_PLACE.search(before))

"""The components of extraction: small readers with one interface, run in a declared order.

The engine (policyflows/extract/extractor.py) reads each sentence segment once: it finds the
lexicon's mentions and the practice verbs of ingest/rules/practices.yaml, then hands a `Reading`
of the segment to each enabled component, in the order of PIPELINE below, at four points:

- ``view(r)``            the sentence as found: adjust what was found in it (modality);
- ``segment(r)``         before any practice is made: a component may read the whole segment
                         itself and return its statements (a list, possibly empty), which ends
                         the segment; None lets the next component look;
- ``statement(st, r)``   once per practice verb, on the statement being made for it, in order;
                         returning False drops the statement;
- ``fallback(r)``        when no verb gave a statement: statements stated without a verb;
- ``document(doc, statements, ctx)``  once the whole document is read: a component may keep,
                         drop or add statements (the practice model does, from what it learnt).

Each component is named; ``Extractor(disable=[...])`` and ``policyflows statements --disable
NAME`` switch any of them off, so the effect of each can be measured (benchmarks/ablation.py).
A component reads its words from the rule records of its name (ingest/rules/*.yaml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from policyflows.extract.model import Evidence, PartyRef, Statement, Term
from policyflows.extract.retention import parse_retention
from policyflows.extract.sentence import LEAVE_VERBS, PARTICIPLE, PLEASE, SentenceView, Span, Verb, coordinated, find_spans, modality_of
from policyflows.vocab import PF, policy_iri, slug

PERSONAL_INFORMATION = str(PF.PersonalInformation)
HOLDING_ACTIONS = {"collect", "use", "store", "retain", "delete"}
DISCLOSING_ACTIONS = {"share", "sell", "transfer"}
_GERUND_ITEM = re.compile(r"^\s*[·•\-–]?\s*(?:\(?[a-z0-9]{1,3}[.)]\s*)?[A-Z][a-z]+ing\b")
_PURPOSE_ITEM_CUT = re.compile(r",? (?:including|such as|for example|e\.g\.)\b|[;:(]|\. ")
_LOCAL_RECIPIENT_LABEL = "your own device (local storage)"
_UNNAMED_THIRD_PARTIES = "third parties"
_AUTHORITIES = "authorities"


@dataclass
class Reading:
    """One sentence segment being read: the view of it, the policy's context, what was made."""

    view: SentenceView
    ctx: object  # extractor._Context
    evidence: Evidence
    sharing: bool
    made: list[Statement] = field(default_factory=list)  # statements kept so far in this segment
    lead_in: bool = False  # the segment ends with a purpose lead-in ("for the following purposes:")
    verb: Verb | None = None  # in statement(): the verb of the statement being made
    also: list[Statement] = field(default_factory=list)  # statements a component adds beside the one being made
    verb_index: int = 0
    list_item: bool = False  # an item of the list a lead-in ending in ":" opened (Continuations)


class Component:
    """A reader of one phenomenon. Subclasses set ``name`` and override the points they act at."""

    name = ""
    doc = ""

    def __init__(self, engine):
        self.x = engine  # the Extractor: lexicon, cues, and the helpers every component shares

    def view(self, r: Reading) -> None:
        return None

    def segment(self, r: Reading) -> list[Statement] | None:
        return None

    def statement(self, st: Statement, r: Reading) -> bool | None:
        return None

    def fallback(self, r: Reading) -> list[Statement]:
        return []

    def section(self, ctx, doc, i: int) -> None:
        """A new section starts at sentence ``i`` (ctx.section is its title)."""
        return None

    def document(self, doc, statements: list[Statement], ctx) -> list[Statement]:
        """The document's statements once every sentence is read; returns those to keep."""
        return statements


# -- what a verb states ---------------------------------------------------------------------------

class Modality(Component):
    name = "modality"
    doc = "may / will / will-not from modal words and negation in the verb's clause (context.yaml: may, negation)"

    def view(self, r):
        verbs = r.view.verbs
        for k, v in enumerate(verbs):
            # "not collect, use and/or disclose": coordinated verbs share the first one's modality
            if k and coordinated(r.view, verbs[k - 1], v):
                v.modality = verbs[k - 1].modality
            else:
                v.modality = modality_of(r.view, v, self.x.cues)
                if v.conditional and v.modality == "will":
                    v.modality = "may"  # "if you provide your email address": it may be given


class Items(Component):
    name = "items"
    doc = "definition items ('Cloud cached video: …'): the item's category is the data of the sentences under it"

    def segment(self, r):
        view = r.view
        if view.label_end:
            label = [m for m in view.data if m.end <= view.label_end]
            r.ctx.item = self.x.term(label[-1], view) if label else None
        return None


class PurposeLists(Component):
    name = "purpose-lists"
    doc = "a lead-in ('for the following purposes:') takes the items that follow as purposes (context.yaml: purpose-lead-in)"

    def segment(self, r):
        ctx, text = r.ctx, r.view.text
        if ctx.lead_in is not None and _GERUND_ITEM.match(text):
            self.add_item(text, r.view.offset, ctx, r.evidence)
            return []
        lead_in = self.x.cues.purpose_lead_in.search(text)
        if lead_in and text[lead_in.end():].strip():
            # the first item of the list follows the lead-in in the same sentence
            rest = text[lead_in.end():]
            sub = Reading(self.x.view(text[:lead_in.end()], r.view.offset, ctx.section, r.sharing), ctx, r.evidence, r.sharing)
            made = self.x.practices(sub)
            for st in made:
                ctx.lead_in = st
            if ctx.lead_in is not None:
                self.add_item(rest, r.view.offset + lead_in.end(), ctx, None)
            ctx.previous = [s for s in made if s.data]
            return made
        r.lead_in = bool(lead_in)
        return None

    def add_item(self, text: str, offset: int, ctx, evidence: Evidence | None) -> None:
        """One item of the list: a purpose of the lead-in's statement, cited by its words."""
        stripped = text.strip(" ·•-–")
        phrase, where = purpose_phrase(_PURPOSE_ITEM_CUT.split(stripped, maxsplit=1)[0])
        if phrase:
            lead = ctx.lead_in
            inside = [m for m in self.x.lex.purpose_mentions(phrase)]
            iri = f"{policy_iri(ctx.policy)}/purpose/{slug(phrase)[:80]}"
            base = offset + len(text) - len(text.lstrip(" ·•-–"))
            spans = ((base + where[0], base + where[1]),)
            lead.purposes = unique(lead.purposes + [Term(iri, phrase, broader=inside[0].iri if inside else None, spans=spans)])
            if evidence is not None:
                lead.more_evidence.append(evidence)


LIST_ITEM_WORDS = 15  # a sentence this short, with data and no verb, after a practice: an item of its list
_CLAUSE_WORDS = re.compile(r"\b(?:we|us|you|it|they|this|these|may|might|will|would|can|could|must|should|shall|"
                           r"is|are|was|were|has|have|had|do|does)\b", re.I)


# a lead whose list is of purposes ("… to:", "for the following purposes:") and an item that is an action
_PURPOSE_LEAD = re.compile(r"\b(?:to|for|purposes?|in order to|so that we can|help us)\s*[:\-–]\s*$", re.I)
_VERB_ITEM = re.compile(r"^\W*(?:\(?[a-z0-9]{1,3}[.)]\s*)?(?:to\s+)?(?:help|provide|improve|send|deliver|respond|process|manage|"
                        r"analy[sz]e|operate|control|develop|personali[sz]e|customi[sz]e|contact|communicate|notify|"
                        r"verify|prevent|protect|enforce|comply|offer|show|display|measure|understand|remember|"
                        r"recogni[sz]e|track|administer|conduct|fulfil+|enable|allow|maintain|create|tailor|serve)\b", re.I)


def list_item(text: str) -> bool:
    """A short fragment with no subject or auxiliary of its own: "Your device type, screen size, browser type;"."""
    words = len(text.split())
    if words > LIST_ITEM_WORDS and not (words <= 3 * LIST_ITEM_WORDS and (text.rstrip().endswith((";", ",")) or _BULLET.match(text))):
        return False
    return not _CLAUSE_WORDS.search(text)


# "… you enter", "… that you provide to us": a relative clause of what the person does, inside a list item
_PERSON_CLAUSE = re.compile(r"\b(?:that\s+|which\s+)?you\s+(?:[\w-]+\s+){0,2}?(?:enter|provide|submit|supply|give|fill|upload|post|send|share)"
                            r"\w*(?:\s+(?:to|with)\s+us)?\b", re.IGNORECASE)
_INVENTORY_HEAD = re.compile(r"\W*(?:(?:this|such|that|these|those|the|your|said|collected|other)\s+){0,2}(?:[\w-]+\s+){0,3}?"
                             r"(?:information|data|details)\s+(?:(?:may|might|can|could|will|would|also|typically|generally|"
                             r"usually|often|automatically|collected)\s+){0,3}(?:includes?|contains?|consists? of|comprises?)\b:?", re.I)
_OWN_SUBJECT = re.compile(r"\b(?:we|us|they|which|who|that|you|it)\b(?:\s+\w+){0,3}\s+$", re.I)
_AFTER_LIST_ITEM = re.compile(r"[,;:]\s+(?:[\w-]+\s+){1,2}$")
# the word before "you" that makes "you provide" a clause of its own ("if you provide …"), not a relative one
_CLAUSE_OPENER = re.compile(r"\b(?:if|when|whenever|where|as|because|once|unless|before|after|until|while|and|or|but|so|"
                            r"how|what|whether)\s+$|^\s*$|[,;:(]\s*$", re.I)
_RELATIVE_TAIL = re.compile(r"\b(?:that|which|who)\b.*$", re.IGNORECASE | re.DOTALL)
_BULLET = re.compile(r"^\s*(?:[·•▪●◦\-–*]|\(?[a-z0-9]{1,3}[.)])\s")


class Continuations(Component):
    name = "continuations"
    doc = ("a sentence that names data but no practice and continues one ('For example, …', 'Such information may "
           "include …', a list item) states the practice of the sentence before, in a statement of its own "
           "(context.yaml: continuation, inventory)")

    def segment(self, r):
        view, ctx = r.view, r.ctx
        if not view.data:
            return None
        if ctx.list_lead and self._item_of_list(view):
            r.list_item = True
            return self._inherit(ctx.list_lead, r)
        # a list item may say what the person gives: "Search terms you enter on the site;"
        item_without_person = list_item(_PERSON_CLAUSE.sub(" ", view.text[view.label_end:]))
        # "… and other information you choose to provide": the person's giving in a relative clause of the data is
        # no practice of the sentence's own
        relative = [m.span() for m in _PERSON_CLAUSE.finditer(view.text)
                    if not _CLAUSE_OPENER.search(view.text, max(0, m.start() - 12), m.start())]
        # "…, items requested (for delivery), …": a participle after an item of a list describes the item
        verbs = [v for v in view.verbs if not (v.by_user and any(a <= v.start < b for a, b in relative))
                 and not (not v.passive and v.text.lower().endswith("ed") and _AFTER_LIST_ITEM.search(view.text, 0, v.start)
                          and not view.text.startswith(" by ", v.end))]
        head = _INVENTORY_HEAD.match(view.text, view.label_end)
        if head:
            # "This information may include your IP address, the operating system used by your device, access times
            # …": a verb inside the list describes an item; one with a subject of its own ("…, which we share")
            # still states its practice
            verbs = [v for v in verbs if v.start < head.end()
                     or _OWN_SUBJECT.search(view.text, max(head.end(), v.start - 30), v.start)]
        if verbs and not (all(v.by_user for v in verbs) and item_without_person):
            return None
        targets = ctx.pending or ctx.previous
        if not targets or self.x.cues.inventory_lead.search(view.text):
            # "The information we collect includes …" states its own practice, whatever the sentence before said
            return self._collected_inventory(r)
        text = view.text[view.label_end:]
        cues = self.x.cues
        inventory = cues.inventory.search(text)
        if not (cues.continuation.search(text) or inventory or list_item(text) or item_without_person):
            return None
        if inventory and cues.negation.search(text[max(0, inventory.start() - 25):inventory.start()]):
            return []  # "It does not contain your name or email address": what the practice before leaves out
        if any(_PURPOSE_LEAD.search(st.evidence.text) for st in targets) or _VERB_ITEM.match(text):
            return None  # "We use your information to:" — the items that follow are purposes, not data
        return self._inherit(targets, r)

    @staticmethod
    def _item_of_list(view) -> bool:
        """A list item: it opens with the data it names, before any verb or subject ("Your IP address (…) that can
        be used to …;", "Search terms you enter …;"), and is short."""
        first = min(m.start for m in view.data)
        head, text = view.text[:first], view.text.rstrip()
        if len(text.split()) > 3 * LIST_ITEM_WORDS or len(head.split()) > 4 or _CLAUSE_WORDS.search(head) \
                or any(v.start < first for v in view.verbs) or ": " in text:
            return False
        # an item ends as items do ("…;", "…,", "… and") or is a bullet; else it has no predicate of its own
        # ("The video streaming is encrypted …" is a sentence, not an item)
        return text.endswith((";", ",", " and", " or")) or bool(_BULLET.match(text)) \
            or not _CLAUSE_WORDS.search(_RELATIVE_TAIL.sub(" ", _ASIDE.sub(" ", text)))

    def _inherit(self, targets, r):
        view, ctx = r.view, r.ctx
        terms = unique([self.x.term(m, view) for m in view.data if not view.in_ignored(m.start, m.end)])
        if not terms:
            return None
        made = []
        own = self.x.own_purposes(view, ctx)  # an item's own purpose is its practice's ("…; to deliver your order")
        for st in targets:
            made.append(Statement(action=st.action, modality=st.modality, actor=st.actor, data=terms, evidence=r.evidence,
                                  recipients=list(st.recipients), purposes=own or list(st.purposes),
                                  jurisdictions=list(st.jurisdictions), conditions=list(st.conditions),
                                  retention=st.retention, legal_bases=list(st.legal_bases), section=ctx.section,
                                  inherited_from=st.inherited_from or st.evidence, rule=self.name))
        return made


    def _collected_inventory(self, r):
        """"The information we collect includes your name, …": the relative clause states the collection."""
        view = r.view
        m = self.x.cues.inventory_lead.search(view.text)
        if not m:
            return None
        terms = unique([self.x.term(d, view) for d in view.data if d.start >= m.end() and not view.in_ignored(d.start, d.end)])
        if not terms:
            return None
        modality = "may" if self.x.cues.may.search(view.text) else "will"
        return [Statement(action="collect", modality=modality, actor=r.ctx.first_party, data=terms, evidence=r.evidence,
                          recipients=[r.ctx.first_party], section=r.ctx.section, rule=self.name)]


class NonPersonal(Component):
    name = "non-personal"
    doc = "anonymised or aggregate data, and definitions, state no practice on personal data (not-practice.yaml)"

    def segment(self, r):
        text = r.view.text
        low = text.lower()
        cues = self.x.cues
        if (any(w in low for w in ("anonym", "identif", "aggregat", "non-personal", "statistic"))
                and cues.non_personal.search(text) and not self._names_specific_data(r.view, cues)) or \
                (any(w in low for w in ("mean", "refer", "defined")) and cues.definition.search(text)):
            r.ctx.previous, r.ctx.pending = [], []
            return []
        return None

    @staticmethod
    def _names_specific_data(view, cues) -> bool:
        """"non-personal information such as browser type and IP address" still names the data that flows;
        "the number of customers in certain demographic groups" names what a statistic counts (statistic-of)."""
        return any(not _GENERIC_DATA.search(m.iri.rsplit("#", 1)[-1])
                   and not cues.statistic_of.search(view.text, max(0, m.start - 80), m.start) for m in view.data)


# -- who does it, to whom -------------------------------------------------------------------------

_RELATIVE_AFTER_PARTY = re.compile(r"\s*,?\s+(?:that|which|who)\s+(?:(?:also|may|might|can|could|will|would|should|must|often|generally|automatically|then)\s+){0,2}$", re.IGNORECASE)
_THEY_SUBJECT_RE = r"(?:^|[,;]\s*|\b(?:and|but)\s+)they\s+(?:\w+\s+){0,2}$"


# the person as the subject of a giving verb: "you may be asked to provide", "users submit"
_PERSON_GIVES = re.compile(r"\b(?:you|users?|visitors?|customers?|members?|subscribers?|participants?|applicants?)\b"
                           r"(?:\s+(?!we\b|us\b)[\w'’]+){0,4}\s*$", re.I)


# "information that is publicly available and combine it": an adverb or an adjective names no party that acts
_NOT_A_SUBJECT = re.compile(r"^(?:publicly(?: available| accessible)?|public(?:ly)? available)$", re.I)
# "you may share your name with us": the person's disclosure to the company
_WITH_US = re.compile(r"[^.;]{0,80}?\b(?:with|to) us\b", re.I)
_PERSON_PATIENT = re.compile(r"\b(?:you|users?|the user)\s+(?:(?:may|might|can|could|will|would|shall|must|also|then|sometimes|often)\s+)*"
                             r"(?:be|are|is|been|being|get|gets)\s+(?:\w+ly\s+)?$", re.I)
# "… with other users", "… with the public": the person shares through the service with its other users
_WITH_OTHER_USERS = re.compile(r"[^.;]{0,120}?\b(?:with|to)\s+(?P<who>(?:the\s+)?(?:public|everyone|anyone|(?:other|fellow)\s+"
                               r"(?:[\w-]+\s+){0,2}?(?:users|members|players|visitors|customers|participants|subscribers)))\b", re.I)
# "by providing us …", "by selecting a password, and providing …": the reader does it
_BY_GERUND = re.compile(r"\bby\s+(?:[\w-]+ing\b[^.;]{0,60}?,?\s+(?:and|or)\s+)?$", re.I)
# "…, or use", "and may also share": a verb that goes on with the subject of the one before
_COORDINATED_VERB = re.compile(r"(?:,\s*|\s)(?:and|or|and/or)\s+(?:(?:may|might|can|could|will|would|also|then)\s+){0,2}$", re.I)
# ", who help us run the site," between a party and its verb
_DESCRIBED_PARTY = re.compile(r"^\s*,?\s+(?:whose|who|that|which)\s+[^,;:.()]{0,100}?\s+(?:may|might|can|could|will|would|shall|must)"
                              r"\s+(?:(?:also|then|sometimes|be|able|to)\s+)*$", re.IGNORECASE)
# "may also be able to", "may be": the auxiliaries between a party and its verb are no words between them
_AUXILIARIES = re.compile(r"\b(?:may|might|can|could|will|would|shall|should|must|also|then|sometimes|often|be|able|to)\b", re.IGNORECASE)
_SECOND_INFINITIVE = re.compile(r"^\s+to\s+[^.;:]{0,80}?\s(?:and|or)\s+(?:also\s+)?to\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_LETS = re.compile(r"\b" + LEAVE_VERBS + r"\s+(?:such\s+|certain\s+|these\s+|selected\s+|other\s+)*$", re.IGNORECASE)
_ASIDE = re.compile(r"\s*\([^()]{0,200}\)")
_HELPS_US = re.compile(r"^\s+(?:(?:may|might|can|could|will|would|also|often|sometimes)\s+){0,2}"
                       r"(?:help|helps|helped|assist|assists|assisted|support|supports)\s+us\s+(?:to\s+|with\s+|in\s+)?$", re.IGNORECASE)
# the company as the subject right before the verb: "we will have access to", "we may also be given access to"
_WE_SUBJECT = re.compile(r"(?:^|[,;]\s*|\b(?:and|then|that|so)\s+)we\s+(?:(?:may|might|can|could|will|would|also|then|sometimes|only)\s+){0,3}$", re.I)
# a giving verb with the company as its indirect object: "… give us", "… provide us with", "… supply to us"
_TO_US = re.compile(r"(?:\s+(?:to\s+)?us\b)", re.I)
_PARTY_TO = re.compile(r"\s+to\s+(?:\w+ly\s+)?", re.I)
_TO_ONLY = re.compile(r"to\s+(?:\w+ly\s+)?$", re.I)
# a predicate of its own right after a relative clause: "… that you submit | may be provided to …"
_MAIN_PREDICATE = re.compile(r"^\s*(?:\w+ly\s+)?(?:may|might|can|could|will|would|shall|must|is|are|was|were|has|have)\s+(?:also\s+)?be(?:en)?\b", re.I)
_RELATIVE_ASIDE = re.compile(r"^\s*,\s*(?:who|which|that)\b[^,;:]*,")
# "users agree that …": the person assents; the clause after "that" has a subject of its own
_ASSENT_THAT = re.compile(r"\b(?:agree|agrees|acknowledge|acknowledges|understand|understands|consent|consents|accept|accepts)"
                          r"\s+(?:and\s+\w+\s+)?that\s+(?!(?:you|users?|the user)\b)(?!.*\b(?:you|users?)\s+(?:can|may|will|must|choose|decide)\b)", re.I)
# "we and third parties may …", "We, along with our partners, …", "Acme and its business partners gather …"
_CO_SUBJECT = re.compile(r"(?:\b(?:we|us)\b|^\s*[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3})\s*,?\s+(?:and|along with|together with|as well as|or)\s+"
                         r"(?:certain\s+|some\s+|other\s+|our\s+|its\s+|their\s+|selected\s+)*(?:[\w\s,-]|\([^()]{0,120}\)){0,60}"
                         # … and a relative clause that describes the party ("we and third parties that provide content,
                         # advertising, or functionality on our services, may use cookies")
                         r"(?:\b(?:that|who|which)\s+(?:[\w\s,-]|\([^()]{0,120}\)){0,80})?$")


_GENERIC_DATA = re.compile(r"(?:PersonalInformation|NonPersonal|Aggregat|Anonym|Deidentified|Statistic)", re.I)


_ANAPHOR_SUBJECT = re.compile(r"^\W*(?:(?:these|those|such|said)\s+(?:[\w-]+\s+){0,2}?(?P<noun>companies|parties|partners|providers|vendors|"
                              r"advertisers|networks|services|entities|organi[sz]ations|businesses|platforms|tools|"
                              r"plug-?ins|widgets)"
                              # one party just named: "This provider may collect …" (not "the company", often the first party)
                              r"|(?:this|that|such an?|said)\s+(?:[\w-]+\s+){0,2}?(?P<noun1>company|party|partner|provider|vendor|"
                              r"advertiser|network|entity|organi[sz]ation|business|platform|processor))"
                              r"\b(?:\s+(?!(?:you|users?|visitors)\b)[\w-]+){0,3}\s*$", re.I)  # not "these features allow you to …"


class Exclusions(Component):
    name = "exclusions"
    doc = "data named only to be left out is no data of the practice: '(not including your name)' (context.yaml: exclusion)"

    def view(self, r):
        view = r.view
        for m in self.x.cues.exclusion.finditer(view.text):
            view.ignored.append(Span(m.start(), m.end()))
            view.excluded.append(Span(m.start(), m.end()))


class Subjects(Component):
    name = "subjects"
    doc = "who performs the verb: the person ('you can delete', not-practice.yaml: user-subject), a named party, or the company"

    def __init__(self, engine):
        super().__init__(engine)
        from policyflows.extract.cues import CaselessPattern
        self.they = CaselessPattern(_THEY_SUBJECT_RE)

    def statement(self, st, r):
        view, verb, ctx = r.view, r.verb, r.ctx
        start, _ = view.clause_bounds(verb.start)
        before = view.text[start:verb.start]
        if verb.by_user:  # "you may be asked to provide …": the company collects what the person gives
            return None  # (view() kept only those whose subject is the person)
        party = self._antecedent(before, r) if self.x.on("references") else None
        if party is not None:  # "These companies may collect …", "They may use cookies …": the party just named
            st.actor = party
            r.ctx.last_party = (r.evidence.sentence, party, ((party, ""),))  # "They receive … They may also use …": still that party
            return None
        # "you will be asked for your name": the person is what a passive is done to, not who acts
        if self._user(before, ctx) and not (verb.passive and _PERSON_PATIENT.search(before)):
            if st.action in DISCLOSING_ACTIONS and _WITH_US.match(view.text, verb.end, view.clause_bounds(verb.start)[1]):
                st.action = "collect"  # "you may share your name and email address with us": the company collects them
                return None
            if st.action in DISCLOSING_ACTIONS and _WITH_OTHER_USERS.match(view.text, verb.end, view.clause_bounds(verb.start)[1]):
                return None  # "you will be able to share your username … with other users": the service shows it to them
            return False
        subject = [m for m in view.recipients if start <= m.start and m.end <= verb.start
                   and not view.in_ignored(m.start, m.end) and not _NOT_A_SUBJECT.match(m.text)]
        if verb.subject_receives and _WE_SUBJECT.search(before):
            st.action = "collect"  # "we will have access to your profile information": the company obtains it
            return None
        if verb.subject_receives:  # "our vendors will have access to …": the company discloses to them
            if not subject or re.search(r"[,;:]", _RELATIVE_ASIDE.sub("", view.text[subject[-1].end:verb.start])):
                return False  # "… used by these companies, see the website of …": the party is no subject of the verb
            st.recipients = [self.x.party(subject[-1], view)]
            return None
        co = _CO_SUBJECT.search(before)
        if subject and co and any(m.start >= start + co.start() for m in subject):
            # "we and third parties may use cookies": the parties named beside us do it too
            for m in subject:
                if m.start >= start + co.start():
                    also = Statement(action=st.action, modality=st.modality, actor=self.x.party(m, view), data=st.data,
                                     evidence=st.evidence, section=st.section, rule=st.rule)
                    r.also.append(also)
            return None
        if subject:
            # "allow third-party advertisers (including …) to set cookies": an aside about the party is not between it and its verb
            between = _ASIDE.sub(" ", view.text[subject[-1].end:verb.start])
            relative = _RELATIVE_AFTER_PARTY.match(between)  # "we work with companies that collect …": they do
            helps = _HELPS_US.match(between)  # "our partners assist us with monitoring …": they do it, for us
            # "third parties whose products are advertised on the services may place cookies": the party, described
            described = _DESCRIBED_PARTY.match(between)
            # "allow third party ad networks to serve advertising and to use cookies …": the second infinitive is theirs too
            infinitives = _SECOND_INFINITIVE.match(between) and _LETS.search(view.text, max(0, subject[-1].start - 40),
                                                                             subject[-1].start)
            if relative or helps or described or infinitives or (len(_AUXILIARIES.sub(" ", between).split()) <= 4
                                                                 and not self.x.first_party_words.search(between)
                                     and not re.search(r"\b(?:to|with|from|by)\s*$", view.text[:subject[-1].start])):
                st.actor = self.x.party(subject[-1], view)
                return None
        if r.made and r.verb_index and (re.search(r"\bto\s+$", before) or _COORDINATED_VERB.search(before)):
            st.actor = r.made[-1].actor  # "… may use cookies to gather …", "… place a cookie, or use a beacon": the same actor
        return None

    def view(self, r):
        """A verb of giving ("submit") is a practice only when the person gives; else it is no verb at all."""
        view = r.view
        if any(v.by_user for v in view.verbs):
            view.verbs = [v for v in view.verbs if not v.by_user or self._gives(view, v)]
        # An infinitive that is a practice opens no purpose, so its object stays data: "you will be required to provide
        # your email address" (the person's giving), "we engage third-party vendors to process your card number" (the
        # party's practice; a data centre hosts, it does not act)
        practices_at = [v.start for v in view.verbs if v.by_user or any(
            m.kind not in ("first-party", "user") and not str(m.iri).endswith("#DataCentre")
            and _PARTY_TO.fullmatch(view.text, m.end, v.start) for m in view.recipients)]
        if practices_at and view.purpose_spans:
            view.purpose_spans = [s for s in view.purpose_spans
                                  if not any(_TO_ONLY.match(view.text, s.start, g) for g in practices_at if s.start < g)]

    def _gives(self, view, verb) -> bool:
        start, _ = view.clause_bounds(verb.start)
        before = view.text[start:verb.start]
        if (_TO_US.match(view.text, verb.end) or verb.text.lower().endswith(" us")) and not re.search(r"\bwe\b", before, re.I):
            return True  # "the social media site will give us your name", "partners may provide us with …": the company collects
        return bool(self.x.cues.user_subject.search(before) or _PERSON_GIVES.search(before)
                    or PLEASE.match(view.text, 0, verb.start)  # "Please provide your name": the reader gives it
                    # "… is by providing us the phone number", "by selecting a password and providing your name"
                    or (verb.text.lower().endswith("ing") and _BY_GERUND.search(before)))

    def _antecedent(self, before: str, r):
        """The party a pronoun or "these companies" at the start of the clause points back at, if just named."""
        ctx = r.ctx
        if ctx.last_party is None or r.evidence.sentence - ctx.last_party[0] > 1:
            return None
        m = _ANAPHOR_SUBJECT.search(before)
        if m:
            noun = (m.group("noun") or m.group("noun1")).lower().rstrip("s")  # "these features": a party named with that word, if one was
            for party, words in ctx.last_party[2]:
                if noun in words:
                    return party
            return ctx.last_party[1]
        if self.they.search(before) and ctx.last_party[0] < r.evidence.sentence:
            return ctx.last_party[1]
        return None

    def _user(self, before: str, ctx) -> bool:
        """True when the person (or an unnamed "they") performs the verb, not the company."""
        if self.they.search(before):
            return True
        m = None
        for m in self.x.cues.user_subject.finditer(before):
            pass
        if m is None:
            return False
        if _ASSENT_THAT.search(before, m.start()):
            return False  # "users agree that some of this information may be available to others": the clause after "that" has its own subject
        later = before[m.end():]
        if _MAIN_PREDICATE.match(later) and m.group(0).lstrip(" ,;:").lower().startswith("that"):
            return False  # "the information that you submit may be provided to …": "that you submit" describes the subject
        return not (self.x.first_party_words.search(later) or (ctx.aliases and ctx.aliases.search(later)))


class Sources(Component):
    name = "sources"
    doc = ("data named by its source: what a collecting verb gets 'from a social media site' is social media "
           "information, when no more specific data is named (context.yaml: data-source)")

    def __init__(self, engine):
        super().__init__(engine)
        found = engine.lex.resolve("social media information")
        self.social_data = found[0] if found else None

    def statement(self, st, r):
        view, verb = r.view, r.verb
        if self.social_data is None or verb.action != "collect" or st.modality == "will-not" \
                or any(t.iri != PERSONAL_INFORMATION for t in st.data):
            return
        clause_start, clause_end = view.clause_bounds(verb.start)
        pattern = self.x.cues.data_source
        for m in view.recipients:
            if _SOCIAL_NETWORK not in self.x.lex.broader(m.iri) | {m.iri}:
                continue
            # "… from that social media site"; or the network gives it: "the social media site will give us …"
            after = verb.end <= m.start and m.end <= clause_end and not verb.by_user \
                and pattern.search(view.text, max(verb.end, m.start - 40), m.start)
            gives = verb.by_user and clause_start <= m.start and m.end <= verb.start and _US_AFTER.match(view.text, verb.end)
            if after or gives:
                st.data = [Term(self.social_data.iri, self.social_data.label, spans=view.doc_spans(m.start, m.end))]
                return


_US_AFTER = re.compile(r"\s*(?:(?:with|to)\s+)?us\b|(?<=\bus)", re.IGNORECASE)


_SOCIAL_NETWORK = str(PF.SocialNetworkProvider)


# what leads from a passive verb to its agent: "by", "through", "via" right after it, or after a list of participles
# whose last one's agent is every participle's ("collected and used by third parties", "collected, used or sold
# by …"), an adverb, or a place the participle names first ("placed or recognized on your browser by such companies")
_AGENT_AFTER = re.compile(r"(?:\s*,?\s+(?:(?:and|or|and/or)\s+)?(?:\w+ly\s+)?" + PARTICIPLE + r"(?=[\s,]))*"
                          r"(?:\s+(?:on|in|onto|into|from|at)\s+(?:your|the|a|our|their)\s+(?:[\w-]+\s+)?[\w-]+(?=\s+by\b))?"
                          r"(?:\s+\w+ly)?\s+(?:(?:and\s+)?by|through|via)\b")


class Recipients(Component):
    name = "recipients"
    doc = ("who receives: parties named after a disclosing verb, agents of a passive ('by us and our partners'), "
           "hosts of stored data, the person's own device, authorities for legal disclosures (context.yaml)")

    def statement(self, st, r):
        if st.recipients and r.verb.subject_receives:
            return  # set by subjects: the subject receives
        st.recipients = self._recipients(r.view, r.verb, st, r.ctx, r)

    def _recipients(self, view, verb, st, ctx, r=None) -> list[PartyRef]:
        agents = self._passive_agents(view, verb, ctx) if verb.passive or view.text.startswith(" by ", verb.end) else []
        if agents and st.action in HOLDING_ACTIONS:
            if ctx.first_party not in agents:
                st.actor = agents[0]  # "information collected by third-party ad networks": they collect it
            elif r is not None:  # "deployed by us and by our service providers": they do it too, as we do
                for agent in agents:
                    if agent != ctx.first_party:
                        r.also.append(Statement(action=st.action, modality=st.modality, actor=agent, data=st.data,
                                                evidence=st.evidence, section=st.section, rule=st.rule))
            return agents  # "cookies are used by us and our service providers"
        given = self._given_to(view, verb) if verb.by_user and st.action == "collect" else None
        if given is not None:  # "you may have to submit personal information to our billing partner, PayPal": it collects it
            st.actor = given
            return [given]
        hosts = self._hosts(view, verb) if st.action in {"store", "retain"} else []
        if hosts:
            return hosts  # "uploaded to Amazon Web Services servers": the host keeps it for the company
        cues = self.x.cues
        if st.action in HOLDING_ACTIONS:
            if view.search(cues.local_storage) and st.action in {"collect", "store", "retain"} \
                    and st.modality != "will-not":  # "processed locally and never uploaded": the rule is about the cloud
                m = view.search(cues.local_storage)
                return [PartyRef(_LOCAL_RECIPIENT_LABEL, "user", spans=view.doc_spans(m.start(), m.end()))]
            if st.action == "use" and st.actor.kind == "first-party":
                return []
            return [st.actor]
        _, clause_end = view.clause_bounds(verb.start)
        found = [self.x.party(m, view) for m in view.recipients
                 if verb.end <= m.start and m.end <= clause_end
                 and not view.in_purpose(m.start, m.end) and not view.in_ignored(m.start, m.end)]
        if not found and re.match(r"[^.;]{0,80}?\b(?:with|to) us\b", view.text[verb.end:clause_end]):
            return [ctx.first_party]  # "share your name … with us": the company receives it
        if not found and view.search(cues.legal_disclosure):
            m = view.search(cues.legal_disclosure)
            found = [PartyRef(_AUTHORITIES, "authority", concept=str(PF.Authority), spans=view.doc_spans(m.start(), m.end()))]
        if not found and verb.default_recipient == "public":
            found = [_public(view, verb.start, verb.end)]
        others = _WITH_OTHER_USERS.match(view.text, verb.end, clause_end) if not found and st.action == "share" else None
        if others:  # "… with other instant messaging users": the service's other users, the public
            found = [_public(view, others.start("who"), others.end("who"))]
        if not found and st.action == "transfer":
            found = [st.actor]
        if not found and st.action in {"share", "sell"}:
            found = [PartyRef(_UNNAMED_THIRD_PARTIES, "third-party")]  # no concept: nobody was named
        return unique(found)

    def _given_to(self, view, verb) -> PartyRef | None:
        """The other party the person gives data to ("submit your card number to our payment processor"), if named."""
        _, clause_end = view.clause_bounds(verb.start)
        for m in view.recipients:
            if verb.end <= m.start and m.end <= clause_end and m.kind not in ("first-party", "user") \
                    and not view.in_purpose(m.start, m.end) and not view.in_ignored(m.start, m.end) \
                    and re.search(r"\b(?:to|with)\s+(?:(?:our|a|an|the|its|their|your|such)\s+)?(?:[\w-]+\s+){0,2}$",
                                  view.text[max(verb.end, m.start - 40):m.start]):
                return self.x.party(m, view)
        return None

    def _hosts(self, view, verb) -> list[PartyRef]:
        """Named organisations or storage providers after a storing verb: they hold data on the company's behalf."""
        _, clause_end = view.clause_bounds(verb.start)
        found = [m for m in view.recipients if verb.end <= m.start and m.end <= clause_end
                 and not view.in_purpose(m.start, m.end) and not view.in_ignored(m.start, m.end)
                 and (m.organisation or m.kind == "service-provider")
                 and re.search(r"\b(?:to|on|in|at|with|by)\s+(?!our\b|its\b)(?:\w+\s+){0,3}$", view.text[verb.end:m.start])]
        return unique([PartyRef(GENERIC.get(m.iri) or m.label, "service-provider",
                                organisation=getattr(m, "organisation", None), concept=m.iri,
                                spans=view.doc_spans(m.start, m.end)) for m in found])

    def _passive_agents(self, view, verb, ctx) -> list[PartyRef]:
        """The parties after "by" that follow a passive verb ("processed through a third-party vendor": a
        party after "through" or "via" too)."""
        _, clause_end = view.clause_bounds(verb.start)
        m = _AGENT_AFTER.match(view.text, verb.end, clause_end)
        if not m:
            return []
        start = m.end()
        stop = re.search(r"[,;.(]|\s(?:to|for|in order|when|if|which|who)\b", view.text[start:clause_end])
        end = start + stop.start() if stop else clause_end
        named = [p for p in view.recipients if start <= p.start and p.end <= end]
        agents = [self.x.party(p, view) for p in named]
        if not m.group(0).strip().endswith("by"):
            return unique([a for a in agents if a.kind != "first-party"])  # "collected through our website" names no agent
        # the company is an agent when the phrase names it ("by us and our partners"), not for "by our payment processor"
        phrase = view.text[start:end]
        for p in sorted(named, key=lambda p: -p.start):
            phrase = phrase[:p.start - start] + " " * (p.end - p.start) + phrase[p.end - start:]
        phrase = re.sub(r"\b(?:our|its)\s+(?=\s*$|\s{2})", " ", phrase)
        if self.x.first_party_words.search(phrase) or (ctx.aliases and ctx.aliases.search(phrase)):
            agents.insert(0, ctx.first_party)
        return unique(agents)


# -- why, when, where, how long -------------------------------------------------------------------

def _public(view, start: int, end: int) -> PartyRef:
    """The public as a recipient, cited by the words between two offsets of the segment."""
    return PartyRef("the public", "public", concept=str(PF.Public), spans=view.doc_spans(start, end))


class Purposes(Component):
    name = "purposes"
    doc = "purpose clauses ('in order to …', 'to provide …', context.yaml: purpose-*) and purposes the taxonomy names"

    def statement(self, st, r):
        view, verb, ctx = r.view, r.verb, r.ctx
        clause_start, clause_end = view.clause_bounds(verb.start)
        # a purpose serves the practice of its own clause
        out = self._phrases(view, [s for s in view.purpose_spans if verb.start <= s.start < clause_end], ctx)
        for m in view.purposes_found:
            if clause_start <= m.start < clause_end and \
                    not any(s.start <= m.start and m.end <= s.end for s in view.purpose_spans):
                out.append(self.x.term(m, view))
        st.purposes = unique(out)

    def own(self, view, ctx) -> list[Term]:
        """The purposes a segment with no verb of its own states: "Placing an order: postal address; to deliver it"."""
        spans = view.purpose_spans
        if not view.actions:  # view() looks for purposes only where a practice verb is
            probe = SentenceView(text=view.text, offset=view.offset, section=view.section)
            find_spans(view.text, self.x.cues, probe)
            spans = [s for s in probe.purpose_spans if not any(d.start < s.start < d.end for d in view.data)]
        return self._phrases(view, spans, ctx)

    def _phrases(self, view, spans, ctx) -> list[Term]:
        """The purpose each span names in the policy's words (not one that only points elsewhere in the policy)."""
        out = []
        for span in spans:
            phrase, where = purpose_phrase(view.text[span.start:span.end])
            if phrase and not self.x.cues.purpose_reference.search(phrase):
                out.append(self._stated(phrase, view, span.start, span.end, ctx,
                                        view.doc_spans(span.start + where[0], span.start + where[1])))
        return out

    def _stated(self, phrase, view, start, end, ctx, spans) -> Term:
        """A purpose in the policy's own words, under the taxonomy purpose it names, if any."""
        inside = [m for m in view.purposes_found if start <= m.start and m.end <= end]
        if inside and len(phrase.split()) <= len(inside[0].text.split()) + 1:
            return self.x.term(inside[0], view)
        iri = f"{policy_iri(ctx.policy)}/purpose/{slug(phrase)[:80]}"
        return Term(iri, phrase, broader=inside[0].iri if inside else None, spans=spans)


class Conditions(Component):
    name = "conditions"
    doc = "conditions ('when …', 'with your consent', context.yaml: condition-*) and the DPV legal bases a sentence names"

    def statement(self, st, r):
        view = r.view
        st.conditions = unique([view.text[s.start:s.end].strip(" ,;.") for s in view.condition_spans])
        if view.legal_bases is None:  # once per sentence, not once per statement
            find = getattr(self.x.lex, "legal_basis_mentions", None)
            view.legal_bases = unique([self.x.term(m, view) for m in find(view.text)]) if find else []
        st.legal_bases = list(view.legal_bases)


class Places(Component):
    name = "places"
    doc = "where data is kept or sent: places named with a storing, transferring or sharing verb (not places of laws or of the person)"

    def statement(self, st, r):
        view, verb = r.view, r.verb
        if verb.action not in {"store", "transfer", "share", "retain"}:
            return
        if verb.action == "share" and not view.search(self.x.cues.storage_location):
            return
        st.jurisdictions = unique([self.x.term(m, view) for m in view.places])


class Retention(Component):
    name = "retention"
    doc = "retention periods in words or digits after a storing or keeping verb (context.yaml: retention-period)"

    def statement(self, st, r):
        if st.action in {"retain", "store"}:
            st.retention = parse_retention(r.view.text, self.x.cues)


# "share it with", "disclose them to", "provide this to": a disclosure whose object points back
_PRONOUN_OBJECT = re.compile(r"\b(?:shar|disclos|provid|transfer|sell|sold|rent|pass|send|sent|releas|giv|gave|mak|transmit)\w*"
                             r"\s+(?:it|them|this|these|that|those)\b(?!\s+(?:information|data|details|content)\b)", re.I)


class References(Component):
    name = "references"
    doc = ("'such information', 'this data' and disclosures with no data of their own are about the data of the "
           "sentence or disclosure before (context.yaml: reference)")

    def statement(self, st, r):
        ctx, view = r.ctx, r.view
        if st.data or st.action not in DISCLOSING_ACTIONS or not (st.recipients or view.search(self.x.cues.reference)):
            return
        # "We collect your location. We may share it with advertisers.": "it" is the location the sentence
        # just before names, not the data of an older disclosure
        before = [s for s in ctx.previous if s.modality in ("will", "may")]
        if before and (view.search(self.x.cues.reference) or _PRONOUN_OBJECT.search(view.text)):
            st.data = unique([t for s in before for t in s.data])
        elif ctx.last_disclosure is not None and ctx.last_disclosure.evidence.start >= ctx.paragraph_start:
            # a disclosure of its own paragraph: one paragraphs before is about other data
            st.data = list(ctx.last_disclosure.data)


# -- statements without a practice verb -----------------------------------------------------------

class Locations(Component):
    name = "locations"
    doc = "'We have data centres in Beijing, …': where the company keeps personal information (context.yaml: storage-location)"

    def fallback(self, r):
        view, ctx = r.view, r.ctx
        if not view.places or not view.search(self.x.cues.storage_location):
            return []
        data = [self.x.term(m, view) for m in view.data] or [Term(PERSONAL_INFORMATION, self.x.lex.label(PERSONAL_INFORMATION))]
        modality = "may" if view.search(self.x.cues.may) else "will"
        st = Statement(action="store", modality=modality, actor=ctx.first_party, data=data, evidence=r.evidence,
                       recipients=[ctx.first_party], jurisdictions=unique([self.x.term(m, view) for m in view.places]),
                       section=ctx.section, policy_wide=not view.data)
        return [st]


class Sections(Component):
    name = "sections"
    doc = "a recipient listed under a sharing heading is a recipient of the data shared there (context.yaml: section-*)"

    def fallback(self, r):
        view, ctx = r.view, r.ctx
        if not view.recipients or view.verbs or not ctx.section or len(view.text.split()) > 20:
            return []
        actions = [a for a, p in self.x.cues.section_actions if p.search(ctx.section)]
        if "share" not in actions:
            return []
        data = [self.x.term(m, view) for m in view.data]
        if not data and ctx.last_disclosure is not None:
            data = list(ctx.last_disclosure.data)
        if not data:
            return []
        recipients = unique([self.x.party(m, view) for m in view.recipients if not view.in_ignored(m.start, m.end)])
        conditions = unique([view.text[s.start:s.end].strip(" ,;.") for s in view.condition_spans]) \
            if self.x.on("conditions") else []
        return [Statement(action="share", modality="may", actor=ctx.first_party, data=data, evidence=r.evidence,
                          recipients=recipients, conditions=conditions, section=ctx.section)]


class Headings(Component):
    name = "headings"
    doc = ("a heading that gives a practice ('Information We Collect') gives it to the sentences under it that "
           "name data but no practice; a heading that only names data keeps the one before (context.yaml: heading-*)")

    def section(self, ctx, doc, i):
        title = ctx.section
        if not title:
            ctx.heading = None
            return
        share = any(a == "share" and p.search(title) for a, p in self.x.cues.section_actions)
        for action, pattern in self.x.cues.headings:
            if pattern.search(title) and not (share and not _COLLECT_WORD.search(title)):
                ctx.heading = (action, self._title_evidence(doc, i, title), "may" if _MAY_WORD.search(title) else "will")
                return
        if ctx.heading is not None and not (self.x.lex.data_mentions(title) and len(title.split()) <= 6):
            ctx.heading = None

    def inline(self, ctx, evidence: Evidence) -> bool:
        """A short sentence that is a heading in the text ("Information You Provide.", "What do we collect?")."""
        text = evidence.text.strip()
        if len(text.split()) > INLINE_HEADING_WORDS or text[:1].islower():
            return False
        share = any(a == "share" and p.search(text) for a, p in self.x.cues.section_actions)
        for action, pattern in self.x.cues.headings:
            if pattern.search(text) and not (share and not _COLLECT_WORD.search(text)):
                if any(not _GENERIC_DATA.search(m.iri.rsplit("#", 1)[-1]) for m in self.x.lex.data_mentions(text)):
                    return False  # "Information we collect includes your name." is a sentence, not a heading
                ctx.heading = (action, evidence, "may" if _MAY_WORD.search(text) else "will")
                return True
        return False

    @staticmethod
    def _title_evidence(doc, i: int, title: str) -> Evidence | None:
        section = doc.sentences[i].section
        start = doc.sections[section].start if section is not None else 0
        pos = doc.text.find(title, max(0, start - 1), doc.sentences[i].start + 1)
        return Evidence(title, pos, pos + len(title), -1) if pos >= 0 else None

    def fallback(self, r):
        view, ctx = r.view, r.ctx
        if ctx.heading is None or view.verbs or not view.data:
            return []
        terms = unique([self.x.term(m, view) for m in view.data if not view.in_ignored(m.start, m.end)])
        if not terms or _QUESTION_OR_CHOICE.search(view.text) or _INFINITIVE_ITEM.match(view.text):
            return []  # "To send you alerts via SMS messages;" is a purpose, and names no data collected
        action, title, modality = ctx.heading
        return [Statement(action=action, modality=modality, actor=ctx.first_party, data=terms, evidence=r.evidence,
                          recipients=[ctx.first_party], purposes=self.x.own_purposes(view, ctx), section=ctx.section,
                          inherited_from=title, rule=self.name)]


INLINE_HEADING_WORDS = 8
_INFINITIVE_ITEM = re.compile(r"^\W*(?:\(?[a-z0-9]{1,3}[.)]\s*)?to\s+(?!(?:us|you|our|the|a|an|your|third|other)\b)[a-z]+\b", re.I)
_COLLECT_WORD = re.compile(r"\b(?:collect|gather|obtain|receive|provide)", re.I)
_MAY_WORD = re.compile(r"\bmay\b", re.I)
# what the person may do is no practice of the company's: "You can disable cookies in your browser."
_QUESTION_OR_CHOICE = re.compile(r"\b(?:you|users?)\s+(?:\w+\s+)?(?:can|may|might|could|should|must|choose)\b|"
                                 r"\b(?:opt[- ]out|unsubscribe|disable|delete|refuse|decline)\b", re.I)


class PracticeModel(Component):
    name = "model"
    doc = ("the practice model (ingest/models/practice.json, trained by training/train_practice_model.py): keeps or "
           "drops the data items of the rules' positive statements (not those with places or periods), and states a "
           "collection or a disclosure the rules missed where it is confident; never in a negated clause, never "
           "against a ruled-out statement")

    def __init__(self, engine):
        super().__init__(engine)
        from policyflows.extract import practice_model
        self.pm = practice_model
        self.model = engine.practice_model if engine.practice_model is not None else practice_model.load_model()

    def document(self, doc, statements, ctx):
        model = self.model
        if model is None:
            return statements
        found = self.pm.candidates(doc, statements, self.x.lex, self.x.cues,
                                   (self.x.data_mentions, self.x.recipient_mentions), only=model.categories)
        memo: dict = {}  # found holds them: the ids of their shared features stay unique while it lives

        def decide(c):
            if c.iri not in model.categories or c.practice not in model.threshold:
                return None
            return model.keeps(c, memo)
        return self.pm.apply(doc, statements, found, decide, ctx.first_party, self.x.lex, self.x.cues, model.rule)


# The declared order. Components run in it at each of the points; any one may be disabled.
PIPELINE: tuple[type[Component], ...] = (
    Modality, Items, PurposeLists, Continuations, NonPersonal, Exclusions,
    Subjects, Sources, Recipients, Purposes, Conditions, Places, Retention, References,
    Locations, Sections, Headings, PracticeModel,
)
# Parts of the engine that other components' reading also depends on; they too can be disabled:
# items and references substitute data inside the object of a verb, modality keeps the examples of a
# ruled-out category, not-practice applies the records of not-practice.yaml around a verb.
ENGINE_SWITCHES = ("not-practice",)
NAMES = tuple(c.name for c in PIPELINE) + ENGINE_SWITCHES

# The kind classes themselves ("third parties", "our affiliates") are named in the plural, as policies do.
GENERIC = {str(PF.FirstParty): None, str(PF.Affiliate): "affiliates", str(PF.ServiceProvider): "service providers",
           str(PF.ThirdParty): "third parties", str(PF.Advertiser): "advertisers", str(PF.Authority): "authorities",
           str(PF.Acquirer): "acquirers", str(PF.Public): "the public", str(PF.UserParty): None}


def purpose_phrase(text: str) -> tuple[str, tuple[int, int]]:
    """The purpose in a purpose clause's words, and where those words are in ``text``."""
    lead = {"in", "order", "so", "as", "to", "for", "the", "purpose", "purposes", "of", "with", "that"}
    stripped = text.strip(" ,.;:").split()
    k = 0
    while k < len(stripped) and stripped[k].lower() in lead:
        k += 1
    kept = stripped[k:]
    if len(kept) < 2:
        return "", (0, 0)
    phrase = " ".join(kept[:14])
    # locate: the first word of the stripped clause is the first word of ``text`` once leading punctuation is gone
    lead_strip = len(text) - len(text.lstrip(" ,.;:"))
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[lead_strip:len(text.rstrip(" ,.;:"))])]
    start, end = spans[k][0] + lead_strip, spans[min(k + 14, len(spans)) - 1][1] + lead_strip
    phrase = phrase[0].lower() + phrase[1:] if not phrase[:2].isupper() else phrase
    return phrase, (start, end)


def unique(items: list) -> list:
    """Items in order, each once; spans of repeated mentions join the first one's (first occurrence first)."""
    seen: dict = {}
    out: list = []
    for it in items:
        key = it if not isinstance(it, PartyRef) else (it.label.lower(), it.kind)
        k = seen.get(key)
        if k is None:
            seen[key] = len(out)
            out.append(it)
        elif getattr(it, "spans", None):
            kept = out[k]
            merged = tuple(sorted(set(kept.spans) | set(it.spans)))
            if merged != kept.spans:
                out[k] = kept.with_spans(merged)
    return out

"""Document → data-practice statements: the engine that runs the components.

The engine walks the sentences of a document, splits a sentence where a definition item starts
inside it, and for each segment finds once what every component reads: the lexicon's mentions
(data, recipients, purposes, places), the practice verbs of ingest/rules/practices.yaml (with the
not-practice records of not-practice.yaml), clause bounds, condition and purpose spans. It then
runs the components of policyflows/extract/components.py in their declared order, makes one
statement per practice verb (its data: the verb's object, or its subject for a passive), and
carries what a reader carries from one sentence to the next (`_Context`: definition items,
lead-ins, the practices of the sentence before, the last disclosure, the section).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from policyflows.extract import components as C
from policyflows.extract.cues import CaselessPattern, Cues, load_cues
from policyflows.extract.model import Evidence, PartyRef, Statement, Term
from policyflows.extract.sentence import (
    INFINITIVE, SentenceView, Span, Verb, action_matches, coordinated, find_spans, find_verbs, item_label_end,
    law_context, reduced_relative,
)
from policyflows.errors import PolicyflowsError
from policyflows.vocab import PF

PERSONAL_INFORMATION = C.PERSONAL_INFORMATION
CHILDREN = re.compile(r"\b(?:from|of|about|by) (?:minors|children|kids|a child|persons? under|anyone under|individuals under|"
                      r"(?:children|minors|users|individuals|persons|anyone) under(?: the age of)? \d+)\b", re.I)
_AGE_LIMIT = re.compile(r"\bage of \d+|\bunder \d+", re.I)
_QUESTION = re.compile(r"\?\s*$")
# "outside of your country of residence", "the laws of your country": a place whose law is compared, not data collected
_PLACE_OF_LAW = re.compile(r"\b(?:outside(?: of)?|laws? (?:of|in)|than (?:those|that) (?:of|in))\s+(?:your|the user's|the)\s+$",
                           re.IGNORECASE)
# "… you use" or "… you are using" right before an infinitive: "the device you use to access the services"
# also "the information you have authorized Facebook to share with us, such as …": the infinitive is the person's leave
_RELATIVE_USER = re.compile(r"\b(?:you|users?)\s+(?:are\s+|were\s+|have\s+|had\s+)?(?:(?:use|used|using)\s+|"
                            r"(?:authori[sz]e|authori[sz]ed|allow|allowed|permit|permitted|ask|asked|instruct|instructed)\s+(?:[\w-]+\s+){1,3})$",
                            re.IGNORECASE)
_YOU_RELATIVE = re.compile(r"\b(?:that\s+|which\s+)?you\s+(?:may\s+|can\s+|choose to\s+|have\s+)?$", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LIST_LEAD_COLON = re.compile(r":\s*(?:\n|$)")  # a lead-in whose list follows, one item a line
_INFINITIVE_TO = re.compile(r"\bto\s+(?:\w+ly\s+)?$", re.IGNORECASE)
# "… lists that we sell", "… which we may disclose": a relative clause with the company as its subject, right before its verb
_RELATIVE_WE = re.compile(r"\b(?:that|which)\s+we\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
# A capitalised label and a colon inside a sentence: a candidate definition item.
_INNER_ITEM = re.compile(r"(?:(?<=[\s:])|^)((?:[A-Z][\w’'/-]*)(?:[ ][\w’'/-]+|\s*\([^)]{0,60}\)){0,9}?)\s?:\s+(?=\S)")
# a lead-in whose list follows one item a line, in the same sentence: the colon ends its line
_LINE_LIST_LEAD = re.compile(r":[ \t]*\n[ \t]*(?=\S)")
_LINE_START = re.compile(r"\n[ \t]*(?=\S)")
_LEAD_SUBJECT = re.compile(r"\b(?:we|you|they|it)\b", re.IGNORECASE)
_CONDITION_LEAD = re.compile(r"\b(?:if|when|whenever|where|once|after|before|unless|while)\s+(?:you|users?|a user|visitors?)\s*:$",
                             re.IGNORECASE)
_FIRST_PARTY_WORDS = CaselessPattern(r"\b(?:we|us|our|ourselves)\b")


class UnknownComponentError(PolicyflowsError, ValueError):
    """--disable named a component that does not exist."""


@dataclass
class _Context:
    """What the reader remembers between sentences of one policy."""

    policy: str
    first_party: PartyRef
    aliases: re.Pattern | None
    section: str | None = None
    sharing: bool = False  # the section's heading is about sharing ("Who we share with")
    item: Term | None = None
    previous: list[Statement] = field(default_factory=list)  # practices of the sentence before
    pending: list[Statement] = field(default_factory=list)  # practices still waiting for their data
    lead_in: Statement | None = None
    last_disclosure: Statement | None = None
    paragraph_start: int = 0  # where the paragraph of the sentence being read starts (after the last blank line)
    heading: tuple | None = None  # (action, the heading's Evidence, modality): a heading that gives a practice
    list_lead: list = field(default_factory=list)  # the practices of a lead-in ending in ":", for every item of its list
    last_party: tuple | None = None  # (sentence index, PartyRef, ((PartyRef, words), …)): the other parties last named, for "these companies", "they"


class Extractor:
    """Reads a Document into Statements using the ontology's lexicon and the rules of ingest/rules/.

    ``disable`` names components (policyflows.extract.components.NAMES) to switch off.
    ``practice_model`` replaces the committed model of ingest/models/practice.json (training does).
    """

    def __init__(self, lexicon=None, cues: Cues | None = None, disable=(), practice_model=None):
        if lexicon is None:
            from policyflows.ontology import Lexicon
            lexicon = Lexicon.load()
        self.lex = lexicon
        self.cues = cues or load_cues()
        unknown = [n for n in disable if n not in C.NAMES]
        if unknown:
            raise UnknownComponentError(f"no extraction component {', '.join(map(repr, unknown))}; "
                                        f"the components are: {', '.join(C.NAMES)}")
        self.disabled = frozenset(disable)
        self.practice_model = practice_model
        self._found: dict = {}  # (vocabulary, text) -> the lexicon's mentions, for the document being read
        self.components = [cls(self) for cls in C.PIPELINE if cls.name not in self.disabled]
        # each point runs only the components that act there
        hooks = {point: [getattr(c, point) for c in self.components if getattr(type(c), point) is not getattr(C.Component, point)]
                 for point in ("view", "segment", "statement", "fallback", "section", "document")}
        self._view_hooks, self._segment_hooks = hooks["view"], hooks["segment"]
        self._statement_hooks, self._fallback_hooks = hooks["statement"], hooks["fallback"]
        self._section_hooks, self._document_hooks = hooks["section"], hooks["document"]
        headings = [c for c in self.components if c.name == "headings"]
        self._inline_heading = headings[0].inline if headings else None
        self._purposes = next((c for c in self.components if c.name == "purposes"), None)
        self.first_party_words = _FIRST_PARTY_WORDS

    def on(self, name: str) -> bool:
        return name not in self.disabled

    def own_purposes(self, view, ctx) -> list:
        """The purposes a verbless segment states itself (the purposes component's reading; none when it is off)."""
        return self._purposes.own(view, ctx) if self._purposes is not None else []

    # -- the document ---------------------------------------------------------------------------

    def data_mentions(self, text: str) -> list:
        """The lexicon's data mentions of a text, found once per document (the practice model reads them again)."""
        got = self._found.get(("d", text))
        if got is None:
            got = self._found[("d", text)] = self.lex.data_mentions(text)
        return got

    def recipient_mentions(self, text: str) -> list:
        got = self._found.get(("r", text))
        if got is None:
            got = self._found[("r", text)] = self.lex.recipient_mentions(text)
        return got

    def extract(self, doc) -> list[Statement]:
        self._found = {}
        ctx = _Context(policy=doc.policy, first_party=first_party(doc), aliases=_alias_pattern(doc))
        statements: list[Statement] = []
        for i in range(len(doc.sentences)):
            section = doc.section_title(i)
            if section != ctx.section:
                ctx.section, ctx.item, ctx.lead_in, ctx.last_disclosure = section, None, None, None
                ctx.list_lead = []
                ctx.sharing = bool(section) and self.on("sections") and \
                    any(a == "share" and p.search(section) for a, p in self.cues.section_actions)
                ctx.previous, ctx.pending = [], []
                for hook in self._section_hooks:
                    hook(ctx, doc, i)
            statements.extend(self._sentence(doc, i, ctx))
        statements = [s for s in statements if s.data]
        for hook in self._document_hooks:
            statements = hook(doc, statements, ctx)
        self._found = {}
        return statements

    def _sentence(self, doc, i: int, ctx: _Context) -> list[Statement]:
        sent = doc.sentences[i]
        text = doc.text[sent.start:sent.end]
        evidence = Evidence(text, sent.start, sent.end, i)
        if i and _PARAGRAPH_BREAK.search(doc.text, doc.sentences[i - 1].end, sent.start):
            # a list's items are lines of its paragraph, a definition item's sentences are those after its label in
            # its paragraph: a blank line ends both
            ctx.list_lead, ctx.item, ctx.paragraph_start = [], None, sent.start
        if self._inline_heading is not None and self._inline_heading(ctx, evidence):
            return []  # a heading inside the text gives its practice to what follows; it states none itself
        if _QUESTION.search(text):
            return []
        cues = self.cues
        if not (ctx.lead_in or ctx.sharing or ctx.heading or next(cues.candidates(text), None) or cues.continuation.search(text)
                or cues.reference.search(text) or ": " in text
                or ((ctx.previous or ctx.pending) and self.on("continuations")
                    and (cues.inventory.search(text) or C.list_item(text)))):
            ctx.previous, ctx.pending = [], []
            if self.on("references"):  # no practice here, but "they" in the next sentence may mean a party it names
                named = self._recipients_in(text, self.data_mentions(text))
                if named:
                    self._note_party(named, SentenceView(text=text, offset=sent.start, section=ctx.section), evidence, ctx)
            return []
        made: list[Statement] = []
        segments, lines = self._segments(text)
        for seg_start, seg_end in segments:
            seg_text = text[seg_start:seg_end]
            # a line of a list cites its own words, not the whole list
            seg_evidence = Evidence(seg_text.strip(), sent.start + seg_start + len(seg_text) - len(seg_text.lstrip()),
                                    sent.start + seg_start + len(seg_text.rstrip()), i) if lines else evidence
            made.extend(self._segment(seg_text, sent.start + seg_start, ctx, seg_evidence))
        return made

    def _segments(self, text: str) -> tuple[list[tuple[int, int]], bool]:
        """Split a sentence where a definition item starts inside it ("… through APP Remote video: when …"), and
        where a line of a list starts after a lead-in that ends its line with a colon ("We collect the following:"
        then one item a line): each line is an item of the lead-in, as if it were a sentence of its own."""
        lead = _LINE_LIST_LEAD.search(text) if "\n" in text and self.on("continuations") else None
        # (not "… if you:" then the person's acts, one a line: the lines are conditions of the lead's verb; not a
        # definition label and its one line, "Video stored in Micro SD:\nwhen you insert …": a list has two lines,
        # or a lead-in with "the following" or a subject and its verb)
        lines = [lead.end()] + [m.end() for m in _LINE_START.finditer(text, lead.end())] if lead else []
        if lead and not _CONDITION_LEAD.search(text, 0, lead.start() + 1) and (
                len(lines) > 1 or self.cues.list_lead.search(text, 0, lead.start())
                or (_LEAD_SUBJECT.search(text, 0, lead.start()) and action_matches(text[:lead.start()], self.cues))):
            cuts = [0] + [c for c in lines if c < len(text.rstrip())]
            return list(zip(cuts, cuts[1:] + [len(text)])), True
        cuts = [0]
        if ":" not in text or not self.on("items"):
            return [(0, len(text))], False
        for m in _INNER_ITEM.finditer(text):
            label_start = m.start(1)
            if label_start == 0 or label_start - cuts[-1] < 12:
                continue
            mentions = [d for d in self.lex.data_mentions(m.group(1))]
            if mentions and mentions[-1].end >= len(m.group(1).rstrip(") ")) - 2:
                cuts.append(label_start)
        return list(zip(cuts, cuts[1:] + [len(text)])), False

    def _segment(self, text: str, offset: int, ctx: _Context, evidence: Evidence) -> list[Statement]:
        r = C.Reading(self.view(text, offset, ctx.section, ctx.sharing), ctx, evidence, ctx.sharing)
        for hook in self._segment_hooks:
            done = hook(r)
            if done is not None:
                return done
        made = self.practices(r)
        if r.view.actions or r.sharing:  # view() found the recipients
            self._note_party(r.view.recipients, r.view, evidence, ctx)
        elif self.on("references"):  # no practice verb: "they" in the next sentence may mean a party it names
            self._note_party(self._recipients_in(text, r.view.data), r.view, evidence, ctx)
        if not made:
            for hook in self._fallback_hooks:
                made = hook(r)
                if made:
                    break
        for st in made:
            if r.lead_in and st.action == "use":
                ctx.lead_in = st
            if st.action in C.DISCLOSING_ACTIONS and st.data:
                ctx.last_disclosure = st
        ctx.pending = [s for s in made if not s.data]
        ctx.previous = [s for s in made if s.data] or ([] if made else ctx.previous[:0])
        if _LIST_LEAD_COLON.search(text) and self.on("continuations"):
            # "… may collect the following information automatically:": each item of the list is what it collects,
            # whatever verbs the items hold ("the type of content accessed via our Services")
            ctx.list_lead = [s for s in made if s.modality in ("will", "may") and s.rule != "continuations"]
        elif not r.list_item:
            ctx.list_lead = []
        return made

    def _note_party(self, named: list, view: SentenceView, evidence: Evidence, ctx: _Context) -> None:
        """The last party other than the company or the person that a sentence names: what "these
        companies" or "they" in the next sentence points back at."""
        others = [m for m in named if m.kind not in ("first-party", "user")]
        if others:
            # every party named, last first, with its words: "these features" means the social media features
            # named before, not the button given as their example
            named_last_first = tuple((self.party(m, view), m.text.lower()) for m in reversed(others))
            ctx.last_party = (evidence.sentence, named_last_first[0][0], named_last_first)

    def _recipients_in(self, text: str, data: list) -> list:
        """The recipients a text names; where a data phrase and a recipient phrase overlap, the
        longer wins ("QQ number" over "QQ")."""
        return [r for r in self.recipient_mentions(text)
                if not any(d.start <= r.start and r.end <= d.end and (d.end - d.start) > (r.end - r.start) for d in data)]

    # -- what is in one sentence --------------------------------------------------------------

    def view(self, text: str, offset: int, section: str | None, sharing: bool = False) -> SentenceView:
        """Everything the components read in one segment, found once."""
        view = SentenceView(text=text, offset=offset, section=section)
        view.label_end = item_label_end(text, self.cues) if self.on("items") else 0
        data = list(self.data_mentions(text))
        # The other vocabularies only matter to a sentence that may state a practice; most do not.
        view.actions = action_matches(text, self.cues, view.label_end)
        may_act = bool(view.actions)
        if may_act or sharing:
            find_spans(text, self.cues, view)
            view.recipients = self._recipients_in(text, data)
            for r in view.recipients:  # "affiliated companies (in communications, social media …)" describes them
                m = re.match(r"\s*\([^)]*\)", text[r.end:])
                if m:
                    view.ignored.append(Span(r.end, r.end + m.end()))
        taken = [(m.start, m.end) for m in view.recipients]
        view.data = [m for m in data if not _overlaps(m, taken) and not _PLACE_OF_LAW.search(text, max(0, m.start - 40), m.start)]
        if may_act:
            view.purposes_found = [m for m in self.lex.purpose_mentions(text)
                                   if not _overlaps(m, taken + [(d.start, d.end) for d in view.data])]
        if may_act or view.search(self.cues.storage_location):
            view.places = [m for m in self.lex.jurisdiction_mentions(text) if not law_context(text, m.start)]
        if may_act:
            view.verbs = find_verbs(view, self.cues, self.on("not-practice"))
            # "ask you to provide your name": a purpose cue inside a practice phrase starts no purpose
            view.purpose_spans = [s for s in view.purpose_spans if not any(v.start < s.start < v.end for v in view.verbs)]
        r = C.Reading(view, None, None, sharing)
        for hook in self._view_hooks:
            hook(r)
        return view

    # -- practices ----------------------------------------------------------------------------

    def practices(self, r: C.Reading) -> list[Statement]:
        """One statement per practice verb of the segment, filled by the statement components."""
        view, ctx = r.view, r.ctx
        verbs = view.verbs
        r.made = []
        for k, verb in enumerate(verbs):
            r.verb, r.verb_index = verb, k
            earlier = next((s.data for s in reversed(r.made) if s.data), None)
            st = Statement(action=verb.action, modality=verb.modality, actor=ctx.first_party,
                           data=self._data_for(view, verbs, k, ctx, earlier), evidence=r.evidence, section=ctx.section,
                           rule=verb.rule)
            r.also = []
            if any(hook(st, r) is False for hook in self._statement_hooks):
                continue
            if st.action in C.DISCLOSING_ACTIONS and not st.recipients:
                continue  # a disclosure to no one named or implied is not a flow we can place
            r.made.append(st)
            for also in r.also:  # the same practice by another party the sentence names beside the company
                also.recipients = [also.actor] if also.action in C.HOLDING_ACTIONS else list(st.recipients)
                also.purposes, also.conditions, also.legal_bases = list(st.purposes), list(st.conditions), list(st.legal_bases)
                r.made.append(also)
        return _merge(r.made)

    def _data_for(self, view: SentenceView, verbs: list[Verb], k: int, ctx: _Context, earlier=None) -> list[Term]:
        """The data a verb is about: its object up to the next verb that does not share it, else its subject.
        ``earlier``: the data of the last statement made from an earlier verb of the segment, for an object that
        points back at it ("… and may share this information with …")."""
        verb = verbs[k]
        clause_start, clause_end = view.clause_bounds(verb.start)
        end = clause_end
        for later in verbs[k + 1:]:
            if later.start >= clause_end:
                break
            if not coordinated(view, verbs[verbs.index(later) - 1], later) and not reduced_relative(view, verb, later):
                end = later.start
                break
        if verb.action in {"use", "collect", "retain", "delete"}:
            stop = INFINITIVE.search(view.text, verb.end, end)
            while stop and view.text.count("(", verb.end, stop.start()) > view.text.count(")", verb.end, stop.start()):
                # "(i.e. information that could be used to contact you, such as …)": the examples are the object's
                close = view.text.find(")", stop.start(), end)
                stop = INFINITIVE.search(view.text, close, end) if close >= 0 else None
            while stop and _RELATIVE_USER.search(view.text, verb.end, stop.start()):
                # "the device you use to access the services, such as IP address, …": the infinitive is the
                # relative clause's; the object goes on
                stop = INFINITIVE.search(view.text, stop.end(), end)
            end = stop.start() if stop else end
        # a phrase verb holds its object: "provide your email address to our partners"
        first_word_end = verb.start + len(verb.text.split(" ", 1)[0])
        mentions = self.usable(view, first_word_end, end)
        if verb.passive and verb.default_recipient == "public":
            # "your approximate location … will be visible to other users associated with that username": what
            # becomes visible is the subject; the words after say to whom
            mentions = self.usable(view, _subject_start(verbs, k, clause_start), verb.start) or mentions
        if not mentions:
            j = k  # "collect and use your …": the first verb takes the object of the last coordinated one
            while j + 1 < len(verbs) and coordinated(view, verbs[j], verbs[j + 1]):
                j += 1
            if j != k:
                mentions = self.usable(view, verbs[j].end, view.clause_bounds(verbs[j].start)[1])
        if not mentions and (verb.passive or verb.action in {"retain", "store"}):
            mentions = self.usable(view, _subject_start(verbs, k, clause_start), verb.start)
            if not mentions and verb.passive:
                # "Audio is processed locally … and is never uploaded": passives share their subject
                first = min([v.start for v in verbs[:k] if v.start >= clause_start and v.passive] or [verb.start])
                mentions = self.usable(view, clause_start, first)
        # a relative clause right before the verb is about the noun before it: "Search terms you enter …" (the person
        # gives them), "postal lists that we sell or rent to third parties" (the company discloses them)
        relative = _YOU_RELATIVE if verb.by_user else _RELATIVE_WE if verb.action in C.DISCLOSING_ACTIONS else None
        rel = relative.search(view.text, clause_start, verb.start) if relative is not None and not mentions else None
        if rel:
            mentions = self.usable(view, clause_start, rel.start())
        terms = [self._in_item(self.term(m, view), ctx) for m in mentions]
        if not terms and ctx.item is not None and self.on("items"):
            terms = [ctx.item]
        if not terms and earlier and self.on("references") and self.cues.object_reference.match(view.text, verb.end) \
                and not _INFINITIVE_TO.search(view.text, max(0, verb.start - 12), verb.start):
            # (not "use cookies to collect said information": the infinitive's object points further back)
            # the data of the sentence's own earlier verb, whatever its modality ("we do not sell it but may share it")
            terms = list(earlier)
        if not terms and self.on("references") and self.cues.reference.search(view.text[clause_start:clause_end]) \
                and ctx.previous:
            terms = [t for s in ctx.previous for t in s.data]
            if view.excluded:  # "Excluding your credit card number, this information may be shared …"
                left_out = {m.iri for m in view.data if any(x.covers(m.start, m.end) for x in view.excluded)}
                terms = [t for t in terms if t.iri not in left_out]
        if terms and verb.modality == "will-not":
            terms = _without_examples_parent(terms, self.lex)
        children = view.search(CHILDREN)
        if children:
            terms = self._children([t for t in terms if not view.search(_AGE_LIMIT) or t.label != "age"],
                                   view.doc_spans(children.start(), children.end()))
        return C.unique(terms)

    def usable(self, view: SentenceView, start: int, end: int) -> list:
        """Data mentions between two offsets that are not inside a condition, a description or a purpose."""
        return [m for m in view.data if start <= m.start and m.end <= end
                and not view.in_ignored(m.start, m.end) and not view.in_purpose(m.start, m.end)]

    def _in_item(self, term: Term, ctx: _Context) -> Term:
        """Under "Cloud cached video: …", "the video" is the cloud-cached video."""
        item = ctx.item
        if item is not None and term.iri != PERSONAL_INFORMATION and term.iri in self.lex.broader(item.iri):
            return item.with_spans(term.spans)
        return term

    def _children(self, terms: list[Term], spans) -> list[Term]:
        try:
            child = self.lex.resolve("children's data")[0]
        except Exception:
            return []
        return [Term(child.iri, child.label, spans=spans)] if any(t.iri == PERSONAL_INFORMATION for t in terms) else terms

    # -- terms ----------------------------------------------------------------------------------

    def term(self, mention, view: SentenceView) -> Term:
        return Term(mention.iri, mention.label, getattr(mention, "code", None),
                    spans=view.doc_spans(mention.start, mention.end))

    def party(self, mention, view: SentenceView) -> PartyRef:
        label = C.GENERIC.get(mention.iri) or mention.label
        return PartyRef(label=label, kind=mention.kind, organisation=getattr(mention, "organisation", None),
                        concept=mention.iri, spans=view.doc_spans(mention.start, mention.end))


# -- helpers --------------------------------------------------------------------------------------

def first_party(doc) -> PartyRef:
    meta = doc.metadata
    label = (meta.controller_aliases[0] if getattr(meta, "controller_aliases", None) else None) \
        or meta.controller or doc.policy
    return PartyRef(label=label, kind="first-party", concept=str(PF.FirstParty))


def _alias_pattern(doc) -> re.Pattern | None:
    names = [n for n in [*(getattr(doc.metadata, "controller_aliases", None) or []), doc.metadata.controller] if n]
    if not names:
        return None
    return re.compile("|".join(rf"\b{re.escape(n)}\b" for n in sorted(names, key=len, reverse=True)), re.I)


def _subject_start(verbs: list[Verb], k: int, clause_start: int) -> int:
    """Where the subject of verb ``k`` starts: after the last earlier verb of its clause, else at the clause's start."""
    return max([v.end for v in verbs[:k] if v.start >= clause_start] or [clause_start])


def _overlaps(m, spans) -> bool:
    return any(m.start < e and s < m.end for s, e in spans)


def _without_examples_parent(terms: list[Term], lex) -> list[Term]:
    """In "we never disclose any other information, such as your location", the rule is about the example."""
    iris = {t.iri for t in terms}
    return [t for t in terms if not any(t.iri in lex.broader(o) for o in iris if o != t.iri)] or terms


def _merge(statements: list[Statement]) -> list[Statement]:
    """One statement per (action, modality) in a sentence: "collect and store" stays two, "share … share" one."""
    out: dict[tuple, Statement] = {}
    for st in statements:
        key = (st.action, st.modality, st.actor.label, tuple(d.iri for d in st.data))
        if key in out:
            kept = out[key]
            kept.data = C.unique(kept.data + st.data)
            kept.recipients = C.unique(kept.recipients + st.recipients)
            kept.purposes = C.unique(kept.purposes + st.purposes)
            kept.jurisdictions = C.unique(kept.jurisdictions + st.jurisdictions)
            kept.retention = kept.retention or st.retention
        else:
            out[key] = st
    return list(out.values())


def extract(doc, lexicon=None, disable=()) -> list[Statement]:
    """The statements of one Document (see ../shared/spec/statements-json.md)."""
    return Extractor(lexicon, disable=disable).extract(doc)

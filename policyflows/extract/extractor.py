"""Document → data-practice statements.

Each sentence is read on its own (policyflows.extract.sentence); this module carries what a reader
carries from one sentence to the next:

- definition items ("Cloud cached video: …"): "the video" in the sentences under an item is the
  item's category, and a practice with no data of its own is about the item;
- continuations ("For example, your …", "This information may include …") add data to the
  practices of the sentence before;
- lead-ins ("We may use your personal information for the following purposes:") take the items
  that follow as purposes, and those items state no practice of their own;
- references ("such information") and sharing sections: a disclosure with no data of its own is
  about the data of the last disclosure in its section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from policyflows.extract.cues import Cues, load_cues
from policyflows.extract.model import Evidence, PartyRef, Statement, Term
from policyflows.extract.retention import parse_retention
from policyflows.extract.sentence import (
    INFINITIVE, CaselessPattern, SentenceView, Span, Verb, action_matches, coordinated, find_spans, find_verbs, item_label_end, law_context, modality_of,
)
from policyflows.vocab import PF, policy_iri, slug

PERSONAL_INFORMATION = str(PF.PersonalInformation)
CHILDREN = re.compile(r"\b(?:from|of|about|by) (?:minors|children|kids|a child|persons? under|anyone under|individuals under|"
                      r"(?:children|minors|users|individuals|persons|anyone) under(?: the age of)? \d+)\b", re.I)
_AGE_LIMIT = re.compile(r"\bage of \d+|\bunder \d+", re.I)
_GERUND_ITEM = re.compile(r"^\s*[·•\-–]?\s*(?:\(?[a-z0-9]{1,3}[.)]\s*)?[A-Z][a-z]+ing\b")
_PURPOSE_ITEM_CUT = re.compile(r",? (?:including|such as|for example|e\.g\.)\b|[;:(]|\. ")
_QUESTION = re.compile(r"\?\s*$")
# A capitalised label and a colon inside a sentence: a candidate definition item.
_INNER_ITEM = re.compile(r"(?:(?<=[\s:])|^)((?:[A-Z][\w’'/-]*)(?:[ ][\w’'/-]+|\s*\([^)]{0,60}\)){0,9}?)\s?:\s+(?=\S)")
_THEY_SUBJECT = CaselessPattern(r"(?:^|[,;]\s*|\b(?:and|but)\s+)they\s+(?:\w+\s+){0,2}$")
_FIRST_PARTY_WORDS = CaselessPattern(r"\b(?:we|us|our|ourselves)\b")
_LOCAL_RECIPIENT_LABEL = "your own device (local storage)"
_UNNAMED_THIRD_PARTIES = "third parties"
_AUTHORITIES = "authorities"
# The kind classes themselves ("third parties", "our affiliates") are named in the plural, as policies do.
_GENERIC = {str(PF.FirstParty): None, str(PF.Affiliate): "affiliates", str(PF.ServiceProvider): "service providers",
            str(PF.ThirdParty): "third parties", str(PF.Advertiser): "advertisers", str(PF.Authority): "authorities",
            str(PF.Acquirer): "acquirers", str(PF.Public): "the public", str(PF.UserParty): None}
_HOLDING_ACTIONS = {"collect", "use", "store", "retain", "delete"}
_DISCLOSING_ACTIONS = {"share", "sell", "transfer"}


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


class Extractor:
    """Reads a Document into Statements using the ontology's lexicon and the cue file."""

    def __init__(self, lexicon=None, cues: Cues | None = None):
        if lexicon is None:
            from policyflows.ontology import Lexicon
            lexicon = Lexicon.load()
        self.lex = lexicon
        self.cues = cues or load_cues()

    # -- the document ---------------------------------------------------------------------------

    def extract(self, doc) -> list[Statement]:
        ctx = _Context(policy=doc.policy, first_party=first_party(doc), aliases=_alias_pattern(doc))
        statements: list[Statement] = []
        for i in range(len(doc.sentences)):
            section = doc.section_title(i)
            if section != ctx.section:
                ctx.section, ctx.item, ctx.lead_in, ctx.last_disclosure = section, None, None, None
                ctx.sharing = bool(section) and any(a == "share" and p.search(section) for a, p in self.cues.section_actions)
                ctx.previous, ctx.pending = [], []
            statements.extend(self._sentence(doc, i, ctx))
        return [s for s in statements if s.data]

    def _sentence(self, doc, i: int, ctx: _Context) -> list[Statement]:
        sent = doc.sentences[i]
        text = doc.text[sent.start:sent.end]
        evidence = Evidence(text, sent.start, sent.end, i)
        if _QUESTION.search(text):
            return []
        cues = self.cues
        if not (ctx.lead_in or ctx.sharing or next(cues.candidates(text), None) or cues.continuation.search(text)
                or cues.reference.search(text) or ": " in text):
            ctx.previous, ctx.pending = [], []
            return []
        made: list[Statement] = []
        for seg_start, seg_end in self._segments(text):
            made.extend(self._segment(text[seg_start:seg_end], sent.start + seg_start, ctx, evidence,
                                      ctx.sharing))
        return made

    def _segments(self, text: str) -> list[tuple[int, int]]:
        """Split a sentence where a definition item starts inside it ("… through APP Remote video: when …")."""
        cuts = [0]
        if ":" not in text:
            return [(0, len(text))]
        for m in _INNER_ITEM.finditer(text):
            label_start = m.start(1)
            if label_start == 0 or label_start - cuts[-1] < 12:
                continue
            mentions = [d for d in self.lex.data_mentions(m.group(1))]
            if mentions and mentions[-1].end >= len(m.group(1).rstrip(") ")) - 2:
                cuts.append(label_start)
        return list(zip(cuts, cuts[1:] + [len(text)]))

    def _segment(self, text: str, offset: int, ctx: _Context, evidence: Evidence, sharing: bool) -> list[Statement]:
        view = self._view(text, offset, ctx.section, sharing)
        self._update_item(view, ctx)

        if ctx.lead_in is not None and _GERUND_ITEM.match(text):
            self._purpose_item(view.text, ctx, evidence)
            return []
        lead_in = self.cues.purpose_lead_in.search(text)
        if lead_in and text[lead_in.end():].strip():
            # the first item of the list follows the lead-in in the same sentence
            rest = text[lead_in.end():]
            view = self._view(text[:lead_in.end()], offset, ctx.section, sharing)
            made = self._practices(view, ctx, evidence)
            for st in made:
                ctx.lead_in = st
            if ctx.lead_in is not None:
                self._purpose_item(rest, ctx, None)
            ctx.previous = [s for s in made if s.data]
            return made

        if self.cues.continuation.search(text[view.label_end:]) and not view.verbs and view.data:
            targets = ctx.pending or ctx.previous
            if targets:
                self._continue(targets, view, evidence)
                return []

        if self._says_nothing_of_a_person(text):
            ctx.previous, ctx.pending = [], []
            return []

        made = self._practices(view, ctx, evidence)
        if not made:
            made = self._location_statement(view, ctx, evidence) or self._section_statement(view, ctx, evidence)
        for st in made:
            if lead_in and st.action == "use":
                ctx.lead_in = st
            if st.action in _DISCLOSING_ACTIONS and st.data:
                ctx.last_disclosure = st
        ctx.pending = [s for s in made if not s.data]
        ctx.previous = [s for s in made if s.data] or ([] if made else ctx.previous[:0])
        return made

    def _says_nothing_of_a_person(self, text: str) -> bool:
        """Anonymised or aggregate data, or a definition: no practice on personal data here."""
        low = text.lower()
        if any(w in low for w in ("anonym", "identif", "aggregat", "non-personal", "statistic")) \
                and self.cues.non_personal.search(text):
            return True
        return any(w in low for w in ("mean", "refer", "defined")) and bool(self.cues.definition.search(text))

    # -- what is in one sentence --------------------------------------------------------------

    def _view(self, text: str, offset: int, section: str | None, sharing: bool = False) -> SentenceView:
        view = SentenceView(text=text, offset=offset, section=section)
        view.label_end = item_label_end(text)
        data = list(self.lex.data_mentions(text))
        # The other vocabularies only matter to a sentence that may state a practice; most do not.
        view.actions = action_matches(text, self.cues, view.label_end)
        may_act = bool(view.actions)
        if may_act or sharing:
            find_spans(text, self.cues, view)
            # where a data phrase and a recipient phrase overlap, the longer wins ("QQ number" over "QQ")
            view.recipients = [r for r in self.lex.recipient_mentions(text)
                               if not any(d.start <= r.start and r.end <= d.end and (d.end - d.start) > (r.end - r.start)
                                          for d in data)]
            for r in view.recipients:  # "affiliated companies (in communications, social media …)" describes them
                m = re.match(r"\s*\([^)]*\)", text[r.end:])
                if m:
                    view.ignored.append(Span(r.end, r.end + m.end()))
        taken = [(m.start, m.end) for m in view.recipients]
        view.data = [m for m in data if not _overlaps(m, taken)]
        if may_act:
            view.purposes_found = [m for m in self.lex.purpose_mentions(text)
                                   if not _overlaps(m, taken + [(d.start, d.end) for d in view.data])]
        if may_act or view.search(self.cues.storage_location):
            view.places = [m for m in self.lex.jurisdiction_mentions(text) if not law_context(text, m.start)]
        if may_act:
            view.verbs = find_verbs(view, self.cues)
        for k, v in enumerate(view.verbs):
            # "not collect, use and/or disclose": coordinated verbs share the first one's modality
            if k and coordinated(view, view.verbs[k - 1], v):
                v.modality = view.verbs[k - 1].modality
            else:
                v.modality = modality_of(view, v, self.cues)
        return view

    def _update_item(self, view: SentenceView, ctx: _Context) -> None:
        if not view.label_end:
            return
        label = [m for m in view.data if m.end <= view.label_end]
        ctx.item = self._term(label[-1]) if label else None

    # -- practices ----------------------------------------------------------------------------

    def _practices(self, view: SentenceView, ctx: _Context, evidence: Evidence) -> list[Statement]:
        verbs = view.verbs
        made = []
        for k, verb in enumerate(verbs):
            if self._user_is_subject(view, verb, ctx):
                continue
            data = self._data_for(view, verbs, k, ctx)
            actor = self._actor(view, verb, verbs[:k], made, ctx)
            st = Statement(action=verb.action, modality=verb.modality, actor=actor, data=data,
                           evidence=evidence, section=ctx.section)
            st.recipients = self._recipients(view, verb, st, ctx)
            st.purposes = self._purposes(view, verb, ctx)
            st.conditions = self._conditions(view)
            st.legal_bases = self._legal_bases(view)
            st.jurisdictions = self._places(view, verb)
            if st.action in {"retain", "store", "delete"} or view.verbs and any(v.action == "retain" for v in verbs):
                st.retention = parse_retention(view.text, self.cues) if st.action in {"retain", "store"} else None
            if not st.data and st.action in _DISCLOSING_ACTIONS and ctx.last_disclosure is not None \
                    and (st.recipients or view.search(self.cues.reference)):
                st.data = list(ctx.last_disclosure.data)
            if st.action in _DISCLOSING_ACTIONS and not st.recipients:
                continue  # a disclosure to no one named or implied is not a flow we can place
            made.append(st)
        return _merge(made)

    def _user_is_subject(self, view: SentenceView, verb: Verb, ctx: _Context) -> bool:
        """True when the person (or an unnamed "they") performs the verb, not the company."""
        start, _ = view.clause_bounds(verb.start)
        before = view.text[start:verb.start]
        if _THEY_SUBJECT.search(before):
            return True
        m = None
        for m in self.cues.user_subject.finditer(before):
            pass
        if m is None:
            return False
        later = before[m.end():]
        return not (_FIRST_PARTY_WORDS.search(later) or (ctx.aliases and ctx.aliases.search(later)))

    def _data_for(self, view: SentenceView, verbs: list[Verb], k: int, ctx: _Context) -> list[Term]:
        verb = verbs[k]
        clause_start, clause_end = view.clause_bounds(verb.start)
        # the object runs to the next verb that does not share it
        end = clause_end
        for later in verbs[k + 1:]:
            if later.start >= clause_end:
                break
            if not coordinated(view, verbs[verbs.index(later) - 1], later):
                end = later.start
                break
        if verb.action in {"use", "collect", "retain", "delete"}:
            stop = INFINITIVE.search(view.text, verb.end, end)
            end = stop.start() if stop else end
        mentions = self._usable(view, verb.end, end)
        if not mentions:
            j = k  # "collect and use your …": the first verb takes the object of the last coordinated one
            while j + 1 < len(verbs) and coordinated(view, verbs[j], verbs[j + 1]):
                j += 1
            if j != k:
                mentions = self._usable(view, verbs[j].end, view.clause_bounds(verbs[j].start)[1])
        if not mentions and (verb.passive or verb.action in {"retain", "store"}):
            prev_end = max([v.end for v in verbs[:k] if v.start >= clause_start] or [clause_start])
            mentions = self._usable(view, prev_end, verb.start)
            if not mentions and verb.passive:
                # "Audio is processed locally … and is never uploaded": passives share their subject
                first = min([v.start for v in verbs[:k] if v.start >= clause_start and v.passive] or [verb.start])
                mentions = self._usable(view, clause_start, first)
        terms = [self._in_item(self._term(m), ctx) for m in mentions]
        if not terms and ctx.item is not None:
            terms = [ctx.item]
        if not terms and self.cues.reference.search(view.text[clause_start:clause_end]) and ctx.previous:
            terms = [t for s in ctx.previous for t in s.data]
        if terms and verb.modality == "will-not":
            terms = _without_examples_parent(terms, self.lex)
        if view.search(CHILDREN):
            terms = self._children([t for t in terms if not view.search(_AGE_LIMIT) or t.label != "age"])
        return _unique(terms)

    def _usable(self, view: SentenceView, start: int, end: int) -> list:
        return [m for m in view.data if start <= m.start and m.end <= end
                and not view.in_ignored(m.start, m.end) and not view.in_purpose(m.start, m.end)]

    def _in_item(self, term: Term, ctx: _Context) -> Term:
        """Under "Cloud cached video: …", "the video" is the cloud-cached video."""
        item = ctx.item
        if item is not None and term.iri != PERSONAL_INFORMATION and term.iri in self.lex.broader(item.iri):
            return item
        return term

    def _children(self, terms: list[Term]) -> list[Term]:
        try:
            child = self.lex.resolve("children's data")[0]
        except Exception:
            return []
        return [Term(child.iri, child.label)] if any(t.iri == PERSONAL_INFORMATION for t in terms) else terms

    def _actor(self, view: SentenceView, verb: Verb, earlier: list[Verb], made: list[Statement],
               ctx: _Context) -> PartyRef:
        start, _ = view.clause_bounds(verb.start)
        before = view.text[start:verb.start]
        subject = [r for r in view.recipients if start <= r.start and r.end <= verb.start
                   and not view.in_ignored(r.start, r.end)]
        if subject:
            between = view.text[subject[-1].end:verb.start]
            if len(between.split()) <= 4 and not _FIRST_PARTY_WORDS.search(between) \
                    and not re.search(r"\b(?:to|with|from|by)\s*$", view.text[:subject[-1].start]):
                return self._party(subject[-1])
        if made and re.search(r"\bto\s+$", before) and earlier:
            return made[-1].actor  # "… may use cookies to gather …": the same actor gathers
        return ctx.first_party

    def _recipients(self, view: SentenceView, verb: Verb, st: Statement, ctx: _Context) -> list[PartyRef]:
        agents = self._passive_agents(view, verb, ctx) if verb.passive else []
        if agents and st.action in _HOLDING_ACTIONS:
            return agents  # "cookies are used by us and our service providers"
        hosts = self._hosts(view, verb) if st.action in {"store", "retain"} else []
        if hosts:
            return hosts  # "uploaded to Amazon Web Services servers": the host keeps it for the company
        if st.action in _HOLDING_ACTIONS:
            if view.search(self.cues.local_storage) and st.action in {"collect", "store", "retain"} \
                    and st.modality != "will-not":  # "processed locally and never uploaded": the rule is about the cloud
                return [PartyRef(_LOCAL_RECIPIENT_LABEL, "user")]
            if st.action == "use" and st.actor.kind == "first-party":
                return []
            return [st.actor]
        _, clause_end = view.clause_bounds(verb.start)
        found = [self._party(r) for r in view.recipients
                 if verb.end <= r.start and r.end <= clause_end
                 and not view.in_purpose(r.start, r.end) and not view.in_ignored(r.start, r.end)]
        if not found and re.match(r"[^.;]{0,80}?\b(?:with|to) us\b", view.text[verb.end:clause_end]):
            return [ctx.first_party]  # "share your name … with us": the company receives it
        if not found and view.search(self.cues.legal_disclosure):
            found = [PartyRef(_AUTHORITIES, "authority", concept=str(PF.Authority))]
        if not found and st.action == "transfer":
            found = [st.actor]
        if not found and st.action in {"share", "sell"}:
            found = [PartyRef(_UNNAMED_THIRD_PARTIES, "third-party")]  # no concept: nobody was named
        return _unique(found)

    def _hosts(self, view: SentenceView, verb: Verb) -> list[PartyRef]:
        """Named organisations or storage providers after a storing verb: they hold data on the company's behalf."""
        _, clause_end = view.clause_bounds(verb.start)
        found = [r for r in view.recipients if verb.end <= r.start and r.end <= clause_end
                 and not view.in_purpose(r.start, r.end) and not view.in_ignored(r.start, r.end)
                 and (r.organisation or r.kind == "service-provider")
                 and re.search(r"\b(?:to|on|in|at|with|by)\s+(?!our\b|its\b)(?:\w+\s+){0,3}$", view.text[verb.end:r.start])]
        return _unique([PartyRef(_GENERIC.get(r.iri) or r.label, "service-provider",
                                 organisation=getattr(r, "organisation", None), concept=r.iri) for r in found])

    def _passive_agents(self, view: SentenceView, verb: Verb, ctx: _Context) -> list[PartyRef]:
        """The parties after "by" that follow a passive verb."""
        _, clause_end = view.clause_bounds(verb.start)
        m = re.match(r"\s+by\b", view.text[verb.end:clause_end])
        if not m:
            return []
        start = verb.end + m.end()
        stop = re.search(r"[,;.(]|\s(?:to|for|in order|when|if|which|who)\b", view.text[start:clause_end])
        end = start + stop.start() if stop else clause_end
        agents = [self._party(r) for r in view.recipients if start <= r.start and r.end <= end]
        phrase = view.text[start:end]
        if _FIRST_PARTY_WORDS.search(phrase) or (ctx.aliases and ctx.aliases.search(phrase)):
            agents.insert(0, ctx.first_party)
        return _unique(agents)

    def _purposes(self, view: SentenceView, verb: Verb, ctx: _Context) -> list[Term]:
        out: list[Term] = []
        clause_start, clause_end = view.clause_bounds(verb.start)
        for span in view.purpose_spans:
            if span.start < verb.start or span.start >= clause_end:
                continue  # a purpose serves the practice of its own clause
            phrase = _purpose_phrase(view.text[span.start:span.end])
            if phrase and not self.cues.purpose_reference.search(phrase):
                out.append(self._stated_purpose(phrase, view, span.start, span.end, ctx))
        for m in view.purposes_found:
            if clause_start <= m.start < clause_end and \
                    not any(s.start <= m.start and m.end <= s.end for s in view.purpose_spans):
                out.append(self._term(m))
        return _unique(out)

    def _stated_purpose(self, phrase: str, view: SentenceView, start: int, end: int, ctx: _Context) -> Term:
        """A purpose in the policy's own words, under the taxonomy purpose it names, if any."""
        inside = [m for m in view.purposes_found if start <= m.start and m.end <= end]
        if inside and len(phrase.split()) <= len(inside[0].text.split()) + 1:
            return self._term(inside[0])
        iri = f"{policy_iri(ctx.policy)}/purpose/{slug(phrase)[:80]}"
        return Term(iri, phrase, broader=inside[0].iri if inside else None)

    def _purpose_item(self, text: str, ctx: _Context, evidence: Evidence | None) -> None:
        phrase = _purpose_phrase(_PURPOSE_ITEM_CUT.split(text.strip(" ·•-–"), maxsplit=1)[0])
        if phrase:
            lead = ctx.lead_in
            inside = [m for m in self.lex.purpose_mentions(phrase)]
            iri = f"{policy_iri(ctx.policy)}/purpose/{slug(phrase)[:80]}"
            lead.purposes = _unique(lead.purposes + [Term(iri, phrase, broader=inside[0].iri if inside else None)])
            if evidence is not None:
                lead.more_evidence.append(evidence)

    def _conditions(self, view: SentenceView) -> list[str]:
        return _unique([view.text[s.start:s.end].strip(" ,;.") for s in view.condition_spans])

    def _legal_bases(self, view: SentenceView) -> list[Term]:
        if view.legal_bases is None:  # once per sentence, not once per statement
            find = getattr(self.lex, "legal_basis_mentions", None)
            view.legal_bases = _unique([self._term(m) for m in find(view.text)]) if find else []
        return list(view.legal_bases)

    def _places(self, view: SentenceView, verb: Verb) -> list[Term]:
        if verb.action not in {"store", "transfer", "share", "retain"}:
            return []
        if verb.action == "share" and not view.search(self.cues.storage_location):
            return []
        return _unique([Term(m.iri, m.label, m.code) for m in view.places])

    def _continue(self, targets: list[Statement], view: SentenceView, evidence: Evidence) -> None:
        terms = [self._term(m) for m in view.data if not view.in_ignored(m.start, m.end)]
        for st in targets:
            st.data = _unique(st.data + terms)
            st.more_evidence.append(evidence)

    # -- statements without a practice verb ---------------------------------------------------

    def _location_statement(self, view: SentenceView, ctx: _Context, evidence: Evidence) -> list[Statement]:
        """"We have data centres in Beijing, …": where the company keeps personal information."""
        if not view.places or not view.search(self.cues.storage_location):
            return []
        data = [self._term(m) for m in view.data] or [Term(PERSONAL_INFORMATION, self.lex.label(PERSONAL_INFORMATION))]
        modality = "may" if view.search(self.cues.may) else "will"
        st = Statement(action="store", modality=modality, actor=ctx.first_party, data=data, evidence=evidence,
                       recipients=[ctx.first_party], jurisdictions=_unique([Term(m.iri, m.label, m.code) for m in view.places]),
                       section=ctx.section, policy_wide=not view.data)
        return [st]

    def _section_statement(self, view: SentenceView, ctx: _Context, evidence: Evidence) -> list[Statement]:
        """A recipient listed under a sharing heading is a recipient of the data shared there."""
        if not view.recipients or view.verbs or not ctx.section or len(view.text.split()) > 20:
            return []
        actions = [a for a, p in self.cues.section_actions if p.search(ctx.section)]
        if "share" not in actions:
            return []
        data = [self._term(m) for m in view.data]
        if not data and ctx.last_disclosure is not None:
            data = list(ctx.last_disclosure.data)
        if not data:
            return []
        recipients = _unique([self._party(r) for r in view.recipients if not view.in_ignored(r.start, r.end)])
        return [Statement(action="share", modality="may", actor=ctx.first_party, data=data, evidence=evidence,
                          recipients=recipients, conditions=self._conditions(view), section=ctx.section)]

    # -- terms ----------------------------------------------------------------------------------

    def _term(self, mention) -> Term:
        return Term(mention.iri, mention.label, getattr(mention, "code", None))

    def _party(self, mention) -> PartyRef:
        label = _GENERIC.get(mention.iri) or mention.label
        return PartyRef(label=label, kind=mention.kind,
                        organisation=getattr(mention, "organisation", None), concept=mention.iri)


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


def _purpose_phrase(text: str) -> str:
    words = text.strip(" ,.;:").split()
    lead = {"in", "order", "so", "as", "to", "for", "the", "purpose", "purposes", "of", "with", "that"}
    while words and words[0].lower() in lead:
        words.pop(0)
    if len(words) < 2:
        return ""
    phrase = " ".join(words[:14])
    return phrase[0].lower() + phrase[1:] if not phrase[:2].isupper() else phrase


def _overlaps(m, spans) -> bool:
    return any(m.start < e and s < m.end for s, e in spans)


def _unique(items: list) -> list:
    seen, out = set(), []
    for it in items:
        key = it if not isinstance(it, PartyRef) else (it.label.lower(), it.kind)
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


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
            kept.data = _unique(kept.data + st.data)
            kept.recipients = _unique(kept.recipients + st.recipients)
            kept.purposes = _unique(kept.purposes + st.purposes)
            kept.jurisdictions = _unique(kept.jurisdictions + st.jurisdictions)
            kept.retention = kept.retention or st.retention
        else:
            out[key] = st
    return list(out.values())


def extract(doc, lexicon=None) -> list[Statement]:
    """The statements of one Document (see ../shared/spec/statements-json.md)."""
    return Extractor(lexicon).extract(doc)

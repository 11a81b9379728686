"""Single sentences phrased as policies phrase them: each rule's effect, one at a time.

The seed and corpus tests check whole real policies; these pin down one rule each, so a change to
the cues that breaks one shows which.
"""
from __future__ import annotations

import pytest

from policyflows.extract import Extractor, extract
from policyflows.ingest import read_string

RULES = Extractor(disable=("model",))  # the rules alone: what each test pins down is a rule's reading


def statements(text):
    return extract(read_string(text, policy_id="example"))


@pytest.mark.parametrize("text, action, modality, data, recipient_kind, places, retention", [
    ("We store your personal information on servers located in Singapore and the United States.",
     "store", "will", "personal information", "first-party", {"SG", "US"}, None),
    ("Your personal data will be retained for 30 days after you delete your account.",
     "retain", "will", "personal information", "first-party", set(), "P30D"),
    ("We do not share your video recordings with any third party.",
     "share", "will-not", "video", "third-party", set(), None),
    ("The recorded video clips are uploaded to Amazon Web Services (AWS) servers in Germany.",
     "store", "will", "video", "service-provider", {"DE"}, None),
    ("Cleaning maps are stored on our servers for up to 180 days.",
     "store", "will", "cleaning map", "first-party", set(), "P180D"),
    ("Your location data will not be sold to advertisers.",
     "sell", "will-not", "location", "advertiser", set(), None),
    ("We will share your personal information with law enforcement agencies if required by law.",
     "share", "will", "personal information", "authority", set(), None),
    ("Audio is processed locally on the device and is never uploaded to the cloud.",
     "store", "will-not", "audio", "first-party", set(), None),
])
def test_one_sentence_one_practice(text, action, modality, data, recipient_kind, places, retention):
    found = [s for s in statements(text) if s.action == action]
    assert found, [(s.action, s.modality) for s in statements(text)]
    st = found[0]
    assert st.modality == modality
    assert data in {d.label for d in st.data}
    assert recipient_kind in {r.kind for r in st.recipients}
    assert {j.code for j in st.jurisdictions} == places
    assert st.retention == retention


def test_a_host_named_after_our_is_the_company_itself():
    st = [s for s in statements("We may transfer to and store your personal information at our overseas facilities.")
          if s.action == "store"][0]
    assert [r.kind for r in st.recipients] == ["first-party"]


@pytest.mark.parametrize("text", [
    "We may share anonymized information and statistics in aggregate form with advertisers.",
    "In this policy, personal information means information that can be used to identify you.",
    "You can delete the videos through the app.",
    "We do not link the information we store to any personal information you submit.",
    "We sell children's products for purchase by adults.",
])
def test_sentences_that_state_no_practice_on_personal_data(text):
    positive = [s for s in statements(text) if s.modality != "will-not"]
    assert positive == [], [(s.action, [d.label for d in s.data]) for s in positive]


def test_they_points_back_at_a_party_named_in_a_sentence_that_states_no_practice():
    """"Advertisers serve ads on our site. They receive your IP address": the advertisers receive it,
    though the first sentence states no practice; with no party named before, "they" is nobody we can place."""
    named = RULES.extract(read_string(
        "Third-party advertisers serve ads on our website. They automatically receive your IP address "
        "when this happens.", policy_id="example"))
    ip = [s for s in named if any(d.label == "IP address" for d in s.data)]
    assert ip and {s.actor.kind for s in ip} == {"advertiser"}
    unnamed = RULES.extract(read_string(
        "Our website shows advertisements. They automatically receive your IP address when this happens.",
        policy_id="example"))
    assert not [s for s in unnamed if s.actor.kind == "first-party" and any(d.label == "IP address" for d in s.data)]


def test_a_relative_clause_after_a_party_is_that_partys_practice():
    """"companies that collect …": "that" after a plural noun opens a relative clause (it is no determiner,
    as in "that collection"), and its verb is the companies' practice even after "work with"."""
    found = RULES.extract(read_string(
        "We work with analytics companies that collect usage data and your IP address on our behalf.",
        policy_id="example"))
    assert {(s.action, s.actor.kind) for s in found} == {("collect", "service-provider")}
    assert {d.label for s in found for d in s.data} >= {"IP address"}


def _rules(text):
    return RULES.extract(read_string(text, policy_id="example"))


def _read(found):
    """(action, modality, actor kind, data labels) of each positive statement."""
    return [(s.action, s.modality, s.actor.kind, {d.label for d in s.data}) for s in found if s.modality != "will-not"]


@pytest.mark.parametrize("text, action, actor, data, absent", [
    # a condition ends where "we" opens the main clause, comma or not
    ("When you register we collect your name, email address and phone number.",
     "collect", "first-party", {"name", "email address", "phone number"}, set()),
    # "it" is the data of the sentence just before, not of an older disclosure
    ("We may share your name with partners. We automatically collect your location when you use the app. "
     "We may share it with advertisers.", "share", "first-party", {"location"}, set()),
    # "including but not limited to" neither negates, nor ends the clause, nor is an exclusion
    ("JibJab collects user submitted information including but not limited to name, email address, and age.",
     "collect", "first-party", {"name", "email address", "age"}, set()),
    # the person shares with us: the company collects
    ("When you register, you may share personal information with us, such as your name and date of birth.",
     "collect", "first-party", {"name", "date of birth"}, set()),
    # … and gives it by a gerund after "by"
    ("The easiest way to do this is by providing us the phone number of the account holder.",
     "collect", "first-party", {"phone number"}, set()),
    # a gift inside a condition is a possible collection; a list after "the following information:" is one list
    ("Some games use a registration process where you may be asked to give us some or all of the following "
     "information: your age; your email address.", "collect", "first-party", {"age", "email address"}, set()),
    # "if you allow us to access …": the company's access, though inside a condition
    ("If you have allowed us to access your geolocation data, you can stop it in the settings.",
     "collect", "first-party", {"location"}, set()),
    # … the object of "collect" goes on past "the device you use to access the services"
    ("We may collect information about the device you use to access the services, such as your IP address.",
     "collect", "first-party", {"IP address"}, set()),
    # a list after "such as" goes on past a semicolon
    ("We may collect information, such as demographic data; information about your device, including your IP address.",
     "collect", "first-party", {"IP address"}, set()),
    # a coordinated verb keeps the subject of the one before
    ("A third party may place a cookie on your browser, or use a web beacon, to collect information about your visits.",
     "use", "third-party", {"web beacons"}, set()),
    # the person gives data to another party: that party collects it
    ("When you pay you may have to submit personal information to our billing partner, including your billing address.",
     "collect", "third-party", {"billing address"}, set()),
    # a party after ", which" performs the relative clause's verb
    ("Some ads are served by third-party companies, which may collect information about your use of the services.",
     "collect", "third-party", {"usage data"}, set()),
    # the audience as the subject: they see it
    ("Other users may see your profile name and photo.", "share", "first-party", {"image"}, set()),
    # data named only to be left out
    ("We may share information about your visits to this website (not including your name or email address) "
     "with advertisers.", "share", "first-party", {"usage data"}, {"email address", "name"}),
    # a place whose law is compared is no data
    ("We may transfer your personal data to the United States, which may be outside of your country of residence.",
     "transfer", "first-party", {"personal information"}, {"coarse location"}),
    # 2026-12-02: the rules that read what the OPP-115 share misses said (README, "This stop")
    # the object points back at the data of the sentence's own earlier verb, whatever its modality
    ("We will collect your name and email address and we may share this information with our co-sponsors.",
     "share", "first-party", {"name", "email address"}, set()),
    ("We do not sell your email address, but we may share it with our partners.",
     "share", "first-party", {"email address"}, set()),
    # one party just named, then "this provider"; a "they" after it is still that party
    ("We use a third-party service provider to serve ads on our behalf. This provider may collect your IP address. "
     "They may also use cookies to measure the ads.", "use", "service-provider", {"cookies"}, set()),
    ("We use a third-party service provider to serve ads on our behalf. This provider may collect your IP address.",
     "collect", "service-provider", {"IP address"}, set()),
    # a party described by a relative clause is still the subject
    ("Third parties whose products are advertised via the Services may also place cookies on your computer.",
     "collect", "third-party", {"cookies"}, set()),
    # "assist us with", "help us": they do it for the company
    ("Our service providers help us collect your email address.", "collect", "service-provider", {"email address"}, set()),
    # a second infinitive after "allow <party> to …"
    ("We work with third party ad networks and allow such third party ad networks to target and serve video "
     "advertising and to use cookies on our Site to collect non-personally identifiable data.",
     "use", "advertiser", {"cookies"}, set()),
    # a participle with its agent is a passive: the data is before it
    ("Information collected by third-party ad networks may include your IP address.",
     "collect", "advertiser", {"IP address"}, set()),
    # … and across the place it names first ("from your device" hid the agent)
    ("Your IP address may be collected from your device by our analytics partners.",
     "collect", "service-provider", {"IP address"}, set()),
    # the agent after a list of participles is every participle's ("collected" was the company's before)
    ("Your comments can be viewed publicly and can be collected and used by third parties.",
     "collect", "third-party", {"user content"}, set()),
    # "we and <party> that …": a relative clause of any length describes the party beside us, who does it too
    ("We and third parties that provide content, advertising, or functionality on our Services, may use cookies "
     "to improve the Services.", "use", "third-party", {"cookies"}, set()),
    # "our" before a gerund: the company's act
    ("By making a purchase, you consent to our providing your financial information to our service providers.",
     "share", "first-party", {"financial information"}, set()),
    # a relative clause with the company as subject discloses what it is about
    ("We keep mailing lists of names and addresses which we may rent to other companies.",
     "sell", "first-party", {"name", "postal address"}, set()),
    # "Excluding X, this information …": the excluded data leaves the reference
    ("To enable payment, we collect name, email address and credit card information. Excluding credit card "
     "information, this information may be shared with third parties.", "share", "first-party",
     {"name", "email address"}, {"payment card details"}),
    # what becomes visible is the subject, not the words after
    ("When using the Application, your approximate location will be visible to other users associated with that "
     "username.", "share", "first-party", {"coarse location"}, {"username"}),
    # the inventory that says it is collected states the collection, whatever the sentence before said
    ("Your profile may be visible to other users. Typically, the personal information collected includes: name; "
     "email address; telephone number.", "collect", "first-party", {"email address", "phone number"}, set()),
    # 2026-12-02 (second session): subjects, givers and inventories
    # a party with a relative clause, or auxiliaries, between it and its verb is still the subject
    ("When you visit a page with a sharing tool, the third-party company that operates the tool may be collecting "
     "information about your browser.", "collect", "third-party", {"browser information"}, set()),
    ("An advertiser or ad server may also be able to collect your device's unique identifier.",
     "collect", "advertiser", {"device ID"}, set()),
    # "that you submit" describes the subject; the main verb after it discloses
    ("Your IP address and the information that you voluntarily submit may be provided to the third parties.",
     "share", "first-party", {"IP address"}, set()),
    # the infinitive of a giving verb is no purpose that hides its object
    ("If you request a brochure, you will be required to provide us with your name and address.",
     "collect", "first-party", {"name", "postal address"}, set()),
    # another party gives it to us; the company has access to it: the company collects
    ("The social media site will give us certain information about you, such as your email address.",
     "collect", "first-party", {"email address"}, set()),
    ("If you sign in with a social network, we will have access to your profile information on that network.",
     "collect", "first-party", {"account information"}, set()),
    # the person's leave for another to share sits inside the object of the company's own verb
    ("When you log in with a social network, we collect the information you have authorized the network to share "
     "with us, such as your name and gender.", "collect", "first-party", {"name", "gender"}, set()),
    # "This information may include:" leads a list, whatever relative clauses and participles its items hold
    ("We collect information you provide directly to us. This information may include: name, phone number, "
     "items requested (for delivery), delivery notes, and other information you choose to provide.",
     "collect", "first-party", {"name", "phone number"}, set()),
    # "that may use" opens a relative clause (not "that" as a determiner before an adjective)
    ("We belong to ad networks that may use your browsing history to show you interest-based advertisements.",
     "use", "advertiser", {"browsing history"}, set()),
    # a participle with its agent acts, after "the use of" too
    ("Some analysis may involve the use of cookies set by Google.", "collect", "third-party", {"cookies"}, set()),
    # the person shares through the service with its other users
    ("You will be able to share your username and email address with other instant messaging users.",
     "share", "first-party", {"username", "email address"}, set()),
    # "rent your name …" rents data
    ("We may exchange or rent your name and mailing address with other reputable companies.",
     "sell", "first-party", {"name", "postal address"}, set()),
    # the person as what a passive is done to: the company asks
    ("If you sign up for our lists, you will be asked for personal data such as your name and postal address.",
     "collect", "first-party", {"name", "postal address"}, set()),
    ("During registration a user is required to give contact information (such as name and email address).",
     "collect", "first-party", {"name", "email address"}, set()),
    # "means" the noun is no definition; verbs inside a list after "This information may include" describe items
    ("We may use technical means to collect information about you. This information may include your IP address, "
     "the operating system used by your device, access times and your advertising ID.",
     "use", "first-party", {"IP address", "advertising ID"}, set()),
    # the app as the subject of its verb
    ("Our app accesses your contacts.", "collect", "first-party", {"contact list"}, set()),
    # the party before "to" performs the infinitive; its object is data, not a purpose
    ("We may engage third party vendors to process your payment card details.", "use", "service-provider",
     {"payment card details"}, set()),
    # 2026-12-02 (third session): data named by its source, a social network, is social media information
    ("If you connect to the services through a social media site, we may receive information about you from that "
     "social media site.", "collect", "first-party", {"social media information"}, set()),
    ("If you use your login credentials from a social networking site, we may receive information from such SNS.",
     "collect", "first-party", {"social media information"}, set()),
    ("If you log in with a social media feature, the third-party social media site will give us certain information "
     "about you.", "collect", "first-party", {"social media information"}, set()),
    # an advertiser who distributes cookies reads them back
    ("Some of our third party advertising partners may distribute cookies to users in advertisements.",
     "collect", "advertiser", {"cookies"}, set()),
])
def test_rules_of_general_english(text, action, actor, data, absent):
    found = [r for r in _read(_rules(text)) if r[0] == action and r[2] == actor]
    assert found, _read(_rules(text))
    got = set().union(*(r[3] for r in found))
    assert data <= got and not (absent & got), (got, _read(_rules(text)))


@pytest.mark.parametrize("text", [
    "Cookies are files that we transfer to your computer's hard drive to recognise your browser and your email address.",
    "Please send an email or letter to our privacy office at the email or mailing address provided below.",
    "With cookies, the information that we collect is limited to your browsing activity. It does not contain your "
    "name, address, telephone number, or email address.",
    "To learn about not having this information used by these companies, see the website of the Digital "
    "Advertising Alliance about your email address.",
    "We use this information to provide us with the ability to enhance our customers' experience, and your email address.",
])
def test_no_disclosure_where_none_is_stated(text):
    shares = [r for r in _read(_rules(text)) if r[0] in ("share", "transfer", "sell")]
    named = [r for r in _read(_rules(text)) if {"name", "phone number"} & r[3]]
    assert shares == [] and named == [], _read(_rules(text))


def test_a_passive_names_its_agents():
    """"processed by our payment processor": the processor, not the company ("our" names the processor's owner);
    "deployed by us and by our partners": both; "through a third-party vendor": the vendor."""
    by = _read(_rules("Your credit card information is processed by our payment processor."))
    assert {r[2] for r in by if "payment card details" in r[3]} == {"service-provider"}
    through = _read(_rules("Such credit card information is processed through a third-party vendor."))
    assert {r[2] for r in through if "payment card details" in r[3]} == {"service-provider"}
    both = _read(_rules("Your IP address may be collected by us and by our analytics providers."))
    assert {r[2] for r in both if "IP address" in r[3]} == {"first-party", "service-provider"}


def test_a_postal_code_is_a_location_as_well_as_an_address():
    from policyflows.ontology import Lexicon
    lex = Lexicon.load()
    code = lex.resolve("zip code")[0].iri
    assert {"https://w3id.org/policyflows/ns#Location", "https://w3id.org/policyflows/ns#PostalAddress"} <= set(lex.broader(code))


def test_no_name_is_received_is_ruled_out():
    """"No name, email, password or IP address is received by us": the subject's "No" reaches past its commas."""
    found = _rules("No name, email, password, phone number, or IP address is received by us.")
    assert found and all(s.modality == "will-not" for s in found), _read(found)


def test_every_item_of_a_list_states_the_lead_ins_practices():
    """Items under "X and our service providers may collect … :" are collected by both, even an item with a verb of
    its own; a blank line ends the list."""
    html = ("<html><body><p>We and our service providers may automatically collect the following information when "
            "you use our Services:</p><ul><li>Your device type, screen size and operating system;</li><li>Search terms "
            "you enter using our Services;</li><li>Information about your interactions with our video content, such as "
            "the type of content accessed via our Services;</li></ul><p>Your email address is never shared.</p>"
            "</body></html>")
    got = _read(RULES.extract(read_string(html, policy_id="example", format="html")))
    for label in ("search history", "interaction data", "operating system"):
        assert {r[2] for r in got if label in r[3] and r[0] == "collect"} == {"first-party", "service-provider"}, got
    assert not [r for r in got if "email address" in r[3]], got


def test_a_table_row_pairs_a_feature_with_its_data_and_purpose():
    """Issue 9's "document structure": a row is one item (feature: data; purpose), its header row no heading."""
    page = ("<html><body><h1>Privacy Policy</h1><h2>Information We Collect</h2>"
            "<p>We collect the following information when you use our services.</p>"
            "<table><tr><th>Feature</th><th>Personal data</th><th>Purpose</th></tr>"
            "<tr><td>Registering an account</td><td>e-mail, phone number</td><td>to create your account</td></tr>"
            "<tr><td>Placing an order</td><td>postal address, payment card number</td><td>to deliver your order</td></tr>"
            "</table></body></html>")
    doc = read_string(page, policy_id="example", format="html")
    assert "Feature" not in {s.title for s in doc.sections}
    found = [s for s in RULES.extract(doc) if s.action == "collect"]
    rows = {frozenset(d.label for d in s.data): {p.label for p in s.purposes} for s in found}
    assert rows.get(frozenset({"email address", "phone number"})) == {"create your account"}, rows
    assert rows.get(frozenset({"postal address", "card number"})) == {"deliver your order"}, rows
    # the row's words are cited: each purpose names its own cell
    st = next(s for s in found if {"postal address"} <= {d.label for d in s.data})
    (start, end), = st.purposes[0].spans
    assert doc.text[start:end] == "deliver your order"


def test_a_list_inside_one_sentence_is_read_one_line_an_item():
    """A lead-in whose colon ends its line, then one item a line inside the same paragraph (an HTML list in a
    <p>): each line is an item of the lead-in, cites its own words, and a lead-in is no definition label."""
    page = ("<html><body><p>When you conduct a search, we collect the following: <ul><li>Search terms and the time of "
            "your search</li></ul><ul><li>Your IP address and your location</li></ul></p>"
            "<p>We may collect this information if you: <ul><li>visit the Website</li><li>share your e-mail address "
            "to subscribe to newsletters</li></ul></p></body></html>")
    doc = read_string(page, policy_id="example", format="html")
    found = [s for s in RULES.extract(doc) if s.action == "collect" and s.modality != "will-not"]
    by_line = {s.evidence.text: {d.label for d in s.data} for s in found}
    assert by_line.get("Your IP address and your location", set()) >= {"IP address", "location"}, by_line
    assert by_line.get("Search terms and the time of your search", set()) >= {"search history"}, by_line
    # lines after "… if you:" are the person's acts, conditions of the lead's verb: the sentence is read whole
    assert any("email address" in labels and text.startswith("We may collect") for text, labels in by_line.items()), by_line


def test_an_infinitive_item_under_a_collection_heading_is_a_purpose():
    """"To send you alerts via SMS messages;" under "Information We Collect" says why, and collects no messages."""
    page = ("<html><body><h2>Information We Collect</h2><p>We use the information that we collect for the following "
            "purposes: <ul><li>To send you alerts via SMS messages;</li><li>To generate reports about your "
            "transaction history.</li></ul></p></body></html>")
    got = _read(RULES.extract(read_string(page, policy_id="example", format="html")))
    assert not [r for r in got if {"text messages", "transaction history"} & r[3]], got


def test_a_lead_in_ending_in_the_following_is_no_definition_label():
    """"… we collect the following: …" leads into a list; it labels nothing, so its verb is read."""
    got = _read(_rules("When you conduct a search, we collect the following: the search terms you enter and your IP address."))
    assert [r for r in got if r[0] == "collect" and {"IP address", "search history"} <= r[3]], got


def test_a_definition_item_ends_with_its_paragraph():
    """The sentences under a label "Passwords: …" are about passwords until a blank line; a later paragraph's
    practice with no data of its own is not about them."""
    got = _read(_rules("Passwords: you can set a passcode to lock the app.\n\nWe may collect and disclose to third "
                       "parties statistics regarding our sales and other information collected through our site."))
    assert not [r for r in got if "password" in r[3]], got


def test_a_disclosure_with_no_data_takes_the_last_one_of_its_own_paragraph_only():
    """"We may also disclose to …" with no data of its own is about the disclosure just before, in its paragraph;
    one paragraphs before is about other data."""
    same = _read(_rules("We may share your phone number with our partners. We may also disclose to law enforcement "
                        "agencies if we believe disclosure is necessary."))
    assert [r for r in same if r[0] == "share" and "phone number" in r[3]][1:], same
    apart = _read(_rules("We may share your phone number with our partners.\n\nWe may also disclose to law enforcement "
                         "agencies if we believe disclosure is necessary."))
    assert len([r for r in apart if r[0] == "share" and "phone number" in r[3]]) == 1, apart


@pytest.mark.parametrize("text", [
    "We won't share your email address with third parties.",
    "We don’t collect your precise location.",
    "We cannot collect your location when the app is closed.",
    "Our partners didn't receive your phone number.",
    # a negation reaches every verb of a list after it, across the list's commas
    "We do not rent, sell or share your email address with advertisers.",
    "Gamenco does NOT collect, transmit or disclose your name or phone number.",
    # … after a contraction too, with either apostrophe (each was a positive sale or disclosure before)
    "We don't share, sell or rent your phone number.",
    "We don’t sell, rent or share your email address.",
    # … to a list's last verb of leave and the verb its party performs, however long the list (a third party's
    # positive use of the email address before)
    "We will not share, sell, rent, swap or authorize any third party to use your email address.",
    "We do not sell, rent or allow advertisers to access your phone number.",
    # … and across an aside between commas right after it
    "We never, under any circumstances, share your email address with advertisers.",
    # "None of …" as the subject
    "None of your personal information is shared with third parties.",
])
def test_a_negation_rules_the_practice_out(text):
    """"won't", "don’t" (either apostrophe), "cannot": one word each, a negation like "not"; and a negation's reach."""
    found = [s for s in _rules(text) if s.data]
    assert found and all(s.modality == "will-not" for s in found), [(s.action, s.modality) for s in found]


def test_a_negation_does_not_reach_a_verb_with_an_object_of_its_own_after_a_comma():
    got = _read(_rules("We do not collect your name, share your email address with partners."))
    assert [r for r in got if r[0] == "share" and "email address" in r[3]], got


@pytest.mark.parametrize("text, action, data", [
    # a past participle right after the object's noun describes it ("information collected through …"): the
    # object, and the data its examples name, go on after it
    ("We may share any information collected through our Services, including your name and postal address, "
     "with our affiliated companies.", "share", {"name", "postal address"}),
    ("We may disclose the data gathered by our website, such as your email address, to our service providers.",
     "share", {"email address"}),
])
def test_a_participle_that_describes_the_object_does_not_end_it(text, action, data):
    got = _read(_rules(text))
    assert any(r[0] == action and data <= set(r[3]) for r in got), got


def test_a_participle_with_its_own_auxiliary_or_subject_still_ends_the_object():
    # "… share it. Information is collected …" / "we share what we have collected": not a description of an object
    got = _read(_rules("We may share reports with partners and we collected your email address at sign-up."))
    assert not any(r[0] == "share" and "email address" in r[3] for r in got), got

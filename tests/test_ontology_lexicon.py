"""The lexicon on real policy text: it finds the data, recipients, purposes and places a reader finds."""
from __future__ import annotations

import html
import re

import pytest

from policyflows.errors import UnknownTermError
from policyflows.ontology import Lexicon
from policyflows.vocab import PF

from conftest import CORPUS, HUALAI, SEVENTY_MAI


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


def plain_text(path) -> str:
    """The words of a policy file, tags and scripts removed, whitespace collapsed (enough to find a sentence)."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        raw = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", raw)
        raw = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    return re.sub(r"\s+", " ", raw)


def sentence(path, start: str, end: str) -> str:
    """The stretch of ``path`` from ``start`` to the end of ``end`` (both must be there)."""
    text = plain_text(path)
    i = text.index(start)
    return text[i:text.index(end, i) + len(end)]


def found(mentions) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in mentions]


def labels(mentions) -> set[str]:
    return {m.label for m in mentions}


# ---------------------------------------------------------------------------------------------
# data categories
# ---------------------------------------------------------------------------------------------

def test_network_information_of_the_camera_policy(lex):
    text = sentence(HUALAI, "Network information:", "device IP and BSSID.")
    assert found(lex.data_mentions(text)) == [
        ("Network information", "network information"), ("WIFI SSID", "Wi-Fi SSID"), ("RSSI", "RSSI"),
        ("device IP", "IP address"), ("BSSID", "BSSID")]


def test_device_related_data_of_the_camera_policy(lex):
    text = sentence(HUALAI, "Device-related data:", "and device version.")
    mentions = lex.data_mentions(text)
    assert ("device MAC", "MAC address") in found(mentions)
    assert ("motherboard identification number", "motherboard ID") in found(mentions)
    assert {"device information", "device status", "device manufacturer", "device model", "device name",
            "operating system", "firmware version", "hardware information"} <= labels(mentions)
    for m in mentions:
        assert text[m.start:m.end] == m.text


def test_video_kinds_of_the_camera_policy(lex):
    text = sentence(HUALAI, "Cloud cached video:", "it will not be saved on the server.")
    assert {"cloud-cached video", "SD-card video", "real-time video", "video"} <= labels(lex.data_mentions(text))
    first = lex.data_mentions(text)[0]
    assert (first.text, first.iri) == ("Cloud cached video", str(PF.CloudCachedVideo))


def test_contact_details_and_messaging_ids_of_the_dash_cam_policy(lex):
    text = sentence(SEVENTY_MAI, "Information you provide to us or upload", "or Wechat number.")
    got = labels(lex.data_mentions(text))
    assert {"phone number", "email address", "QQ number", "WeChat ID", "Mi account ID", "username",
            "profile picture", "feedback"} <= got


def test_marketing_data_of_the_dash_cam_policy(lex):
    text = sentence(SEVENTY_MAI, "We may use your name, phone number", "gender, and location.")
    got = labels(lex.data_mentions(text))
    assert {"name", "phone number", "email address", "Mi account ID", "account ID", "IMEI", "purchase history",
            "browsing history", "date of birth", "age", "gender", "location"} <= got


def test_log_file_data_of_the_dash_cam_policy(lex):
    text = sentence(SEVENTY_MAI, "This information may include Internet protocol", "clickstream data.")
    assert [label for _, label in found(lex.data_mentions(text))] == [
        "IP address", "browser information", "Internet service provider", "referring/exit pages", "operating system", "date/time stamp", "clickstream data"]


def test_lower_case_mac_address_in_an_iot_policy(lex):
    text = sentence(CORPUS / "iot" / "foscam.html", "Technical information about your Foscam", "software version")
    assert {"device model", "serial number", "MAC address", "account ID", "firmware version"} <= labels(lex.data_mentions(text))


def test_wyze_device_technical_information(lex):
    text = sentence(CORPUS / "iot" / "wyze.html", "Technical information about each of your Wyze Products", "and IP address")
    assert {"device model", "serial number", "MAC address", "firmware version", "device name", "device status",
            "IP address"} <= labels(lex.data_mentions(text))


def test_children_phrase_is_longer_than_personal_information(lex):
    text = sentence(HUALAI, "Hualai does not seek", "from minors.")
    assert labels(lex.data_mentions(text)) == {"children's data"}


def test_ordinary_words_are_not_data(lex):
    text = "Please contact us to address your concerns; we take steps to log in and review the public interest."
    assert lex.data_mentions(text) == []


def test_phrases_that_name_no_category(lex):
    text = "Write to us by email at our email address; children under the age of 13; your domain name."
    assert lex.data_mentions(text) == []
    assert found(lex.data_mentions("we collect your email address and age")) == [
        ("email address", "email address"), ("age", "age")]


def test_mentions_do_not_overlap_and_run_left_to_right(lex):
    text = plain_text(SEVENTY_MAI)
    mentions = lex.data_mentions(text)
    assert len(mentions) > 100
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:]))


# ---------------------------------------------------------------------------------------------
# recipients
# ---------------------------------------------------------------------------------------------

def test_service_provider_list_of_the_camera_policy(lex):
    text = sentence(HUALAI, "In order to conduct business operations smoothly", "and Hualai’s representatives.")
    got = [(m.label, m.kind) for m in lex.recipient_mentions(text)]
    assert got == [
        ("affiliate", "affiliate"), ("service provider", "service-provider"), ("mailing house", "service-provider"),
        ("delivery service provider", "service-provider"), ("telecommunications company", "service-provider"),
        ("data centre", "service-provider"), ("data storage facility", "service-provider"),
        ("customer service provider", "service-provider"),
        ("advertising and marketing service provider", "service-provider"), ("representative", "service-provider")]


def test_named_organisations_with_aliases(lex):
    text = sentence(SEVENTY_MAI, "Here are third party terms", "Facebook Connect or an Open ID provider.")
    organisations = {m.organisation.rsplit("#", 1)[-1] for m in lex.recipient_mentions(text) if m.organisation}
    assert {"Google", "SwiftKey", "Fleksy", "Meta", "OpenIDProvider"} <= organisations
    assert all(m.kind == "third-party" for m in lex.recipient_mentions(text) if m.organisation)


def test_ecosystem_companies_are_their_own_organisation(lex):
    text = sentence(HUALAI, "Hualai may disclose your personal data to Xiaomi", "from the Mi Ecosystem.")
    got = [(m.text, m.organisation.rsplit("#", 1)[-1]) for m in lex.recipient_mentions(text)]
    assert got == [("Xiaomi", "Xiaomi"), ("Mi Ecosystem companies", "MiEcosystem"), ("Mi Ecosystem", "MiEcosystem")]


def test_authorities_and_acquirers(lex):
    text = sentence(HUALAI, "If Hualai is involved in a merger", "asset sale")
    assert {m.kind for m in lex.recipient_mentions(text)} == {"acquirer"}
    text = sentence(HUALAI, "comply with the requirements of the local government", "illegal activities.")
    assert [m.kind for m in lex.recipient_mentions(text)] == ["authority"]


def test_a_name_inside_a_data_category_is_not_a_recipient(lex):
    assert lex.recipient_mentions("your QQ number, Wechat number and Google account") == []
    assert [m.label for m in lex.recipient_mentions("we share it with Google")] == ["Google"]


def test_local_storage_is_the_user(lex):
    text = sentence(HUALAI, "Video stored in Micro SD:", "through APP")
    assert [(m.text, m.kind) for m in lex.recipient_mentions(text)] == [("Micro SD", "user"), ("Micro SD", "user")]


# ---------------------------------------------------------------------------------------------
# purposes
# ---------------------------------------------------------------------------------------------

def test_purposes_of_the_camera_policy(lex):
    text = sentence(HUALAI, "We may use device-related data to determine", "authorized and protected.")
    assert [m.label for m in lex.purpose_mentions(text)] == [
        "device activation", "firmware analysis and updates", "device operating status",
        "device authorisation and protection"]
    text = sentence(HUALAI, 'We may use "cloud cached video"', "motion detection alarm feature.")
    assert [m.label for m in lex.purpose_mentions(text)] == ["motion-detection alarm"]
    text = sentence(HUALAI, "We may use your Mi account to search", "access authorization each time.")
    assert [m.label for m in lex.purpose_mentions(text)] == [
        "finding devices registered to an account", "device authorisation and protection"]


def test_a_purpose_that_is_a_verb_with_its_object_is_matched_as_written(lex):
    assert [m.text for m in lex.purpose_mentions("we use it to communicate with you")] == ["communicate with you"]
    assert lex.purpose_mentions("please communicate any concerns") == []


def test_purposes_of_the_dash_cam_policy(lex):
    text = sentence(SEVENTY_MAI, "Personal information collected when creating a Mi Account", "profile page for the user.")
    assert "creating an account" in labels(lex.purpose_mentions(text))
    text = sentence(SEVENTY_MAI, "DIRECT MARKETING We may use your name", "business partners")
    assert "direct marketing" in labels(lex.purpose_mentions(text))


# ---------------------------------------------------------------------------------------------
# places
# ---------------------------------------------------------------------------------------------

def test_six_data_centres_of_the_camera_policy(lex):
    text = sentence(HUALAI, "Currently, Hualai has data centers in", "Russia and Germany.")
    assert [m.code for m in lex.jurisdiction_mentions(text)] == ["CN-BJ", "US", "SG", "IN", "RU", "DE"]
    assert lex.jurisdiction_mentions(text)[0].label == "Beijing"


def test_demonym_of_the_dash_cam_policy(lex):
    text = sentence(SEVENTY_MAI, "Currently, 70mai has data centres in", "Singapore and French.")
    assert [(m.text, m.code) for m in lex.jurisdiction_mentions(text)] == [
        ("Beijing", "CN-BJ"), ("United States", "US"), ("Singapore", "SG"), ("French", "FR")]


def test_governing_law_variants(lex):
    text = sentence(SEVENTY_MAI, "shall be governed by the laws of the Mainland", "Republic of China.")
    assert [m.code for m in lex.jurisdiction_mentions(text)] == ["CN"]
    text = sentence(SEVENTY_MAI, "This Privacy Policy shall be governed by", "law of Singapore.")
    assert [m.code for m in lex.jurisdiction_mentions(text)] == ["SG"]


@pytest.mark.parametrize("text, codes", [
    ("stored in the U.S. and the UK", ["US", "GB"]),
    ("servers in the USA, the EEA and Mainland China", ["US", "EEA", "CN"]),
    ("CONTACT US If you have questions, contact us.", []),
    ("LET US KNOW", []),
    ("users in the EU GDPR sense", ["EU"]),
    ("Russia, Germany, india", ["RU", "DE"]),
    ("customers in South America and Latin America", []),
    ("transferred to the People's Republic of China (PRC)", ["CN", "CN"]),
    ("our data centre in Frankfurt", ["DE-HE"]),
    ("headquartered in California", ["US-CA"]),
])
def test_place_names_and_abbreviations(lex, text, codes):
    assert [m.code for m in lex.jurisdiction_mentions(text)] == codes


# ---------------------------------------------------------------------------------------------
# legal bases
# ---------------------------------------------------------------------------------------------

def test_legal_bases_are_dpv_terms(lex):
    text = sentence(HUALAI, "We will only so use your personal data after", "which may require separate explicit consent.")
    assert [m.iri.rsplit("#", 1)[-1] for m in lex.legal_basis_mentions(text)] == [
        "ExplicitlyExpressedConsent", "ExplicitlyExpressedConsent"]
    text = sentence(HUALAI, "Hualai may disclose your personal information without further consent", "applicable law.")
    assert [m.label for m in lex.legal_basis_mentions(text)] == ["Legal Obligation"]
    assert lex.legal_basis_mentions("You hereby consent that we may process it.") == []


# ---------------------------------------------------------------------------------------------
# resolving a user's term
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("term, expected", [
    ("video", "Video"), ("MAC address", "MACAddress"), ("mac address", "MACAddress"), ("phone number", "PhoneNumber"),
    ("phone numbers", "PhoneNumber"), ("telephone number", "PhoneNumber"), ("personal information", "PersonalInformation"),
    ("personal data", "PersonalInformation"), ("Mi account", "MiAccountID"), ("cloud video", "CloudCachedVideo"),
    ("IP address", "IPAddress"), ("device ID", "DeviceIdentifier"), ("location", "Location"), ("e-mail", "EmailAddress"),
    ("WiFi SSID", "WiFiSSID"), ("cloud", "CloudCachedVideo"),
])
def test_resolve_everyday_terms(lex, term, expected):
    assert [c.iri.rsplit("#", 1)[-1] for c in lex.resolve(term)] == [expected]


def test_resolved_categories_include_their_narrower_ones(lex):
    video = {lex.label(i) for i in lex.narrower(str(PF.Video))}
    assert {"cloud-cached video", "real-time video", "SD-card video"} <= video
    device_ids = {lex.label(i) for i in lex.narrower(str(PF.DeviceIdentifier))}
    assert {"IMEI", "MAC address", "motherboard ID", "serial number"} <= device_ids
    assert {"precise location", "coarse location", "GPS coordinates"} <= {lex.label(i) for i in lex.narrower(str(PF.Location))}
    assert {str(PF.Video), str(PF.Recording), str(PF.PersonalInformation)} <= lex.broader(str(PF.CloudCachedVideo))
    assert str(PF.PersonalInformation) not in lex.narrower(str(PF.PersonalInformation))


def test_unknown_term_raises_with_suggestions(lex):
    with pytest.raises(UnknownTermError) as err:
        lex.resolve("flurbo")
    assert err.value.suggestions
    with pytest.raises(UnknownTermError) as err:
        lex.resolve("vidoe")
    assert err.value.suggestions[0] == "video"


def test_label_of_concepts_and_places(lex):
    assert lex.label(str(PF.CloudCachedVideo)) == "cloud-cached video"
    assert lex.label("https://w3id.org/dpv/loc#CN-BJ") == "Beijing"


def test_a_second_load_reads_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYFLOWS_CACHE", str(tmp_path))
    from policyflows.ontology import lexicon as module
    module._load_cached.cache_clear()
    first = Lexicon.load()
    assert list(tmp_path.glob("lexicon-*.json"))
    module._load_cached.cache_clear()
    second = Lexicon.load()
    assert second.concepts == first.concepts and second.labels == first.labels
    module._load_cached.cache_clear()

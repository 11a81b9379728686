"""Extraction on the two seed policies: what a careful reader finds, and nothing it rules out."""
from __future__ import annotations

import pytest

from policyflows.extract import extract
from policyflows.ingest import read


@pytest.fixture(scope="module")
def hualai(hualai_path):
    doc = read(hualai_path)
    return doc, extract(doc)


@pytest.fixture(scope="module")
def seventymai(seventymai_path):
    doc = read(seventymai_path)
    return doc, extract(doc)


def _labels(terms):
    return {t.label.lower() for t in terms}


def _with(statements, phrase):
    return [s for s in statements if phrase in s.evidence.text or any(phrase in e.text for e in s.more_evidence)]


def test_every_statement_cites_its_sentence_verbatim_by_offsets(hualai, seventymai):
    for doc, statements in (hualai, seventymai):
        assert statements
        for st in statements:
            for ev in st.all_evidence:
                assert doc.text[ev.start:ev.end] == ev.text


def test_will_not_be_saved_on_the_server_is_a_ruled_out_store(hualai):
    _, statements = hualai
    saved = [s for s in _with(statements, "will not be saved on the server") if s.action == "store"]
    assert saved and all(s.modality == "will-not" for s in saved)
    assert any("real" in label and "video" in label for s in saved for label in _labels(s.data))


def test_cloud_cached_video_is_kept_seven_days(hualai):
    _, statements = hualai
    kept = [s for s in statements if s.retention == "P7D"]
    assert kept and any("cloud" in label for s in kept for label in _labels(s.data))


def test_we_do_not_sell_is_a_ruled_out_sale(hualai, seventymai):
    for _, statements in (hualai, seventymai):
        sells = [s for s in statements if s.action == "sell"]
        assert sells and all(s.modality == "will-not" for s in sells)
        assert any(r.kind == "third-party" for s in sells for r in s.recipients)


def test_never_disclose_location_rules_out_sharing_location_not_all_data(hualai):
    _, statements = hualai
    never = [s for s in _with(statements, "never disclose") if s.action == "share"]
    assert never and never[0].modality == "will-not"
    assert any("location" in label for label in _labels(never[0].data))
    assert "personal information" not in _labels(never[0].data)


def test_data_centres_give_every_place_of_storage(hualai, seventymai):
    for (doc, statements), codes in ((hualai, {"CN-BJ", "US", "SG", "IN", "RU", "DE"}),
                                     (seventymai, {"CN-BJ", "US", "SG", "FR"})):
        places = {j.code for s in statements if s.action == "store" for j in s.jurisdictions}
        assert codes <= places, f"{doc.policy}: {places}"


def test_named_recipients_and_service_provider_lists(hualai):
    _, statements = hualai
    shared = [s for s in statements if s.action == "share" and s.modality != "will-not"]
    recipients = {(r.kind, r.label.lower()) for s in shared for r in s.recipients}
    kinds = {k for k, _ in recipients}
    assert {"affiliate", "service-provider", "third-party", "authority"} <= kinds
    assert any("xiaomi" in label for _, label in recipients)
    assert any("mailing" in label for k, label in recipients if k == "service-provider")


def test_anonymised_aggregate_sharing_names_no_recipient(hualai):
    _, statements = hualai
    assert not _with(statements, "anonymized information")
    assert not any(r.kind == "advertiser" for s in statements for r in s.recipients)


def test_enumeration_after_for_example_joins_the_collection(hualai):
    _, statements = hualai
    collected = {label for s in statements if s.action == "collect" for label in _labels(s.data)}
    assert "mac address" in collected
    assert any("ssid" in label for label in collected)


def test_phone_number_feedback_kept_three_months_and_used_for_marketing(seventymai):
    _, statements = seventymai
    kept = [s for s in statements if s.retention == "P3M"]
    assert any("phone number" in _labels(s.data) for s in kept)
    used = [s for s in statements if s.action == "use" and "phone number" in _labels(s.data)]
    assert any("marketing" in p.label.lower() for s in used for p in s.purposes)


def test_sd_card_video_stays_with_the_user(hualai):
    _, statements = hualai
    local = [s for s in statements if any(r.kind == "user" for r in s.recipients)]
    assert local and all(s.action in {"collect", "store", "retain"} for s in local)


def test_one_extractor_reused_for_a_corpus_reads_each_policy_as_a_fresh_one_does(hualai, seventymai):
    # a build worker keeps one Extractor for every document (pipeline._extractor): nothing of one
    # document may reach the next, in either order
    from policyflows.pipeline import _extractor, graph_for_document

    for doc, fresh in (hualai, seventymai, hualai):
        assert graph_for_document(doc).statements == fresh
    assert _extractor() is _extractor()


def test_threads_that_build_at_once_each_read_with_their_own_extractor(hualai, seventymai):
    # a Dask worker may run several build jobs in its threads: an Extractor holds the document it reads
    import threading

    from policyflows.pipeline import _extractor, graph_for_document

    jobs = [hualai, seventymai, hualai, seventymai]
    start = threading.Barrier(len(jobs))
    got, used = [None] * len(jobs), [None] * len(jobs)

    def build(k):
        start.wait()  # all at once
        used[k] = _extractor()
        got[k] = graph_for_document(jobs[k][0]).statements

    threads = [threading.Thread(target=build, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [fresh for _, fresh in jobs]
    assert len({id(e) for e in used}) == len(jobs) and _extractor() not in used

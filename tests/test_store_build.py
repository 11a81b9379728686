"""Building an on-disk store from the real policies: skip unchanged files, replace rebuilt graphs,
report bad files, survive interruption, refuse a missing or locked store."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policyflows.errors import StoreNotFoundError
from policyflows.store import FlowStore, StoreLockedError

HUALAI_ID = "hualai-xiaofang-smart-camera"
SEVENTY_ID = "70mai-dash-cam"
POLICYFLOWS = [sys.executable, "-m", "policyflows"]


@pytest.fixture(scope="module")
def built(tmp_path_factory, policies_dir):
    path = tmp_path_factory.mktemp("store") / "store"
    store = FlowStore.open(path, create=True)
    report = store.build([policies_dir], progress=False)
    assert sorted(report.built) == [SEVENTY_ID, HUALAI_ID] and not report.failed
    return path


def copy_store(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_one_named_graph_per_policy_plus_the_ontology(built):
    store = FlowStore.open(built)
    graphs = {g.value for g in store.store.named_graphs()}
    assert graphs == {"https://w3id.org/policyflows/policy/" + HUALAI_ID,
                      "https://w3id.org/policyflows/policy/" + SEVENTY_ID,
                      "https://w3id.org/policyflows/ontology"}
    assert store.policy_ids() == [SEVENTY_ID, HUALAI_ID]


def test_the_real_answer_for_cloud_video(built, hualai_path):
    from policyflows.ingest import read

    text = read(hualai_path).text
    answer = FlowStore.open(built).where("cloud video", policies=[HUALAI_ID])
    flows = answer["flows"]
    assert flows and {f["policy"] for f in flows} == {HUALAI_ID}
    stored = [f for f in flows if f["action"] == "store" and f["modality"] in ("will", "may")]
    assert {f["jurisdiction"]["code"] for f in stored if f["jurisdiction"]} >= {"CN-BJ", "US", "SG", "IN", "RU", "DE"}
    assert any(f["retention"] == "P7D" for f in flows)
    for f in flows:
        assert [e["start"] for e in f["evidence"]] == sorted(e["start"] for e in f["evidence"])
        for e in f["evidence"]:
            assert text[e["start"]:e["end"]] == e["text"]


def test_a_large_build_compacts_the_store_and_answers_the_same(built, tmp_path, policies_dir, monkeypatch):
    """Past COMPACT_AFTER_BYTES of N-Quads the build compacts the store (RocksDB then compresses the
    tables bulk loading left uncompressed); a small build does not, and both answer alike."""
    import policyflows.store as store_module

    plain = FlowStore.open(built)
    small = FlowStore.open(tmp_path / "small", create=True).build([policies_dir], progress=False)
    assert not small.compacted and 0 < small.loaded_bytes < store_module.COMPACT_AFTER_BYTES
    monkeypatch.setattr(store_module, "COMPACT_AFTER_BYTES", small.loaded_bytes)
    compacted_store = FlowStore.open(tmp_path / "compacted", create=True)
    report = compacted_store.build([policies_dir], progress=False)
    assert report.compacted and report.loaded_bytes == small.loaded_bytes
    assert len(compacted_store) == len(plain)
    assert compacted_store.where("video") == plain.where("video")


def test_a_large_load_compacts_too(built, tmp_path, monkeypatch):
    """`load` of a large export compacts as a large build does; the loaded store answers alike."""
    import policyflows.store as store_module

    plain = FlowStore.open(built)
    data = plain.export(format="nquads")
    calls = []
    real = store_module._compact_after
    monkeypatch.setattr(store_module, "COMPACT_AFTER_BYTES", len(data))
    monkeypatch.setattr(store_module, "_compact_after",
                        lambda store, n, progress: calls.append(n) or real(store, n, progress))
    loaded = FlowStore.open(tmp_path / "loaded", create=True)
    loaded.load(data, format="nquads")
    assert calls == [len(data)]
    assert loaded.where("video") == plain.where("video")


def test_unchanged_files_are_skipped_and_force_rebuilds(built, tmp_path, policies_dir):
    store = FlowStore.open(copy_store(built, tmp_path / "s"))
    before = len(store)
    report = store.build([policies_dir], progress=False)
    assert report.built == [] and sorted(report.skipped) == [SEVENTY_ID, HUALAI_ID]
    report = store.build([policies_dir / "70mai-dash-cam.txt"], progress=False, force=True)
    assert report.built == [SEVENTY_ID]
    assert len(store) == before  # the graph was replaced, not added to


def test_a_changed_file_replaces_its_graph(built, tmp_path, hualai_path):
    store = FlowStore.open(copy_store(built, tmp_path / "s"))
    # the same policy id, from a shortened file: its old flows must go
    short = tmp_path / "in" / (HUALAI_ID + ".txt")
    short.parent.mkdir()
    text = hualai_path.read_text(encoding="utf-8")
    short.write_text(text[: text.index("Cloud cached video")], encoding="utf-8")
    before = store.flows("cloud video", policies=[HUALAI_ID])
    report = store.build([short], progress=False)
    assert report.built == [HUALAI_ID]
    after = store.flows("cloud video", policies=[HUALAI_ID])
    assert len(after) < len(before)
    from policyflows.ingest import read

    cut = len(read(short).text)
    assert all(e["end"] <= cut for f in store.flows(policies=[HUALAI_ID]) for e in f["evidence"])
    assert store.policies()[1]["source"]["path"] == str(short)


def test_bad_files_are_reported_and_the_rest_built(tmp_path, hualai_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    store = FlowStore.open(tmp_path / "s", create=True)
    report = store.build([empty, binary, tmp_path / "missing.txt", hualai_path], progress=False)
    assert report.built == [HUALAI_ID]
    assert [Path(p).name for p, _ in report.failed] == ["empty.txt", "image.txt", "missing.txt"]
    assert all(reason and "\n" not in reason for _, reason in report.failed)
    assert store.policy_ids() == [HUALAI_ID]


def test_a_missing_store_is_an_error_not_an_empty_answer(tmp_path):
    with pytest.raises(StoreNotFoundError, match="policyflows build"):
        FlowStore.open(tmp_path / "nothing-here")
    assert not (tmp_path / "nothing-here").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_build_leaves_the_previous_store_usable(built, tmp_path, corpus_dir, sig):
    path = copy_store(built, tmp_path / "s")
    before = FlowStore.open(path).where("cloud video")
    proc = subprocess.Popen(POLICYFLOWS + ["build", str(corpus_dir / "opp115"), "--store", str(path), "--force", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    building = tmp_path / ".s.building"
    deadline = time.time() + 60
    while not building.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert building.exists(), "the build never started"
    time.sleep(1.0)  # in the middle of extracting the vendor pages
    assert proc.poll() is None, "the build ended before it could be interrupted"
    proc.send_signal(sig)
    proc.wait(timeout=60)
    after = FlowStore.open(path)
    assert after.policy_ids() == [SEVENTY_ID, HUALAI_ID]
    assert after.where("cloud video") == before
    if sig == signal.SIGINT:
        assert not building.exists()  # cleaned up on the way out
    # and the next build works (a stale checkpoint left by SIGKILL is cleared)
    assert FlowStore.open(path).build([built.parent], progress=False).failed == []


def test_a_swap_cut_between_its_two_renames_is_undone_on_open(built, tmp_path):
    path = copy_store(built, tmp_path / "s")
    os.rename(path, tmp_path / ".s.previous")  # as if the process died right after the first rename
    assert FlowStore.open(path).policy_ids() == [SEVENTY_ID, HUALAI_ID]


def test_a_store_held_by_an_oxigraph_server_is_locked(built, tmp_path, policies_dir, free_port):
    path = copy_store(built, tmp_path / "s")
    server = subprocess.Popen([str(Path(sys.executable).with_name("oxigraph")), "serve", "--location", str(path),
                               "--bind", f"127.0.0.1:{free_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(free_port)
        store = FlowStore.open(path)  # reading still works: readers open the store read-only
        assert store.policy_ids() == [SEVENTY_ID, HUALAI_ID]
        with pytest.raises(StoreLockedError, match="oxigraph serve"):
            store.build([policies_dir], progress=False, force=True)
        result = subprocess.run(POLICYFLOWS + ["build", str(policies_dir), "--store", str(path), "--force"],
                                capture_output=True, text=True)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines()[-1].startswith("Error: the store at")
        assert "locked" in result.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")

"""Flow maps in a real headless Chromium: offline, no console errors, nodes drawn, evidence on
hover, policy text shown as text and never run. Screenshots go to tests/_artifacts/.

Needs Debian's ``chromium`` (``apt-get install -y chromium``; .ci/run installs it), driven by the
playwright package against that binary (never ``playwright install``).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HUALAI, POLICIES, REPO, SEVENTY_MAI
from test_views_flowmap import POLICIES as HAND_POLICIES
from test_views_network import hand_flows

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = REPO / "tests" / "_artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                          "(apt-get install -y chromium)")
playwright_api = pytest.importorskip("playwright.sync_api")


class Visit:
    """One page opened offline: what it asked the network for, what it logged, which dialogs it raised."""

    def __init__(self, page):
        self.page, self.requests, self.errors, self.dialogs = page, [], [], []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:  # networking is off: record the attempt and refuse it
            self.requests.append(url)
            route.abort()

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-drawn=true]", timeout=15_000)
        return self

    def node_labels(self) -> list[str]:
        return self.page.evaluate("nodes.get().map(function (n) { return n.label; })")

    def drawn_node_ids(self) -> list[str]:
        """Ids of the nodes vis actually laid out on the canvas (positions exist only for drawn nodes)."""
        return self.page.evaluate("Object.keys(network.getPositions())")

    def hover_edge(self, edge_id: str, timeout: float = 5_000) -> str:
        """Move the mouse onto the middle of an edge and return the tooltip's text."""
        point = self.page.evaluate(
            """(id) => { var e = edges.get(id), p = network.getPositions([e.from, e.to]);
                 var mid = {x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2};
                 var dom = network.canvasToDOM(mid), box = container.getBoundingClientRect();
                 return {x: box.left + dom.x, y: box.top + dom.y}; }""", edge_id)
        tooltip = self.page.locator("div.vis-tooltip")
        self.page.mouse.move(2, 2)  # off the canvas first, so an earlier tooltip goes away
        if tooltip.count():
            tooltip.wait_for(state="hidden", timeout=timeout)
        self.page.mouse.move(point["x"] - 20, point["y"] - 20)
        self.page.mouse.move(point["x"], point["y"], steps=5)
        tooltip.wait_for(state="visible", timeout=timeout)
        return tooltip.inner_text()

    def hover_evidence(self, tries: int = 12) -> str:
        """Hover over arrows until one shows a quoted policy sentence; its tooltip text.

        On a dense map an arrow's middle may lie under a box or another arrow; the test wants
        any arrow whose hover shows evidence, so it tries several.
        """
        ids = self.page.evaluate("""edges.get().filter(function (e) {
            return e.modality !== 'will-not' && e.title.indexOf('“') >= 0; }).map(function (e) { return e.id; })""")
        assert ids, "no arrow carries evidence"
        seen = []
        for edge in ids[:tries]:
            try:
                text = self.hover_edge(edge, timeout=2_000)
            except playwright_api.TimeoutError:
                continue
            seen.append(text)
            if "“" in text:
                return text
        raise AssertionError(f"no hover showed a policy sentence; tooltips seen: {seen}")

    def assert_clean(self):
        assert self.requests == [], f"the page tried the network: {self.requests}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == []


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def visit(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
    yield Visit(context.new_page())
    context.close()


def _map_via_cli(store: Path, out: Path, *args: str) -> Path:
    result = subprocess.run([sys.executable, "-m", "policyflows", "map", *args, "--store", str(store), "-o", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    return out


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> Path:
    """A store built from the two seed policies with the public API (Contract 5)."""
    from policyflows.store import FlowStore

    path = tmp_path_factory.mktemp("store")
    FlowStore.open(path, create=True).build([POLICIES], progress=False)
    return path


# ---------------------------------------------------------------------------------------------
# untrusted text


def test_policy_text_with_markup_shows_as_text_and_never_runs(visit, tmp_path):
    payload = "Before <img src=x onerror=alert(1)> and <script>window.__pwned=1</script> after."
    flows = hand_flows()
    for flow in flows:
        flow["evidence"] = [dict(e, text=payload) for e in flow["evidence"]]
    flows[0]["recipient"]["label"] = "<img src=x onerror=alert(2)>"
    policies = [dict(HAND_POLICIES[0], title="<script>window.__pwned=1</script>"), HAND_POLICIES[1]]
    from policyflows.views import write_map

    path = write_map(flows, policies, tmp_path / "hostile.html", term="video")
    visit.open(path)
    page = visit.page
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert "<script>window.__pwned=1</script>" in page.locator("header").inner_text()
    assert "<img src=x onerror=alert(2)>" in visit.node_labels()
    edge = page.evaluate("edges.get().filter(function (e) { return e.modality === 'will-not'; })[0].id")
    tooltip = visit.hover_edge(edge)
    assert "<img src=x onerror=alert(1)>" in tooltip and "<script>window.__pwned=1</script>" in tooltip
    assert payload in page.locator("#details-text").inner_text()
    page.wait_for_timeout(300)  # give any injected handler the chance to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    visit.assert_clean()
    page.screenshot(path=str(ARTIFACTS / "hostile.png"))


def test_hand_made_map_draws_every_node_offline(visit, tmp_path):
    from policyflows.views import write_map

    path = write_map(hand_flows(), HAND_POLICIES, tmp_path / "hand.html", term="video")
    visit.open(path)
    assert sorted(visit.node_labels(), key=str.casefold) == sorted(
        ["cloud-cached video", "MAC address", "phone number", "Hualai", "70mai", "Xiaomi", "third parties",
         "Beijing (CN-BJ)", "Germany (DE)", "France (FR)"], key=str.casefold)
    assert len(visit.drawn_node_ids()) == 10
    # something is painted: the canvas is not blank
    painted = visit.page.evaluate("""() => { var c = document.querySelector('#mynetwork canvas');
        var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
        for (var i = 0; i < d.length; i += 4) { if (d[i] < 200) { n++; } } return n; }""")
    assert painted > 1000
    visit.assert_clean()


# ---------------------------------------------------------------------------------------------
# real maps from the store built from ../shared/policies


def _check_real_map(visit, path: Path, screenshot: str) -> list[str]:
    from policyflows.ingest import read

    visit.open(path)
    labels = visit.node_labels()
    assert labels and len(visit.drawn_node_ids()) == len(labels)
    texts = {p.stem: read(p).text for p in (HUALAI, SEVENTY_MAI)}
    tooltip = visit.hover_evidence()
    panel = visit.page.locator("#details-text").inner_text()
    assert " ".join(panel.split()) == " ".join(tooltip.split()), "the side panel shows what the tooltip shows"
    policy = re.search(r"policy: (\S+)", tooltip).group(1)
    quoted = re.findall(r"“(.*?)” \[(\d+)–(\d+)\]", tooltip, re.S)
    assert quoted, tooltip
    for sentence, start, end in quoted:  # the hover quotes the policy verbatim, at its offsets
        assert texts[policy][int(start):int(end)] == sentence
    visit.assert_clean()
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / screenshot))
    return labels


def test_map_video_renders_offline_with_evidence_on_hover(visit, real_store, tmp_path):
    path = _map_via_cli(real_store, tmp_path / "video-map.html", "video")
    labels = _check_real_map(visit, path, "video-map.png")
    assert any("video" in label.lower() for label in labels)
    assert "Beijing (CN-BJ)" in labels
    assert "Where does video flow?" in visit.page.locator("header h1").inner_text()
    assert "2019-09-23" in visit.page.locator("header").inner_text()


def test_map_of_everything_compares_both_policies(visit, real_store, tmp_path):
    path = _map_via_cli(real_store, tmp_path / "flows-map.html")
    labels = _check_real_map(visit, path, "flows-map.png")
    header = visit.page.locator("header").inner_text()
    assert "2019-09-23" in header and "2017-08-01" in header
    assert {"France (FR)", "Germany (DE)", "Beijing (CN-BJ)"} <= set(labels)
    policies = visit.page.evaluate("Array.from(new Set(edges.get().map(function (e) { return e.policy; })))")
    assert sorted(policies) == sorted([HUALAI.stem, SEVENTY_MAI.stem])
    will_not = visit.page.evaluate("edges.get().filter(function (e) { return e.modality === 'will-not'; }).length")
    assert will_not > 0, "the seed policies rule flows out (\"we do not sell\"); the map must show it"


def test_geo_map_renders_offline(visit, real_store, tmp_path):
    path = _map_via_cli(real_store, tmp_path / "geo.html", "--view", "geo")
    labels = _check_real_map(visit, path, "geo-map.png")
    positions = visit.page.evaluate("network.getPositions()")
    by_label = {n["label"]: positions[n["id"]] for n in visit.page.evaluate("nodes.get()")}
    assert by_label["France (FR)"]["x"] < by_label["Beijing (CN-BJ)"]["x"]
    assert "United States (US)" in labels or any(label.endswith("(US)") for label in labels)


def test_the_offline_check_does_see_network_requests(visit, tmp_path):
    """The guard the other tests rely on: a page that fetches something is caught."""
    page = tmp_path / "fetches.html"
    page.write_text("<html><body data-drawn=true><img src='https://example.invalid/x.png'></body></html>")
    visit.page.goto(page.as_uri())
    visit.page.wait_for_timeout(300)
    assert visit.requests == ["https://example.invalid/x.png"]

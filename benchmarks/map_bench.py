"""Flow maps measured: page size, time to write, time to draw in headless Chromium, and whether
they read at 1400×900 (smallest label on screen, boxes cut at the window's edge, boxes overlapping).

    .venv/bin/python benchmarks/map_bench.py                          # the seed policies
    .venv/bin/python benchmarks/map_bench.py --baseline /work/main    # the same pages by another checkout
    .venv/bin/python benchmarks/map_bench.py --screenshots docs/img   # and save what a reader sees
    .venv/bin/python benchmarks/map_bench.py --store STORE --pages everything   # a store of your own
    .venv/bin/python benchmarks/map_bench.py --corpus STORE [STORE …]   # the corpus view of each store
    .venv/bin/python benchmarks/map_bench.py --corpus STORE --copies 8  # … and of its policies 8 times over

Writing is timed by CPU time of the process that writes (best of 3; the flows are read from the
store first), so a busy machine slows it little; drawing is wall time from navigation to the
page's first finished drawing (median of 3), so say what the load was (it prints ``uptime``).
A checkout given with ``--baseline`` writes its pages with its own ``.venv`` from the same store.
The corpus view (``--corpus``) is written in this process: the page, then one sheet per policy
(CPU time of each), and drawn three times; "drawn" is the browser's own time from navigation to the
table drawn (the page's ``drawn`` performance mark). ``--copies K`` also draws the page of the
store's summary with every policy K times under distinct ids, as the test suite does instead of
building the 1,000-policy corpus (benchmarks/corpus_bench.py makes it of copies of the real policies).

Needs Debian's chromium and the playwright package (the test extra).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLICIES = REPO.parent / "shared" / "policies"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}

# what each page is: (the term, keyword arguments of write_map or, for "compare", write_compare)
PAGES = {
    "video": ("video", {}),
    "everything": (None, {}),
    "geo": (None, {"view": "geo"}),
    "compare": (None, {"compare": True}),
}

SCREENSHOTS = {"video": "map.png"}  # the README's first picture; the others are map-PAGE.png

WRITER = r"""
import json, sys, time
from policyflows.store import FlowStore
from policyflows import views
store_dir, term, kwargs, out = sys.argv[1], sys.argv[2] or None, json.loads(sys.argv[3]), sys.argv[4]
with FlowStore.open(store_dir) as store:
    flows, policies = store.flows(term), store.policies()
compare = kwargs.pop("compare", False)
best = None
for _ in range(3):
    start = time.process_time()
    if compare:
        first, second = sorted(p["id"] for p in policies)[:2]
        views.write_compare(flows, policies, first, second, out, term=term)
    else:
        views.write_map(flows, policies, out, term=term, **kwargs)
    spent = time.process_time() - start
    best = spent if best is None else min(best, spent)
print(json.dumps({"flows": len(flows), "write_cpu_s": best}))
"""

GEOMETRY = """() => {
    var c = container.getBoundingClientRect(), scale = network.getScale();
    var shown = nodes.get({filter: function (n) { return !n.hidden; }});
    var boxes = shown.map(function (n) {
        var b = network.getBoundingBox(n.id);
        var tl = network.canvasToDOM({x: b.left, y: b.top}), br = network.canvasToDOM({x: b.right, y: b.bottom});
        return {left: tl.x, top: tl.y, right: br.x, bottom: br.y,
                font: scale * network.body.nodes[n.id].labelModule.fontOptions.size};
    });
    var cut = boxes.filter(function (b) {
        return b.left < -0.5 || b.top < -0.5 || b.right > c.width + 0.5 || b.bottom > c.height + 0.5; }).length;
    var overlaps = 0;
    for (var i = 0; i < boxes.length; i++) { for (var j = i + 1; j < boxes.length; j++) {
        var a = boxes[i], b = boxes[j];
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) { overlaps++; }
    } }
    var arrows = edges.get({filter: function (e) { return !e.hidden; }}).length;
    return {boxes: shown.length, all_boxes: nodes.length, arrows: arrows, all_arrows: edges.length,
            min_font_px: Math.min.apply(null, boxes.map(function (b) { return b.font; })), cut: cut, overlaps: overlaps};
}"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="a store to draw (default: the seed policies, built into a temporary store)")
    parser.add_argument("--baseline", help="another checkout (with its .venv) to draw the same pages")
    parser.add_argument("--screenshots", help="save a 1400×900 screenshot of each page here")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--corpus", nargs="+", metavar="STORE", help="measure the corpus view of these stores instead")
    parser.add_argument("--copies", type=int, default=0, help="with --corpus: also the page of each store's policies K times over")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Error: Debian's chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if args.corpus:
        return corpus_main(args.corpus, args.copies, args.screenshots, chromium)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = args.store or _seed_store(tmp / "store")
        checkouts = [("this", REPO)] + ([("baseline", Path(args.baseline))] if args.baseline else [])
        rows = []
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            for name, checkout in checkouts:
                for page in args.pages:
                    if page == "compare" and name == "baseline":
                        continue  # the baseline has no comparison picture
                    out = tmp / f"{name}-{page}.html"
                    row = {"code": name, "page": page, **_write(checkout, store, page, out)}
                    row["page_mb"] = out.stat().st_size / 1e6
                    row.update(_draw(browser, out, args.screenshots if name == "this" else None, page))
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr)
            browser.close()
    _table(rows)
    return 0


# ---------------------------------------------------------------------------------------------
# the corpus view

CORPUS_GEOMETRY = """() => {
    var matrix = document.getElementById("matrix");
    var parts = document.querySelectorAll("#grid th, #grid td, #grid button"), clipped = 0, outside = 0;
    var m = matrix.getBoundingClientRect();
    Array.prototype.forEach.call(parts, function (el) {
        var r = el.getBoundingClientRect();
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) { clipped++; }
        if (r.left < m.left - 0.5 || r.right > m.right + 0.5 || r.top < m.top - 0.5 || r.bottom > m.bottom + 0.5) { outside++; }
    });
    return {rows: document.querySelectorAll("#grid tbody tr").length, columns: document.querySelectorAll("#grid thead th").length - 1,
            clipped: clipped, outside: outside,
            scrolls: matrix.scrollWidth > matrix.clientWidth + 1 || matrix.scrollHeight > matrix.clientHeight + 1,
            drawn_ms: performance.getEntriesByName("drawn")[0].startTime};
}"""


def corpus_main(stores: list[str], copies: int, screenshots: str | None, chromium: str) -> int:
    from playwright.sync_api import sync_playwright

    from policyflows.store import FlowStore
    from policyflows.views import corpus

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for n, store_dir in enumerate(stores):
            with FlowStore.open(store_dir) as store:
                start = time.process_time()
                answer, records = corpus.corpus_summary(store), store.policies()
                model = corpus.corpus_model(answer, records, sheets="corpus-policies")
                out = Path(tmp) / f"corpus-{n}.html"
                out.write_text(corpus.corpus_html(model), encoding="utf-8")
                page_cpu = time.process_time() - start
                start = time.process_time()
                sheets = corpus.write_sheets(model, records, Path(tmp) / "corpus-policies",
                                             lambda policy: store.flows(policies=[policy]), back=out.name)
                sheets_cpu = time.process_time() - start
                sizes = [s.stat().st_size for s in sheets]
                rows.append({"corpus": store_dir, "policies": model["of"], "page_mb": out.stat().st_size / 1e6,
                             "page_cpu_s": page_cpu, "sheets": len(sheets), "sheets_mb": sum(sizes) / 1e6,
                             "largest_sheet_kb": max(sizes, default=0) / 1e3, "sheets_cpu_s": sheets_cpu,
                             **_draw_corpus(browser, out, screenshots if n == 0 else None)})
                shutil.rmtree(Path(tmp) / "corpus-policies")
                print(json.dumps(rows[-1]), file=sys.stderr)
                if copies:
                    sys.path.insert(0, str(REPO / "tests"))
                    from test_views_corpus import many_copies

                    big, big_records = many_copies(answer, records, copies)
                    start = time.process_time()
                    model = corpus.corpus_model(big, big_records, sheets="corpus-policies")
                    out = Path(tmp) / f"corpus-{n}-x{copies}.html"
                    out.write_text(corpus.corpus_html(model), encoding="utf-8")
                    rows.append({"corpus": f"{store_dir} × {copies}", "policies": model["of"],
                                 "page_mb": out.stat().st_size / 1e6, "page_cpu_s": time.process_time() - start,
                                 "sheets": None, **_draw_corpus(browser, out, None)})
                    print(json.dumps(rows[-1]), file=sys.stderr)
        browser.close()
    print("| corpus | policies | page | page written in (CPU) | sheets | sheets written in (CPU) | drawn in "
          "(browser, median of 3) | rows × columns | cut or clipped |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        sheets = (f"{r['sheets']:,}, {r['sheets_mb']:.1f} MB (largest {r['largest_sheet_kb']:.0f} KB)"
                  if r["sheets"] is not None else "—")
        sheets_cpu = f"{r['sheets_cpu_s']:.1f} s" if r["sheets"] is not None else "—"
        print(f"| {r['corpus']} | {r['policies']:,} | {r['page_mb']:.2f} MB | {r['page_cpu_s']:.2f} s | {sheets} | "
              f"{sheets_cpu} | {r['drawn_ms']:.0f} ms (wall {r['draw_s']:.2f} s) | {r['rows']} × {r['columns']} | "
              f"{r['outside'] + r['clipped'] + (1 if r['scrolls'] else 0)} |")
    return 0


def _draw_corpus(browser, path: Path, screenshots: str | None) -> dict:
    runs = []
    for _ in range(3):
        context, page, wall = _visit(browser, path)
        runs.append({**page.evaluate(CORPUS_GEOMETRY), "draw_s": wall})
        if screenshots and not runs[1:]:
            _corpus_screenshots(page, Path(screenshots))
        context.close()
    median = sorted(runs, key=lambda r: r["drawn_ms"])[1]
    return {**median, "draw_s": statistics.median(r["draw_s"] for r in runs)}


def _corpus_screenshots(page, folder: Path) -> None:
    """What a reader sees: the page as it opens; a category opened and a cell's policies listed;
    the evidence of one of them."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "corpus.png"))
    page.locator("th.row button", has_text="device information").first.click()
    heads = page.locator("#grid thead th").all_inner_texts()
    column = next(i for i, h in enumerate(heads) if " ".join(h.split()) == "third party")
    row = page.locator("#grid tbody tr").filter(has=page.locator("th.row", has_text="device ID")).first
    row.locator("th, td").nth(column).locator("button").click()
    page.screenshot(path=str(folder / "corpus-cell.png"))
    page.locator("#details ul").first.locator("a").first.click()
    page.wait_for_selector("#cell-flows")
    page.screenshot(path=str(folder / "corpus-sheet.png"))
    page.go_back()


def _seed_store(path: Path) -> str:
    from policyflows.store import FlowStore

    FlowStore.open(path, create=True).build([POLICIES], progress=False)
    return str(path)


def _write(checkout: Path, store: str, page: str, out: Path) -> dict:
    term, kwargs = PAGES[page]
    python = checkout / ".venv" / "bin" / "python"
    result = subprocess.run([str(python), "-c", WRITER, store, term or "", json.dumps(kwargs), str(out)],
                            capture_output=True, text=True, cwd=checkout, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _visit(browser, path: Path):
    """A fresh offline window at 1400×900 on the page, once it has drawn: (context, page, wall seconds)."""
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-drawn=true]", timeout=60_000)
    return context, page, time.perf_counter() - start


def _draw(browser, path: Path, screenshots: str | None, page_name: str) -> dict:
    times, geometry = [], None
    for _ in range(3):
        context, page, wall = _visit(browser, path)
        times.append(wall)
        page.wait_for_timeout(200)
        geometry = page.evaluate(GEOMETRY)
        if screenshots:
            Path(screenshots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(screenshots) / SCREENSHOTS.get(page_name, f"map-{page_name}.png")))
        context.close()
    return {"draw_s": statistics.median(times), **geometry}


def _table(rows: list[dict]) -> None:
    print("| code | page | flows | boxes shown / all | arrows shown / all | page | written in (CPU) | drawn in "
          "| smallest label | boxes cut | boxes overlapping |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['code']} | {r['page']} | {r['flows']:,} | {r['boxes']} / {r['all_boxes']} | "
              f"{r['arrows']:,} / {r['all_arrows']:,} | {r['page_mb']:.1f} MB | {r['write_cpu_s']:.2f} s | "
              f"{r['draw_s']:.2f} s | {r['min_font_px']:.1f} px | {r['cut']} | {r['overlaps']} |")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())

"""Views of the flows: networkx projections and analysis (``network``), pyvis HTML maps
(``flowmap``, with what they show decided in ``mapmodel``), two policies in one picture
(``compare``), a corpus as data categories × recipients with policies per cell (``corpus``),
and the flow graph for graph tools (``export``: GraphML, GEXF).

They take flows as where-json dicts (``FlowStore.flows``), so they do not depend on SPARQL; the
corpus view takes the store's corpus summary (``FlowStore.summary``), never every flow.
"""
from policyflows.views.compare import compare_map, write_compare
from policyflows.views.corpus import (corpus_filename, corpus_html, corpus_model, corpus_summary, sheet_html,
                                      sheet_model, write_corpus, write_sheets)
from policyflows.views.export import export_graph, write_graph
from policyflows.views.flowmap import build_map, default_filename, map_html, write_map
from policyflows.views.network import (collapse_categories, compare_policies, cross_border, filter_flows,
                                       flow_graph, recipients_by_categories, summary, term_categories, top_k)

__all__ = [
    "build_map", "collapse_categories", "compare_map", "compare_policies", "corpus_filename", "corpus_html",
    "corpus_model", "corpus_summary", "cross_border", "default_filename",
    "export_graph", "filter_flows", "flow_graph", "map_html", "recipients_by_categories", "summary",
    "sheet_html", "sheet_model", "term_categories", "top_k", "write_compare", "write_corpus", "write_graph",
    "write_map", "write_sheets",
]

"""Views of the flows: networkx projections and analysis (``network``), pyvis HTML maps
(``flowmap``, with what they show decided in ``mapmodel``), two policies in one picture
(``compare``), and the flow graph for graph tools (``export``: GraphML, GEXF).

They take flows as where-json dicts (``FlowStore.flows``), so they do not depend on SPARQL.
"""
from policyflows.views.compare import compare_map, write_compare
from policyflows.views.export import export_graph, write_graph
from policyflows.views.flowmap import build_map, default_filename, map_html, write_map
from policyflows.views.network import (collapse_categories, compare_policies, cross_border, filter_flows,
                                       flow_graph, recipients_by_categories, summary, term_categories, top_k)

__all__ = [
    "build_map", "collapse_categories", "compare_map", "compare_policies", "cross_border", "default_filename",
    "export_graph", "filter_flows", "flow_graph", "map_html", "recipients_by_categories", "summary",
    "term_categories", "top_k", "write_compare", "write_graph", "write_map",
]

"""Views of the flows: networkx projections and analysis (``network``), pyvis HTML maps (``flowmap``).

They take flows as where-json dicts (``FlowStore.flows``), so they do not depend on SPARQL.
"""
from policyflows.views.flowmap import build_map, default_filename, map_html, write_map
from policyflows.views.network import (collapse_categories, compare_policies, cross_border, filter_flows,
                                       flow_graph, recipients_by_categories, summary, term_categories, top_k)

__all__ = [
    "build_map", "collapse_categories", "compare_policies", "cross_border", "default_filename",
    "filter_flows", "flow_graph", "map_html", "recipients_by_categories", "summary", "term_categories",
    "top_k", "write_map",
]

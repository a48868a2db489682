"""What a browser sends to Dash, built from what Dash serves: the pages router's request for a path, and a request
for any server callback with its inputs as a rendered page holds them. Used by the workers' warm-up
(dashboard/serve.py), the request guards (dashboard/routes.py), the benchmarks and the tests."""
from __future__ import annotations

CALLBACK_PATH = "/_dash-update-component"
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."  # Dash's pages router callback


def router_body(path: str, search: str = "") -> dict:
    """What the browser sends to Dash's pages router on the first load of `path`."""
    return {"output": ROUTER_OUTPUT,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}


def component_props(tree) -> dict[str, dict]:
    """{id: props} of every component with a string id in a JSON component tree (a layout or a callback answer)."""
    found: dict[str, dict] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "type" in node:
                if isinstance(props.get("id"), str):
                    found[props["id"]] = props
                stack.extend(props.values())
            else:
                stack.extend(node.values())
    return found


def callback_body(dep: dict, props: dict[str, dict]) -> dict | None:
    """A request body for one server callback of /_dash-dependencies (`dep`), its inputs and states taken from
    `props` ({id: props}); None when it is clientside, pattern-matching, or reads a component not in `props`."""
    if dep.get("clientside_function"):
        return None
    outputs = []
    for part in [p for p in dep.get("output", "").strip(".").split("...") if p]:
        cid, _, prop = part.rpartition(".")
        if not cid or not prop or cid.startswith("{"):
            return None
        outputs.append({"id": cid, "property": prop})
    if not outputs:
        return None
    values = {}
    for kind in ("inputs", "state"):
        items = []
        for d in dep.get(kind, []):
            if not isinstance(d.get("id"), str) or d["id"] not in props:
                return None
            items.append({"id": d["id"], "property": d["property"], "value": props[d["id"]].get(d["property"])})
        values[kind] = items
    if not values["inputs"]:
        return None
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": values["inputs"], "state": values["state"],
            "changedPropIds": [f"{values['inputs'][0]['id']}.{values['inputs'][0]['property']}"]}

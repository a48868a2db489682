"""Request hygiene for the production server: honest status codes, read-only methods, plain error bodies.

`install(server)` (called by dashboard/app.py after the Dash app and its pages exist) adds:

* Methods: GET and HEAD everywhere; POST only to Dash's callback endpoint (`/_dash-update-component`). Any
  other method or target is 405 with a plain message. There is no writable endpoint.
* Callback requests: the body must be a JSON object shaped like a Dash callback request for a registered
  callback (outputs, inputs and state matching its declaration; dcc.Location strings and click counters of
  the right JSON type); anything else is 400 with a plain message, where Dash itself would answer 500 with a
  traceback in the log. For Dash's pages router, a repeated query parameter reaches the page layout as one
  comma-separated string and a query parameter cannot override a path variable (see normalise_router_request).
* Page status: Dash answers every path with its index page (the renderer then shows the page or the friendly
  not-found page). The HTTP status is set to match: 404 for a path that is not a registered page (nor an asset,
  a `_dash` endpoint or `/api`), and for `/country/<code>` when the code is not a country of the warehouse.
  The body stays the Dash app, which renders the not-found page.
* Errors: HTTP errors get a short plain-text body; any unhandled exception is 500 "internal error" (the
  traceback goes to the server log, never to the client); a query over the time limit or a missing warehouse
  is 503 with a plain message; a component-suite path Dash does not serve is 404 (Dash: 500).
"""
from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import dash
from flask import Flask, Response, request
from dash.exceptions import DependencyException, InvalidResourceError
from werkzeug.exceptions import HTTPException, InternalServerError

from dashboard import data
from dashboard.callback_protocol import ROUTER_OUTPUT

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD"})
CALLBACK_ENDPOINT = "_dash-update-component"
MAX_ID_CHARS = 2_000
COUNTRY_TEMPLATE = "/country/<code>"
# Properties whose values the browser always sends with one JSON type (dcc.Location, n_clicks counters): a
# forged value of another type is a bad request, not something for Dash's router or a page callback to trip on.
STRING_PROPS = frozenset({"pathname", "search", "hash", "href"})
COUNT_PROPS = frozenset({"n_clicks", "n_clicks_timestamp", "n_submit", "n_submit_timestamp", "n_blur",
                         "n_blur_timestamp", "n_intervals"})


def plain(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain", headers=headers or {})


def _app() -> dash.Dash:
    return dash.get_app()


def _prefix() -> str:
    try:
        return _app().config.routes_pathname_prefix or "/"
    except Exception:  # no Dash app (a bare Flask server in tests)
        return "/"


# ---- page status ------------------------------------------------------------------------------------------

def _match_page(relative: str) -> tuple[dict, dict | None]:
    """The registered page for a path (without prefix and slashes), exactly as Dash's pages router matches it."""
    try:
        from dash._pages import _path_to_page  # the router's own matcher
    except ImportError:  # pragma: no cover - a Dash without it: same rules, reimplemented
        _path_to_page = _path_to_page_fallback
    try:
        return _path_to_page(relative)
    except Exception:  # an odd path the matcher cannot parse is not a page
        return {}, None


def _path_to_page_fallback(relative: str) -> tuple[dict, dict | None]:
    from fnmatch import fnmatch

    for page in dash.page_registry.values():
        template = page.get("path_template")
        if template:
            template = template.strip("/")
            if fnmatch(relative, re.sub("<.*?>", "*", template)):
                names = re.findall("<(.*?)>", template)
                found = re.findall(re.sub("<.*?>", "(.*)", template), relative)
                values = found[0] if found and isinstance(found[0], tuple) else found
                return page, dict(zip(names, values))
        if relative == page["path"].strip("/"):
            return page, None
    return {}, None


def page_exists(path: str) -> bool:
    """True when Dash's router renders a real page (not the not-found page) for `path`."""
    prefix = _prefix()
    relative = path[len(prefix):] if path.startswith(prefix) else path
    page, variables = _match_page(relative.strip("/"))
    if not page or page.get("module", "").split(".")[-1] == "not_found_404":
        return False
    if page.get("path_template") == COUNTRY_TEMPLATE:
        return data.is_known_country((variables or {}).get("code", ""))
    return True


def _raw_path() -> str:
    """The path as the client sent it, still percent-encoded: what the browser's `location.pathname` holds and
    so what Dash's router matches (Werkzeug's `request.path` is decoded: `/country/N%47A` would be NGA)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    if raw.startswith(("http://", "https://")):
        raw = urlsplit(raw).path
    raw = raw.split("?", 1)[0].split("#", 1)[0]
    return raw if raw.startswith("/") else request.path


def _is_index_request() -> bool:
    """The request was answered by Dash's index route (the catch-all that serves the app for page paths)."""
    rule = request.url_rule.rule if request.url_rule is not None else None
    prefix = _prefix()
    return rule in (prefix, prefix + "<path:path>")


# ---- callback requests ------------------------------------------------------------------------------------

class BadCallback(ValueError):
    pass


def _prop(item, where: str) -> None:
    if not isinstance(item, dict):
        raise BadCallback(f"{where}: expected an object with id and property")
    cid, prop = item.get("id"), item.get("property")
    if not isinstance(cid, (str, dict)) or not isinstance(prop, str) or not prop:
        raise BadCallback(f"{where}: id must be a string or object and property a non-empty string")
    if len(str(cid)) > MAX_ID_CHARS or len(prop) > 200:
        raise BadCallback(f"{where}: id or property too long")
    value = item.get("value")
    if prop in STRING_PROPS and not (value is None or isinstance(value, str)):
        raise BadCallback(f"{where}: {prop} must be a string")
    if prop in COUNT_PROPS and not (value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))):
        raise BadCallback(f"{where}: {prop} must be a number")


def _props(items, where: str, allow_single: bool = False) -> list:
    if allow_single and isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise BadCallback(f"{where}: expected a list")
    for i, item in enumerate(items):
        if isinstance(item, list):  # pattern-matching ALL / ALLSMALLER: a list of props
            for j, sub in enumerate(item):
                _prop(sub, f"{where}[{i}][{j}]")
        else:
            _prop(item, f"{where}[{i}]")
    return items


def _same_prop(sent, declared: dict) -> bool:
    """A sent input/state matches the declared dependency (ids with wildcards are checked for shape only)."""
    if isinstance(sent, list):
        return isinstance(declared.get("id"), dict)
    if sent.get("property") != declared.get("property"):
        return False
    did = declared.get("id")
    if isinstance(did, str):
        return sent.get("id") == did
    return isinstance(sent.get("id"), dict)


def _output_count(output: str) -> int:
    return len(output[2:-2].split("...")) if output.startswith("..") and output.endswith("..") else 1


def check_callback_body(body) -> None:
    """Raise BadCallback unless `body` is a well-formed callback request for a registered callback."""
    if not isinstance(body, dict):
        raise BadCallback("expected a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or not output:
        raise BadCallback("'output' must be a callback id")
    app = _app()
    spec = app.callback_map.get(output)
    if spec is None:
        raise BadCallback(f"no callback for output '{output[:120]}'")
    if "outputs" not in body:
        raise BadCallback("'outputs' is missing")
    outputs = _props(body["outputs"], "outputs", allow_single=True)
    if len(outputs) != _output_count(output) and not (spec.get("no_output") and not outputs):
        raise BadCallback(f"outputs: callback '{output[:120]}' has {_output_count(output)}, got {len(outputs)}")
    inputs = _props(body.get("inputs", []), "inputs")
    state = _props(body.get("state", []), "state")
    for name, sent, declared in (("inputs", inputs, spec.get("inputs", [])), ("state", state, spec.get("state", []))):
        if len(sent) != len(declared):
            raise BadCallback(f"{name}: callback '{output[:120]}' takes {len(declared)}, got {len(sent)}")
        for i, (s, d) in enumerate(zip(sent, declared)):
            if not _same_prop(s, d):
                raise BadCallback(f"{name}[{i}] does not match the callback's declaration")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallback("'changedPropIds' must be a list of strings")


def normalise_router_request(body: dict) -> None:
    """Make the query string Dash's pages router passes to a page layout unambiguous, in place.

    Dash hands a repeated query parameter to the layout as a list and lets a query parameter override a path
    variable (`/country/NGA?code=IND` renders IND). Here a repeated parameter becomes one comma-separated value
    (as in /api/v1: `?geo=NGA&geo=IND` is `?geo=NGA,IND`), and parameters named like a path variable of the
    page are dropped (the path decides), so layouts always receive one string per parameter."""
    if body.get("output") != ROUTER_OUTPUT:
        return
    values = {d.get("property"): d for d in body.get("inputs", []) if d.get("id") == "_pages_location"}
    search, pathname = values.get("search"), (values.get("pathname") or {}).get("value")
    if search is None or not isinstance(search.get("value"), str) or not search["value"].startswith("?"):
        return
    pairs = parse_qsl(search["value"][1:], keep_blank_values=True)
    if isinstance(pathname, str):
        prefix = _prefix()
        relative = pathname[len(prefix):] if pathname.startswith(prefix) else pathname
        _, variables = _match_page(relative.strip("/"))
        pairs = [(k, v) for k, v in pairs if k not in (variables or {})]
    joined: dict[str, list[str]] = {}
    for key, value in pairs:
        joined.setdefault(key, []).append(value)
    normalised = "?" + urlencode({k: ",".join(v) for k, v in joined.items()}) if joined else ""
    if len(joined) != len(parse_qsl(search["value"][1:], keep_blank_values=True)):
        search["value"] = normalised


# ---- install ----------------------------------------------------------------------------------------------

def install(server: Flask) -> None:
    """Add the hooks and error handlers above to the Flask server of the Dash app (once; repeat calls are no-ops)."""
    if server.extensions.get("sdg87_routes"):
        return
    server.extensions["sdg87_routes"] = True

    @server.before_request
    def read_only_and_well_formed():
        callback_path = _prefix() + CALLBACK_ENDPOINT
        if request.method in READ_METHODS:
            return None
        if request.method != "POST" or request.path != callback_path:
            allow = "POST" if request.path == callback_path else "GET, HEAD"
            return plain(405, f"method {request.method[:20]} is not allowed here (allowed: {allow})",
                         {"Allow": allow})
        if not request.is_json:
            return plain(400, "a callback request must be a JSON body (Content-Type: application/json)")
        body = request.get_json(silent=True)  # parsed once: Dash's get_json() returns this same object
        try:
            check_callback_body(body)
        except BadCallback as exc:
            return plain(400, f"bad callback request: {exc}")
        normalise_router_request(body)
        return None

    @server.after_request
    def page_status(response: Response) -> Response:
        if request.method in READ_METHODS and response.status_code == 200 and _is_index_request():
            try:
                missing = not page_exists(_raw_path())
            except Exception:  # the status is a courtesy: never turn a served page into an error
                log.exception("page status check failed for %r", request.path[:200])
                missing = False
            if missing:
                response.status_code = 404
        return response

    @server.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, InternalServerError):
            return internal_error(exc)
        response = plain(exc.code or 400, f"{exc.code} {exc.name}: {exc.description or ''}".strip())
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(m for m in exc.valid_methods if m != "OPTIONS")
        return response

    @server.errorhandler(InternalServerError)
    def internal_error(exc):
        return plain(500, "internal error")

    @server.errorhandler(DependencyException)
    @server.errorhandler(InvalidResourceError)
    def unknown_resource(exc):
        """Dash raises these for a component-suite path it does not serve (500 and, for InvalidResourceError,
        the request path echoed as HTML): a plain 404 instead."""
        if request.path.startswith(_prefix() + "_dash-component-suites/"):
            return plain(404, "404 Not Found: no such resource")
        log.error("%s on %s", type(exc).__name__, request.path[:200], exc_info=exc)
        return internal_error(exc)

    @server.errorhandler(data.QueryTimeout)
    def query_timeout(exc):
        log.warning("query time limit: %s %s: %s", request.method, request.path[:200], exc)
        return plain(503, f"this request took longer than the limit of {data.QUERY_SECONDS:g} s and was stopped; "
                          "try a narrower request", {"Retry-After": "5"})

    @server.errorhandler(data.WarehouseMissing)
    def warehouse_missing(exc):
        log.error("%s", exc)
        return plain(503, "the statistics warehouse is not available; try again later", {"Retry-After": "30"})
